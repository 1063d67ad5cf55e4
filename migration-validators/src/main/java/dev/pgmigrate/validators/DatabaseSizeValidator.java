package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/** The database's size and its largest tables, to plan time and target disk (information only). */
public final class DatabaseSizeValidator extends DatabaseValidator {
    public DatabaseSizeValidator() {
        super("database-size", "The database's size and its largest tables (information).", false);
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(DatabaseSizes.SIZE);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        long size = context.fact(DatabaseSizes.SIZE, context.database().orElseThrow());
        // The ten are picked by relpages and name alone, and only they are sized and named: sizing every table (a
        // stat() of each of its files, its indexes' and its TOAST table's) took 200 ms in a database of 2,000
        // tables, and naming each (a search-path lookup) most of the 12.6 ms left (3.1 ms now).
        // A table another session holds (or waits for) in ACCESS EXCLUSIVE mode, such as one an ALTER TABLE
        // rewrites, is sized by its pages as last counted instead: sizing it would wait for that session.
        List<String> largest = Sql.strings(connection, "SELECT t.oid::regclass::text || ' ' || CASE WHEN h.held THEN "
                + "pg_size_pretty(t.relpages::bigint * current_setting('block_size')::bigint) || ' (as last "
                + "counted: another session holds it)' ELSE pg_size_pretty(pg_total_relation_size(t.oid)) END FROM "
                + "(SELECT c.oid, c.relpages FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                + "c.relkind IN ('r', 'm') AND " + Sql.USER_SCHEMA + " ORDER BY c.relpages DESC, n.nspname, c.relname "
                + "LIMIT 10) t CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = "
                + "'relation' AND l.relation = t.oid AND l.mode = 'AccessExclusiveLock' AND l.database = (SELECT d.oid "
                + "FROM pg_database d WHERE d.datname = current_database())) AS held) h ORDER BY t.relpages DESC, 1");
        return List.of(context.result(ValidationStatus.SUCCEEDED, "The database takes " + Text.bytes(size)
                + (largest.isEmpty() ? " and has no tables." : "; largest tables: " + String.join(", ",
                largest.subList(0, Math.min(5, largest.size()))) + "."), "", "", largest));
    }
}
