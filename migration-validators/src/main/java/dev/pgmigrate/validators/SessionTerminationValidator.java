package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** I10: with overwrite set, the target login may end the sessions of the databases it drops. */
public final class SessionTerminationValidator extends InstanceValidator {
    public SessionTerminationValidator() {
        super("session-termination", "With overwrite set, the target login may end sessions on databases it drops.",
                Needs.TARGET);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        ServerFacts target = facts(context.target());
        if (!context.spec().settings().overwriteDbsInTarget()) {
            return List.of(context.succeeded("overwriteDbsInTarget is off: no target database is dropped."));
        }
        if (target.superuser()) {
            return List.of(context.succeeded(target.currentUser() + " is a superuser and may end any session."));
        }
        boolean member;
        try (Connection connection = maintenance(context.target())) {
            member = Sql.bool(connection, "SELECT pg_has_role(current_user, 'pg_signal_backend', 'MEMBER')");
        }
        if (member) {
            return List.of(context.succeeded(target.currentUser() + " has the privileges of pg_signal_backend."));
        }
        return List.of(context.failed(target.currentUser() + " is neither a superuser nor a member of "
                + "pg_signal_backend.", "A database cannot be dropped while sessions are connected to it; with "
                + "overwrite set, pgmigrate ends them first with pg_terminate_backend().", "GRANT pg_signal_backend TO "
                + target.currentUser() + "; or end the sessions yourself and keep applications away.",
                List.of("pg_signal_backend")));
    }
}
