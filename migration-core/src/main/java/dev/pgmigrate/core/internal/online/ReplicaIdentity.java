package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Changes the replica identity of a table on the live source without holding up its sessions. {@code ALTER TABLE}
 * needs the table's ACCESS EXCLUSIVE lock, and a request for it that waits behind an open transaction makes every
 * later reader and writer of the table wait behind it in turn. So each attempt gives up after a moment and lets
 * the sessions queued behind it through before the next one.
 */
public final class ReplicaIdentity {
    private static final int ATTEMPT_MILLIS = 200;
    private static final long PAUSE_MILLIS = 500;

    private ReplicaIdentity() {
    }

    /**
     * Sets {@code table} (qualified, quoted) to {@code REPLICA IDENTITY identity}, trying for at most
     * {@code waitSeconds} while other sessions hold the table.
     *
     * @throws SQLException with SQLState 55P03 when the table stayed locked that long
     */
    public static void set(Connection c, String table, String identity, int waitSeconds) throws SQLException {
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        Sql.execute(c, "SET lock_timeout = '" + ATTEMPT_MILLIS + "ms'");
        try {
            while (true) {
                try {
                    Sql.execute(c, "ALTER TABLE " + table + " REPLICA IDENTITY " + identity);
                    return;
                } catch (SQLException e) {
                    if (!"55P03".equals(e.getSQLState()) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    pause(e);
                }
            }
        } finally {
            Sql.execute(c, "RESET lock_timeout");
        }
    }

    private static void pause(SQLException e) throws SQLException {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }
}
