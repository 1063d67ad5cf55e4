package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * I19: the statement, lock, idle and transaction timeouts set for the login, listed; none blocks, since the engine's
 * sessions set each to 0 for themselves (a snapshot holder, a long COPY or an index build would not survive them).
 */
public final class SessionTimeoutsValidator extends InstanceValidator {
    private static final String NAMES = "('statement_timeout', 'idle_in_transaction_session_timeout', 'lock_timeout',"
            + " 'idle_session_timeout', 'transaction_timeout')";

    public SessionTimeoutsValidator() {
        super("session-timeouts", "No statement, lock or idle timeout set for the login on either server.",
                Needs.BOTH);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        List<String> items = new ArrayList<>();
        items.addAll(timeouts(context, context.source()));
        items.addAll(timeouts(context, context.target()));
        if (items.isEmpty()) {
            return List.of(context.succeeded("No statement, lock or idle timeout is set on either server."));
        }
        return List.of(context.succeeded(Text.counted(items, "timeout is", "timeouts are") + " set; the migration's "
                + "own sessions set each to 0 for themselves, as pg_dump's do, so they hold only for other sessions."));
    }

    private static List<String> timeouts(ValidationContext context, ServerAccess server) throws SQLException {
        String who = server.role().label();
        List<String> items = new ArrayList<>();
        try (Connection connection = maintenance(server)) {
            // The server-wide value: reset_val ignores what the engine's own session may have set.
            items.addAll(Sql.strings(connection, "SELECT ? || ' ' || name || ' = ' || reset_val || coalesce(unit, '')"
                    + " || ' (' || source || ')' FROM pg_settings WHERE name IN " + NAMES
                    + " AND reset_val <> '0' AND source NOT IN ('database', 'user', 'database user')", who));
            Array databases = Sql.textArray(connection, context.spec().databases());
            items.addAll(Sql.strings(connection, "SELECT ? || ' ' || split_part(c, '=', 1) || ' = '"
                    + " || split_part(c, '=', 2) || ' (ALTER ' || CASE WHEN s.setrole = 0 THEN 'DATABASE ' || d.datname"
                    + " WHEN s.setdatabase = 0 THEN 'ROLE ' || r.rolname ELSE 'ROLE ' || r.rolname || ' IN DATABASE '"
                    + " || d.datname END || ')' FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) c"
                    + " LEFT JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase"
                    + " WHERE s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = current_user))"
                    + " AND (s.setdatabase = 0 OR d.datname = ANY (?))"
                    + " AND split_part(c, '=', 1) IN " + NAMES + " AND split_part(c, '=', 2) NOT IN ('0', '0ms')"
                    + " ORDER BY 1", who, databases));
        }
        return items;
    }
}
