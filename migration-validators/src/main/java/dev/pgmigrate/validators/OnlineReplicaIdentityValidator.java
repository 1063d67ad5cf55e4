package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * O7: every table the migration publishes has a replica identity the stream can name a changed row by: its
 * primary key (identity {@code DEFAULT}), a chosen unique index ({@code USING INDEX}) or all columns
 * ({@code FULL}). With the option {@value Online#REPLICA_IDENTITY_FULL_OPTION} pgmigrate gives the others FULL for
 * the migration (journaled, set back afterwards), and this is a Warning instead of a Failed result.
 */
public final class OnlineReplicaIdentityValidator extends OnlineDatabaseValidator {
    public OnlineReplicaIdentityValidator() {
        super("online-replica-identity", "Online: each table has a usable replica identity.");
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        // An index serves as identity only when valid, unique, immediate and not partial, as the server decides
        // (RelationGetIndexList): a DEFERRABLE primary key leaves DEFAULT without one.
        String usable = "i.indisvalid AND i.indisunique AND i.indimmediate AND i.indpred IS NULL";
        List<String> tables = Sql.strings(connection, "SELECT " + Sql.QUALIFIED + " || ' (' || CASE c.relreplident"
                + " WHEN 'n' THEN 'REPLICA IDENTITY NOTHING' WHEN 'i' THEN 'its replica identity index is gone or"
                + " not usable' WHEN 'd' THEN CASE WHEN EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid"
                + " AND i.indisprimary) THEN 'its primary key is not usable (deferrable or invalid)'"
                + " ELSE 'no primary key' END END || ')' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND " + Sql.USER_SCHEMA
                + Sql.rowsMoved(context, "c.oid") + " AND CASE c.relreplident WHEN 'n' THEN true"
                + " WHEN 'd' THEN NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary"
                + " AND " + usable + ") WHEN 'i' THEN NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid"
                + " AND i.indisreplident AND " + usable + ") ELSE false END ORDER BY 1");
        if (tables.isEmpty()) {
            return List.of(context.succeeded("Every table has a usable replica identity (a primary key, a unique "
                    + "index chosen with USING INDEX, or FULL)."));
        }
        String found = Text.count(tables.size(), "table has", "tables have") + " no usable replica identity: "
                + Text.listed(tables) + ".";
        String identity = "Logical replication names the row an UPDATE or DELETE changed by the table's replica "
                + "identity; ";
        if (Online.replicaIdentityFull(context)) {
            return List.of(context.warning(found + " " + Online.REPLICA_IDENTITY_FULL_OPTION + " is on.", identity
                    + "pgmigrate sets REPLICA IDENTITY FULL on these tables when the migration starts and sets "
                    + "each back afterwards (journaled, so a cancel or rollback does too). Without it, UPDATE and "
                    + "DELETE on them would fail on the source once they are in the migration's publication. FULL "
                    + "writes every column of the old row into the WAL for each UPDATE and DELETE, and the target "
                    + "finds each changed row by comparing all columns, which is slow on large tables.",
                    "Nothing is required; for a large or busy table add a primary key instead, before the "
                    + "migration.", tables));
        }
        return List.of(context.failed(found, identity + "a table without one cannot be followed, and once it is in "
                + "the migration's publication, UPDATE and DELETE on it fail on the source (\"cannot update table "
                + "because it does not have a replica identity and publishes updates\").", "On the source, add a "
                + "primary key, or run ALTER TABLE ... REPLICA IDENTITY USING INDEX <unique index> or ALTER TABLE "
                + "... REPLICA IDENTITY FULL; or set settings.options." + Online.REPLICA_IDENTITY_FULL_OPTION
                + " = true to have pgmigrate set REPLICA IDENTITY FULL on them for the migration and back afterwards.",
                tables));
    }
}
