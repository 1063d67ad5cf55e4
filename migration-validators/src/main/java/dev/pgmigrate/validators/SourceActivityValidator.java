package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** I23: other sessions on the selected source databases, which an offline migration does not see change. */
public final class SourceActivityValidator extends InstanceValidator {
    public SourceActivityValidator() {
        super("source-activity", "No other session is connected to the selected source databases.", Needs.SOURCE);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        boolean backendType = facts(context.source()).versionNum() >= 100000;
        List<String> sessions;
        try (Connection connection = maintenance(context.source())) {
            // pgmigrate's own sessions (the engine's snapshot holders) name themselves in application_name.
            sessions = Sql.strings(connection, "SELECT coalesce(usename, '?') || '@' || datname || ' pid ' || pid"
                    + " || coalesce(' from ' || host(client_addr), '') || coalesce(' (' || nullif(application_name, '')"
                    + " || ')', '') || ', ' || coalesce(state, '?') || coalesce(', transaction open for '"
                    + " || date_trunc('second', now() - xact_start)::text, '') FROM pg_stat_activity"
                    + " WHERE datname = ANY (?) AND pid <> pg_backend_pid()"
                    + " AND coalesce(application_name, '') NOT LIKE 'pgmigrate%'"
                    + (backendType ? " AND backend_type = 'client backend'" : "") + " ORDER BY xact_start NULLS LAST",
                    Sql.textArray(connection, context.spec().databases()));
        }
        if (sessions.isEmpty()) {
            return List.of(context.succeeded("No other session is connected to the selected source databases."));
        }
        return List.of(context.warning(Text.counted(sessions, "other session is", "other sessions are")
                + " connected to the selected source databases.", "The migration is offline: it copies one "
                + "snapshot, and whatever is written after it is lost on the target; long transactions also "
                + "delay the snapshot and hold locks pg_dump needs.", "Stop the applications (or REVOKE CONNECT "
                + "and end their sessions with pg_terminate_backend) before migrating.", sessions));
    }
}
