package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session a rollback, or the clean-up past the point of no return, works on: opened waiting for a target that
 * restarts, starts up or has no free connection slot, and what to say of a target that refuses the login.
 */
final class RollbackSession {
    private static final Logger log = LoggerFactory.getLogger(RollbackSession.class);

    private RollbackSession() {
    }

    /**
     * Connects for the rollback, waiting up to {@code rollback.waitSeconds} while the target is down, starting up or
     * out of connection slots: a restart that broke the migration must not also leave its changes behind. Only an
     * unavailable server is waited for; a refused login or a missing database cannot get better by waiting.
     */
    static Connection open(ServerConnector target, String database) throws SQLException {
        long deadline = System.nanoTime() + EngineOptions.rollbackWaitSeconds(target.settings()) * 1_000_000_000L;
        for (long pause = 250; ; pause = Math.min(2000, pause * 2)) {
            try {
                return target.open(database);
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                // 53300: no free connection (another application holds the slots, or a connection limit) for now.
                // The driver's 08004 is a login refused (a password asked for that nothing gave): not waited for.
                boolean unavailable = Sql.sessionLost(e) || state.equals("53300");
                if (!unavailable || System.nanoTime() > deadline) {
                    throw e;
                }
                log.warn("The target {} is unavailable ({}, SQLState {}); retrying the rollback in {} ms",
                        target.spec().address(), e.getMessage(), state, pause);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * What to do about a login the target refused (SQLState class 28, or the driver's 08004 for a password that
     * nothing gave): it does not get better by waiting.
     */
    static String loginHint(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("08004")) {
            return ": the target asks for a password this process does not have; a refused login is not waited for. "
                    + "Give the password (from a terminal, which asks for it, or with --properties FILE, the file "
                    + "that started the migration)";
        }
        if (!state.startsWith("28")) {
            return "";
        }
        return String.valueOf(e.getMessage()).contains("pg_hba.conf")
                ? ": the target refuses this login by a rule of its pg_hba.conf, as the error says; a refused login "
                + "is not waited for. Have the target's pg_hba.conf accept it again (and reload the server)"
                : ": the target refuses this login; a refused login is not waited for. Let it log in again";
    }

    static void close(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("Closing the rollback's session failed", e); // it was ended already
        }
    }
}
