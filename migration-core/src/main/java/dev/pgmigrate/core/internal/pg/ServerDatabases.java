package dev.pgmigrate.core.internal.pg;

import dev.pgmigrate.api.MigrationCanceledException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's databases seen from a maintenance session: whether one exists, ending the sessions on one, dropping
 * one, including one whose {@code CREATE DATABASE} a killed process left running.
 */
public final class ServerDatabases {
    private static final Logger log = LoggerFactory.getLogger(ServerDatabases.class);

    private ServerDatabases() {
    }

    /** Whether {@code database} exists on the server {@code c} is connected to. */
    public static boolean exists(Connection c, String database) throws SQLException {
        return Sql.one(c, "SELECT 1 FROM pg_database WHERE datname = ?", database) != null; // errors say where
    }

    /** Ends every session on {@code database} and drops it, if it exists (or is still being created). */
    public static void drop(Connection c, String database) throws SQLException {
        endUnfinishedCreate(c, database);
        if (!exists(c, database)) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + Sql.ident(database) + " ALLOW_CONNECTIONS false");
        } catch (SQLException e) {
            log.debug("Could not disallow connections to {} before dropping it", database, e);
        }
        terminateSessions(c, database);
        try (Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + Sql.ident(database));
            log.info("Dropped database {} on the target", database);
        }
    }

    /**
     * Ends a {@code CREATE DATABASE} of this name still running in another session and waits, up to 30 s, until it
     * is gone. A process killed while the server copied the template leaves that statement running; it would
     * commit after the drop below looked for the database, and leave it behind.
     */
    static void endUnfinishedCreate(Connection c, String database) throws SQLException {
        String statement = "CREATE DATABASE " + Sql.ident(database);
        String running = " FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' "
                + "AND left(query, " + statement.length() + ") = ?";
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(pid)" + running)) {
            ps.setString(1, statement);
            ps.executeQuery().close();
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && !"0".equals(Sql.one(c, "SELECT count(*)" + running, statement))) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // the drop below still runs; a rollback goes on whatever interrupted it
            }
        }
    }

    /** Ends every other client session on {@code database}, without waiting for them to exit. */
    public static void terminateSessions(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                + "WHERE datname = ? AND pid <> pg_backend_pid() AND " + clientSessions(c))) {
            ps.setString(1, database);
            ps.executeQuery().close();
        }
        // Terminated backends exit asynchronously; DROP DATABASE waits up to 5 s for them by itself.
    }

    /**
     * Sessions of clients only: an autovacuum worker is the server's own, which a login that is no superuser may not
     * end (16 and later), and which a rename or drop of the database ends by itself.
     */
    private static String clientSessions(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseMajorVersion() >= 10 ? "backend_type = 'client backend'"
                : "usesysid IS NOT NULL";
    }

    /**
     * Ends every other client session on {@code database} and waits, up to 30 s, until they are gone. A backend whose
     * client was killed runs on until it next talks to it: an index build of a dead process still commits.
     */
    public static void terminateSessionsAndWait(Connection c, String database) throws SQLException {
        terminateSessions(c, database);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && !"0".equals(Sql.one(c, "SELECT count(*) FROM pg_stat_activity "
                + "WHERE datname = ? AND pid <> pg_backend_pid() AND " + clientSessions(c), database))) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigrationCanceledException("Canceled while sessions on " + database
                        + " ended");
            }
        }
    }
}
