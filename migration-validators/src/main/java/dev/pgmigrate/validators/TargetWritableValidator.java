package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** I8: the target is a primary and the login's transactions are not read-only by default. */
public final class TargetWritableValidator extends InstanceValidator {
    public TargetWritableValidator() {
        super("target-writable", "The target is a writable primary, not a standby or read-only by default.",
                Needs.TARGET);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        ServerFacts target = facts(context.target());
        List<String> problems = new ArrayList<>();
        if (target.inRecovery()) {
            problems.add("the server is a standby (pg_is_in_recovery() is true)");
        }
        try (Connection connection = maintenance(context.target())) {
            // The engine's read-only session sets the parameter itself (source 'client' or 'session'); only the
            // server's, the database's and the role's own values say whether pgmigrate could write.
            Sql.string(connection, "SELECT setting FROM pg_settings WHERE name = 'default_transaction_read_only'"
                    + " AND source NOT IN ('client', 'session') AND setting = 'on'")
                    .ifPresent(on -> problems.add("default_transaction_read_only is on for the server"));
            for (String where : Sql.strings(connection, "SELECT CASE WHEN s.setrole = 0 THEN 'every role'"
                    + " ELSE 'the role ' || r.rolname END FROM pg_db_role_setting s"
                    + " LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE s.setdatabase = 0"
                    + " AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = current_user))"
                    + " AND 'default_transaction_read_only=on' = ANY (s.setconfig)")) {
                problems.add("default_transaction_read_only is on for " + where);
            }
        }
        if (problems.isEmpty()) {
            return List.of(context.succeeded("The target is a primary and transactions are read-write by default."));
        }
        return List.of(context.failed("The target is not writable: " + String.join("; ", problems) + ".",
                "pgmigrate creates databases, schemas and rows on the target.", "Migrate to the primary, not a "
                        + "standby; reset default_transaction_read_only (ALTER ROLE/DATABASE ... RESET "
                        + "default_transaction_read_only, or in postgresql.conf).", problems));
    }
}
