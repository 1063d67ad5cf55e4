package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.core.StoredMigration.JournalEntry;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.ServerDatabases;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes what data only did to a database the user already had: the tables it filled emptied, the sequences it
 * set set back. Nothing else of the database is touched.
 */
final class DataOnlyRollback {
    private static final Logger log = LoggerFactory.getLogger(DataOnlyRollback.class);

    private DataOnlyRollback() {
    }

    /**
     * Empties the tables of {@code entry} in one TRUNCATE; when a table the migration did not fill references one
     * of them (TRUNCATE refuses that even when it is empty), deletes their rows instead, referencing tables first.
     */
    static void empty(ServerConnector target, Connection maintenance, JournalEntry entry) throws SQLException {
        List<String> tables = entry.detail().lines().filter(l -> !l.isBlank()).toList();
        if (tables.isEmpty() || !ServerDatabases.exists(maintenance, entry.name())) {
            return;
        }
        // A copy of a dead process may still run; the database is the user's, so only pgmigrate's sessions end.
        Sql.rows(maintenance, "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE "
                + "datname = ? AND application_name = 'pgmigrate' AND pid <> pg_catalog.pg_backend_pid()",
                entry.name());
        try (Connection c = target.open(entry.name())) {
            List<String> present = existing(c, tables);
            if (present.isEmpty()) {
                return;
            }
            try {
                Sql.execute(c, "TRUNCATE ONLY " + String.join(", ", present));
            } catch (SQLException e) {
                if (!"0A000".equals(e.getSQLState())) {
                    throw e;
                }
                log.debug("TRUNCATE of the tables data only filled in {} was refused; deleting their rows",
                        entry.name(), e);
                List<String> reversed = new ArrayList<>(present);
                Collections.reverse(reversed);
                c.setAutoCommit(false);
                for (String table : reversed) {
                    Sql.execute(c, "DELETE FROM ONLY " + table);
                }
                c.commit();
            }
            log.info("Emptied the {} table(s) data only filled in database {}", tables.size(), entry.name());
        }
    }

    /** Sets each sequence of {@code entry} back to its value and is_called as they were. */
    static void setBack(ServerConnector target, Connection maintenance, JournalEntry entry) throws SQLException {
        if (!ServerDatabases.exists(maintenance, entry.name())) {
            return;
        }
        try (Connection c = target.open(entry.name())) {
            for (String line : entry.detail().lines().filter(l -> !l.isBlank()).toList()) {
                String[] parts = line.split("\t");
                if (Sql.one(c, "SELECT pg_catalog.to_regclass(?)::text", parts[0]) != null) {
                    Sql.execute(c, "SELECT pg_catalog.setval(" + Sql.literal(parts[0]) + ", "
                            + Long.parseLong(parts[1]) + ", " + Boolean.parseBoolean(parts[2]) + ")");
                }
            }
        }
    }

    /** The tables of the list that still exist: one the user dropped meanwhile has nothing to empty. */
    private static List<String> existing(Connection c, List<String> tables) throws SQLException {
        List<String> found = new ArrayList<>();
        for (String table : tables) {
            if (Sql.one(c, "SELECT pg_catalog.to_regclass(?)::text", table) != null) {
                found.add(table);
            }
        }
        return found;
    }
}
