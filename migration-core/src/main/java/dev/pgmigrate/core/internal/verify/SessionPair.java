package dev.pgmigrate.core.internal.verify;

import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.SessionTimeouts;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.EngineOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's sessions for comparisons, set alike on both sides: the target's, opened at once, and the source's,
 * opened when a comparison first reads the source. A table the copy checksummed and the source's COPYs counted is
 * compared on the target alone, so a verified migration whose tables all are never logs in to the source again
 * (each login a SCRAM exchange, about 20 ms of the JVM's CPU under the launcher's C1 compiler). Used by one thread
 * at a time.
 */
public final class SessionPair implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionPair.class);
    /**
     * Pinned on both sides, because a row's text form depends on them; and {@code extra_float_digits}, by the two
     * versions ({@link RowChecksums#extraFloatDigits}).
     */
    private static final List<String> SESSION = List.of("SET DateStyle = 'ISO, MDY'", "SET IntervalStyle = 'postgres'",
            "SET TimeZone = 'UTC'", "SET bytea_output = 'hex'", "SET lc_monetary = 'C'",
            "SET xmloption = content", "SET search_path = pg_catalog",
            // A policy that would hide rows from the login fails the comparison by name, as pg_dump fails, instead
            // of comparing only the rows it lets the login see.
            "SET row_security = off");

    private final ServerConnector sourceServer;
    private final String sourceDb;
    private final Connection target;
    private final int extraFloatDigits;
    private Connection source;

    private SessionPair(ServerConnector sourceServer, String sourceDb, Connection target, int extraFloatDigits) {
        this.sourceServer = sourceServer;
        this.sourceDb = sourceDb;
        this.target = target;
        this.extraFloatDigits = extraFloatDigits;
    }

    /**
     * Opens the target's session; the source's, whose version is {@code sourceVersion} ({@code server_version_num}),
     * waits for its first use.
     */
    static SessionPair open(ServerConnector source, String sourceDb, int sourceVersion, ServerConnector target,
            String targetDb) {
        try {
            Connection t = target.open(targetDb);
            int digits;
            try {
                digits = RowChecksums.extraFloatDigits(sourceVersion, versionNum(t));
                set(t, digits);
            } catch (SQLException e) {
                t.close();
                throw e;
            }
            return new SessionPair(source, sourceDb, t, digits);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect for verification: " + e.getMessage(), e);
        }
    }

    /** The target's session, in autocommit mode. */
    Connection target() {
        return target;
    }

    /** The source's session, opened now when this is its first use; not in autocommit mode. */
    Connection source() throws SQLException {
        if (source == null) {
            Connection s = sourceServer.open(sourceDb);
            try {
                set(s, extraFloatDigits);
                // Behind a TRUNCATE queued for the migration's locks, a read waits for ever: wait a bounded time.
                Sql.execute(s, "SET lock_timeout = '" + EngineOptions.lockTimeoutSeconds(sourceServer.settings())
                        + "s'");
                s.setAutoCommit(false);
            } catch (SQLException e) {
                s.close();
                throw e;
            }
            source = s;
        }
        return source;
    }

    private static void set(Connection c, int extraFloatDigits) throws SQLException {
        Sql.execute(c, SessionTimeouts.off(c) + "; " + String.join("; ", SESSION) + "; SET extra_float_digits = "
                + extraFloatDigits);
    }

    /** The server's {@code server_version_num}, from what it reported at login (no round trip). */
    private static int versionNum(Connection c) throws SQLException {
        java.sql.DatabaseMetaData meta = c.getMetaData();
        int major = meta.getDatabaseMajorVersion();
        return major >= 10 ? major * 10000 : major * 10000 + meta.getDatabaseMinorVersion() * 100;
    }

    /** Closes both sessions; a failure to close one is logged, not thrown. */
    @Override
    public void close() {
        for (Connection c : new Connection[] {source, target}) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    log.debug("Closing a verification session failed", e);
                }
            }
        }
    }
}
