package dev.pgmigrate.core.internal.server;

import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A server parameter set on the source away from its default whose value differs on the target; {@code targetValue}
 * is empty when the target has no such parameter, and {@code context} is the parameter's context on the target
 * when it has it. Values are shown as a configuration writes them ({@link ParameterValues#display}).
 */
public record ParameterDifference(String name, String context, String sourceValue, Optional<String> targetValue) {
    /** What identifies one server or one session rather than configures the work. */
    private static final Set<String> NOISE = Set.of("port", "listen_addresses", "unix_socket_directories",
            "unix_socket_directory", "unix_socket_group", "unix_socket_permissions", "cluster_name", "application_name",
            "server_version", "server_version_num", "server_encoding", "data_directory_mode", "archive_command",
            "restore_command", "primary_conninfo", "primary_slot_name", "recovery_target_timeline", "ssl",
            "transaction_isolation", "transaction_read_only", "default_transaction_read_only", "in_hot_standby",
            "data_checksums", "shared_memory_size", "shared_memory_size_in_huge_pages", "synchronous_standby_names",
            "client_encoding", "is_superuser", "session_authorization", "role", "createrole_self_grant");
    /** Sources that are not the server's own configuration. */
    private static final String SESSION_SOURCES = "'default', 'override', 'client', 'session', 'database', 'user', "
            + "'database user', 'interactive', 'test'";

    /** How a parameter can be set on the target, from its context there. */
    enum Scope {
        DATABASE("settable per database or role"),
        RELOAD("server-wide, applied with a reload"),
        RESTART("server-wide, needing a restart of the target");

        final String description;

        Scope(String description) {
            this.description = description;
        }

        static Optional<Scope> of(String context) {
            return switch (context) {
                case "user", "superuser" -> Optional.of(DATABASE);
                case "sighup", "backend", "superuser-backend" -> Optional.of(RELOAD);
                case "postmaster" -> Optional.of(RESTART);
                default -> Optional.empty();
            };
        }
    }

    /**
     * The parameters set on the source, read on its maintenance connection {@code source}, whose value differs on
     * the target, read on {@code target}; those that name a server, a session, a file or a locale are left out.
     */
    static List<ParameterDifference> between(Connection source, Connection target) throws SQLException {
        String query = "SELECT name, setting, unit, vartype, context FROM pg_catalog.pg_settings WHERE context <> "
                + "'internal'";
        Map<String, String[]> sourceValues = byName(Sql.rows(source, query + " AND source NOT IN ("
                + SESSION_SOURCES + ") ORDER BY name"));
        Map<String, String[]> targetValues = byName(Sql.rows(target, query));
        List<ParameterDifference> differences = new ArrayList<>();
        sourceValues.forEach((name, s) -> {
            if (NOISE.contains(name) || name.startsWith("lc_") || name.matches(".*(file|_directory|_directories)$")
                    || s[1] == null) {
                return;
            }
            String value = ParameterValues.display(s[1], s[2], s[3]);
            String[] t = targetValues.get(name);
            if (t == null) {
                differences.add(new ParameterDifference(name, s[4], value, Optional.empty()));
            } else if (!value.equals(ParameterValues.display(t[1], t[2], t[3]))) {
                differences.add(new ParameterDifference(name, t[4], value,
                        Optional.ofNullable(ParameterValues.display(t[1], t[2], t[3]))));
            }
        });
        return differences;
    }

    private static Map<String, String[]> byName(List<String[]> rows) {
        Map<String, String[]> map = new LinkedHashMap<>();
        rows.forEach(r -> map.put(r[0], r));
        return map;
    }

    /** {@code name (source value, target value)}, for a note. */
    String describe() {
        return name + " (source " + sourceValue + ", target " + targetValue.orElse("none") + ")";
    }
}
