package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Parameters set away from their default on the source whose value differs on the target. */
public final class ServerParametersValidator extends InstanceValidator {
    /** What identifies one server or one session rather than configures the database work. */
    private static final Set<String> NOISE = Set.of("port", "listen_addresses", "unix_socket_directories",
            "unix_socket_directory", "unix_socket_group", "unix_socket_permissions", "cluster_name", "application_name",
            "server_version", "server_version_num", "server_encoding", "data_directory_mode", "archive_command",
            "restore_command", "primary_conninfo", "primary_slot_name", "recovery_target_timeline", "ssl",
            "transaction_isolation", "transaction_read_only", "default_transaction_read_only", "in_hot_standby",
            "data_checksums", "shared_memory_size", "shared_memory_size_in_huge_pages", "synchronous_standby_names");
    private static final String QUERY = "SELECT name, setting || coalesce(' ' || unit, '') FROM pg_settings"
            + " WHERE context <> 'internal' AND name !~ '^lc_' AND name !~ '(_file|_directory|_dir|_path|_prefix)$'";

    public ServerParametersValidator() {
        super("server-parameters", "Parameters set on the source that differ on the target.", Needs.BOTH);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        Map<String, String> source;
        Map<String, String> target;
        try (Connection connection = maintenance(context.source())) {
            source = Sql.pairs(connection, QUERY + " AND source NOT IN ('default', 'override', 'client', 'session')"
                    + " ORDER BY name");
        }
        try (Connection connection = maintenance(context.target())) {
            target = Sql.pairs(connection, QUERY);
        }
        List<String> differ = new ArrayList<>();
        source.forEach((name, value) -> {
            if (!NOISE.contains(name) && !Objects.equals(value, target.get(name))) {
                differ.add(name + ": source " + value + ", target "
                        + (target.containsKey(name) ? target.get(name) : "(no such parameter)"));
            }
        });
        if (differ.isEmpty()) {
            return List.of(context.succeeded("The " + source.size() + " parameters set on the source have the same "
                    + "values on the target."));
        }
        return List.of(context.warning(Text.counted(differ, "parameter differs", "parameters differ") + ".",
                "Server parameters are not copied: queries may plan, sort, time out or log differently on the "
                        + "target.", "Set the ones that matter on the target (postgresql.conf, ALTER SYSTEM, or the "
                        + "service's parameter page) before switching applications over.", differ));
    }
}
