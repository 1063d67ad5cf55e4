package dev.pgmigrate.core.internal.pg;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

/**
 * The statements that free one of the engine's sessions from the timeouts a login or database may carry ({@code ALTER
 * ROLE ... SET statement_timeout}), as pg_dump frees its own: the snapshot's transaction sits idle while the copies
 * run, and a {@code COPY}, an index build or a checksum takes as long as its table needs.
 */
public final class SessionTimeouts {
    private SessionTimeouts() {
    }

    /**
     * The {@code SET} statements, joined by {@code "; "}, for the server {@code c} is connected to, read from what it
     * reported at login (no round trip); each names only a parameter that server has.
     */
    public static String off(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        int major = meta.getDatabaseMajorVersion();
        int versionNum = major >= 10 ? major * 10000 : major * 10000 + meta.getDatabaseMinorVersion() * 100;
        StringBuilder sql = new StringBuilder("SET statement_timeout = 0; SET lock_timeout = 0");
        if (versionNum >= 90600) {
            sql.append("; SET idle_in_transaction_session_timeout = 0");
        }
        if (versionNum >= 140000) {
            sql.append("; SET idle_session_timeout = 0");
        }
        if (versionNum >= 170000) {
            sql.append("; SET transaction_timeout = 0");
        }
        return sql.toString();
    }
}
