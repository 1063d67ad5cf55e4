package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * O6: the target login may apply the stream as the engine does: it tracks progress in a replication origin
 * ({@code pg_replication_origin_*}) and sets {@code session_replication_role = replica}. Both need a superuser up
 * to 13; 14 lets the origin functions be granted, and 15 the parameter ({@code GRANT SET ON PARAMETER}).
 */
public final class OnlineApplyPrivilegesValidator extends OnlineInstanceValidator {
    /** The replication origin functions the apply and its rollback call on the target. */
    static final List<String> ORIGIN_FUNCTIONS = List.of("pg_replication_origin_create",
            "pg_replication_origin_drop", "pg_replication_origin_progress", "pg_replication_origin_session_reset",
            "pg_replication_origin_session_setup", "pg_replication_origin_xact_setup");

    public OnlineApplyPrivilegesValidator() {
        super("online-apply-privileges", "Online: the target login may use replication origins and set "
                + "session_replication_role.", Needs.TARGET);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        ServerFacts target = facts(context.target());
        String login = target.currentUser();
        if (target.superuser()) {
            return List.of(context.succeeded(login + " is a superuser on the target, so it may track the apply in "
                    + "a replication origin and set session_replication_role."));
        }
        String why = "The apply records how far it got in a replication origin on the target, in the same "
                + "transaction as the changes, and sets session_replication_role = replica so that the target's "
                + "triggers and foreign keys do not act a second time on rows the source already checked.";
        if (!target.atLeast(150000)) {
            return List.of(context.failed(login + " is not a superuser on the target, which runs PostgreSQL "
                    + target.version() + ": only a superuser may set session_replication_role before 15"
                    + (target.atLeast(140000) ? "." : ", and use replication origins before 14."), why,
                    "Give the target a superuser login for an Online migration, or migrate to PostgreSQL 15 or "
                    + "later, where GRANT EXECUTE on the replication origin functions and GRANT SET ON PARAMETER "
                    + "session_replication_role let another role apply.", List.of(login)));
        }
        String role;
        List<String> functions;
        boolean parameter;
        try (Connection connection = maintenance(context.target())) {
            role = Sql.string(connection, "SELECT quote_ident(current_user)").orElse(login);
            functions = Sql.strings(connection, "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace"
                    + " = 'pg_catalog'::regnamespace AND p.proname = ANY (?) AND NOT has_function_privilege(p.oid,"
                    + " 'EXECUTE') ORDER BY 1", Sql.textArray(connection, ORIGIN_FUNCTIONS));
            parameter = Sql.bool(connection, "SELECT has_parameter_privilege('session_replication_role', 'SET')");
        }
        if (functions.isEmpty() && parameter) {
            return List.of(context.succeeded(login + " may execute the replication origin functions and set "
                    + "session_replication_role on the target."));
        }
        List<String> missing = new ArrayList<>();
        List<String> grants = new ArrayList<>();
        if (!functions.isEmpty()) {
            missing.addAll(functions);
            grants.add("GRANT EXECUTE ON FUNCTION " + String.join(", ", functions) + " TO " + role + ";");
        }
        if (!parameter) {
            missing.add("SET session_replication_role");
            grants.add("GRANT SET ON PARAMETER session_replication_role TO " + role + ";");
        }
        return List.of(context.failed(login + " is not a superuser on the target and may not "
                + (functions.isEmpty() ? "" : "execute " + Text.counted(functions, "replication origin function",
                "replication origin functions") + (parameter ? "" : ", nor "))
                + (parameter ? "" : "set session_replication_role") + ".", why, "Run as a superuser on the target: "
                + String.join(" ", grants) + " Or give the target a superuser login.", missing));
    }
}
