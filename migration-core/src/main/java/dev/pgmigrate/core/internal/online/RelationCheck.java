package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** A stream's check of each table description the source sends against the table's copy on the target. */
final class RelationCheck {
    private RelationCheck() {
    }

    /**
     * Stops the stream when a table's columns on the source are no longer those of its copy, by name or by type:
     * logical replication carries no schema change, and applying rows of another shape would fail, lose a column or
     * silently round a value. Returns the relation with each column's type and identity on the target, which the
     * apply's statements need.
     */
    static Change.Relation checked(String database, Connection apply, Connection probe, Change.Relation r)
            throws SQLException {
        String table = Sql.qualified(r.schema(), r.table());
        List<String> sent = r.columns().stream().map(Change.Column::name).sorted().toList();
        java.util.Map<String, String[]> columns = new java.util.HashMap<>();
        for (String[] row : Sql.rows(apply, "SELECT attname, pg_catalog.format_type(atttypid, atttypmod), "
                + "attidentity = 'a', (SELECT typname FROM pg_catalog.pg_type WHERE oid = atttypid), atttypmod "
                + "FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND "
                + "NOT attisdropped" + (generatedColumns(apply) ? " AND attgenerated = ''" : ""), table)) {
            columns.put(row[0], row);
        }
        List<String> there = columns.keySet().stream().sorted().toList();
        if (!sent.equals(there)) {
            throw new MigrationException(MessageCode.SOURCE_SCHEMA_CHANGED, "Database " + database + ": table "
                    + table + " changed on the source during the online migration: its columns are now " + sent
                    + ", its copy's " + there + ". The migration is rolled back: logical replication does not "
                    + "carry schema changes; make the change, then start it again.");
        }
        // Type OIDs differ between servers: a type is compared by its name and modifier.
        java.util.Map<String, String> sourceTypes = new java.util.HashMap<>();
        for (String[] row : Sql.rows(probe, "SELECT oid::text, typname FROM "
                + "pg_catalog.pg_type WHERE oid = ANY (?::oid[])", r.columns().stream().map(c -> String.valueOf(
                Integer.toUnsignedLong(c.typeOid()))).collect(java.util.stream.Collectors.joining(",", "{", "}")))) {
            sourceTypes.put(row[0], row[1]);
        }
        for (Change.Column c : r.columns()) {
            String[] copy = columns.get(c.name());
            if (!copy[3].equals(sourceTypes.get(String.valueOf(Integer.toUnsignedLong(c.typeOid()))))
                    || Integer.parseInt(copy[4]) != c.typeModifier()) {
                String now = Sql.one(probe, "SELECT pg_catalog.format_type(?::oid, ?::int)", String.valueOf(
                        Integer.toUnsignedLong(c.typeOid())), String.valueOf(c.typeModifier()));
                throw new MigrationException(MessageCode.SOURCE_SCHEMA_CHANGED, "Database " + database + ": table "
                        + table + " changed on the source during the online migration: its column " + Sql.ident(
                        c.name()) + " is now " + now + ", its copy's " + copy[1] + ". The migration is rolled back: "
                        + "logical replication does not carry schema changes; make the change, then start it again.");
            }
        }
        return new Change.Relation(r.oid(), r.schema(), r.table(), r.replicaIdentity(), r.columns().stream()
                .map(c -> new Change.Column(c.key(), c.name(), c.typeOid(), c.typeModifier(), columns.get(c.name())[1],
                        "t".equals(columns.get(c.name())[2]))).toList());
    }

    private static boolean generatedColumns(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseMajorVersion() >= 12;
    }
}
