package dev.pgmigrate.core.internal;

import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerParametersMode;
import dev.pgmigrate.api.spi.ServerFacts;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server parameters set on the source away from their default whose value differs on the target: reported, one
 * note per group, with the statement that would set each; in {@link ServerParametersMode#APPLY} mode, also set
 * where the target login may: {@code ALTER DATABASE ... SET} in each migrated database, {@code ALTER SYSTEM}
 * (journaled with the value it replaces) and a reload for server-wide ones. What needs a restart is only listed:
 * a wrong value there would keep the target from starting again.
 */
final class ServerParameters {
    private static final Logger log = LoggerFactory.getLogger(ServerParameters.class);

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
    /** Parameters whose list elements are quoted one by one (pg_dump's {@code variable_is_guc_list_quote}). */
    private static final Set<String> LIST_QUOTE = Set.of("local_preload_libraries", "search_path",
            "session_preload_libraries", "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories");
    private static final Pattern SCALED_UNIT = Pattern.compile("(\\d+)(\\D+)");

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

    /** One parameter that differs; {@code targetValue} is empty when the target has no such parameter. */
    record Difference(String name, String context, String sourceValue, Optional<String> targetValue) {
    }

    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final CancelSignal cancel;

    ServerParameters(MigrationSpec spec, RecordKeeper keeper, Endpoint source, Endpoint target, CancelSignal cancel) {
        this.spec = spec;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.cancel = cancel;
    }

    /** Reports, and in apply mode applies, the parameters that differ. Run once the databases have their names. */
    void carryOver() throws SQLException {
        List<Difference> differences;
        try {
            differences = differences();
        } catch (SQLException e) {
            // Only a report is lost; the migrated data is complete.
            log.warn("Could not compare server parameters", e);
            keeper.note("Server parameters were not compared: " + Sql.firstLine(e.getMessage())
                    + " (SQLState " + e.getSQLState() + ").");
            return;
        }
        Map<Scope, List<Difference>> byScope = new EnumMap<>(Scope.class);
        List<Difference> absent = new ArrayList<>();
        for (Difference d : differences) {
            if (d.targetValue().isEmpty()) {
                absent.add(d);
            } else {
                Scope.of(d.context()).ifPresent(s -> byScope.computeIfAbsent(s, k -> new ArrayList<>()).add(d));
            }
        }
        if (!absent.isEmpty()) {
            keeper.note("Server parameters set on the source that the target does not have (" + absent.size() + "): "
                    + absent.stream().map(d -> d.name() + " = " + d.sourceValue()).collect(Collectors.joining(", "))
                    + ". Find what replaced them in the target version's release notes.");
        }
        if (differences.isEmpty()) {
            keeper.note("Server parameters: every parameter set on the source has the same value on the target.");
            return;
        }
        if (spec.settings().serverParameters() == ServerParametersMode.APPLY) {
            apply(byScope);
        } else {
            byScope.forEach((scope, list) -> keeper.note("Server parameters that differ on the target, "
                    + scope.description + " (" + list.size() + "): " + list.stream().map(d -> describe(d) + ": "
                            + String.join("; ", statements(scope, d))).collect(Collectors.joining(" | "))
                    + (scope == Scope.RELOAD ? "; then SELECT pg_reload_conf()" : "")
                    + ". Set serverParameters to apply to have the migration set what it may."));
        }
    }

    private static String describe(Difference d) {
        return d.name() + " (source " + d.sourceValue() + ", target " + d.targetValue().orElse("none") + ")";
    }

    private List<String> statements(Scope scope, Difference d) {
        if (scope == Scope.DATABASE) {
            return spec.databases().stream().map(db -> "ALTER DATABASE " + Sql.ident(db) + " SET " + Sql.ident(d.name())
                    + " = " + valueSql(d.name(), d.sourceValue())).toList();
        }
        return List.of("ALTER SYSTEM SET " + Sql.ident(d.name()) + " = " + valueSql(d.name(), d.sourceValue()));
    }

    List<Difference> differences() throws SQLException {
        Map<String, String[]> sourceValues;
        Map<String, String[]> targetValues;
        String query = "SELECT name, setting, unit, vartype, context FROM pg_catalog.pg_settings WHERE context <> "
                + "'internal'";
        sourceValues = byName(Sql.rows(source.maintenance(), query + " AND source NOT IN (" + SESSION_SOURCES
                + ") ORDER BY name"));
        targetValues = byName(Sql.rows(target.maintenance(), query));
        List<Difference> differences = new ArrayList<>();
        sourceValues.forEach((name, s) -> {
            if (NOISE.contains(name) || name.startsWith("lc_") || name.matches(".*(file|_directory|_directories)$")
                    || s[1] == null) {
                return;
            }
            String value = display(s[1], s[2], s[3]);
            String[] t = targetValues.get(name);
            if (t == null) {
                differences.add(new Difference(name, s[4], value, Optional.empty()));
            } else if (!value.equals(display(t[1], t[2], t[3]))) {
                differences.add(new Difference(name, t[4], value, Optional.ofNullable(display(t[1], t[2], t[3]))));
            }
        });
        return differences;
    }

    private static Map<String, String[]> byName(List<String[]> rows) {
        Map<String, String[]> map = new LinkedHashMap<>();
        rows.forEach(r -> map.put(r[0], r));
        return map;
    }

    // ---- apply

    private void apply(Map<Scope, List<Difference>> byScope) throws SQLException {
        ServerFacts facts = target.requireFacts();
        List<String> notApplied = new ArrayList<>();
        Connection c = target.maintenance();
        List<Difference> perDatabase = byScope.getOrDefault(Scope.DATABASE, List.of());
        if (!perDatabase.isEmpty()) {
            applyPerDatabase(c, facts, perDatabase, notApplied);
        }
        List<Difference> reload = byScope.getOrDefault(Scope.RELOAD, List.of());
        if (!reload.isEmpty()) {
            applySystemWide(c, facts, reload, notApplied);
        }
        List<Difference> restart = byScope.getOrDefault(Scope.RESTART, List.of());
        if (!restart.isEmpty()) {
            keeper.note("Server parameters not applied because they need a restart of the target (" + restart.size()
                    + "): " + restart.stream().map(d -> describe(d) + ": " + statements(Scope.RESTART, d).get(0))
                            .collect(Collectors.joining(" | "))
                    + ". Set them, check the values suit the target machine, and restart it when convenient.");
        }
        if (!notApplied.isEmpty()) {
            keeper.note("Server parameters not applied (" + notApplied.size() + "): " + String.join(" | ", notApplied)
                    + ". Set them as the target's superuser or through the service's parameter page.");
        }
    }

    private void applyPerDatabase(Connection c, ServerFacts facts, List<Difference> differences,
            List<String> notApplied) throws SQLException {
        List<String> applied = new ArrayList<>();
        for (String database : spec.databases()) {
            // The database's own settings, copied from the source, win over the source server's.
            Set<String> own = new HashSet<>();
            for (String[] r : Sql.rows(c, "SELECT split_part(unnest(s.setconfig), '=', 1) FROM "
                    + "pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase "
                    + "WHERE d.datname = ? AND s.setrole = 0", database)) {
                own.add(r[0].toLowerCase(java.util.Locale.ROOT));
            }
            for (Difference d : differences) {
                cancel.check();
                if (own.contains(d.name())) {
                    continue;
                }
                String statement = statements(Scope.DATABASE, d).get(spec.databases().indexOf(database));
                if (d.context().equals("superuser") && !mayDo(c, facts, d.name(), "SET")) {
                    notApplied.add(describe(d) + ": " + statement + " (needs superuser or SET on the parameter)");
                    continue;
                }
                try {
                    Sql.execute(c, statement);
                    applied.add(database + ": " + d.name() + " = " + d.sourceValue());
                } catch (SQLException e) {
                    notApplied.add(describe(d) + ": " + statement + " (" + Sql.firstLine(e.getMessage())
                            + ")");
                }
            }
        }
        if (!applied.isEmpty()) {
            keeper.note("Server parameters applied per database with ALTER DATABASE ... SET (" + applied.size() + "): "
                    + String.join(", ", applied) + ".");
        }
    }

    private void applySystemWide(Connection c, ServerFacts facts, List<Difference> differences,
            List<String> notApplied) throws SQLException {
        List<String> applied = new ArrayList<>();
        for (Difference d : differences) {
            cancel.check();
            String statement = statements(Scope.RELOAD, d).get(0);
            if (!mayDo(c, facts, d.name(), "ALTER SYSTEM")) {
                notApplied.add(describe(d) + ": " + statement + " (needs superuser or ALTER SYSTEM on the parameter)");
                continue;
            }
            String previous = autoConfValue(c, facts, d.name());
            keeper.journal(JournalKind.ALTER_SYSTEM, d.name(), previous == null ? "" : "=" + previous);
            try {
                Sql.execute(c, statement);
                applied.add(d.name() + " = " + d.sourceValue() + " (was " + d.targetValue().orElse("unset") + ")");
            } catch (SQLException e) {
                notApplied.add(describe(d) + ": " + statement + " (" + Sql.firstLine(e.getMessage()) + ")");
            }
        }
        if (!applied.isEmpty()) {
            Sql.execute(c, "SELECT pg_catalog.pg_reload_conf()");
            keeper.note("Server parameters applied server-wide with ALTER SYSTEM and a reload (" + applied.size()
                    + "): " + String.join(", ", applied) + ".");
        }
    }

    /** Whether the target login may set {@code name} this way: as superuser, or by a grant from PostgreSQL 15. */
    private static boolean mayDo(Connection c, ServerFacts facts, String name, String privilege) throws SQLException {
        if (facts.superuser()) {
            return true;
        }
        if (!facts.atLeast(150000)) {
            return false;
        }
        return "t".equals(Sql.one(c, "SELECT pg_catalog.has_parameter_privilege(?, ?)", name, privilege));
    }

    /** The value {@code postgresql.auto.conf} gives {@code name}, or {@code null} when it gives none (or is unreadable). */
    private static String autoConfValue(Connection c, ServerFacts facts, String name) throws SQLException {
        if (facts.superuser()) {
            return Sql.one(c, "SELECT setting FROM pg_catalog.pg_file_settings WHERE name = ? "
                    + "AND sourcefile ~ 'postgresql\\.auto\\.conf$' ORDER BY seqno DESC LIMIT 1", name);
        }
        // Without superuser only pg_settings tells; its sourcefile is visible to pg_read_all_settings members.
        return Sql.one(c, "SELECT setting FROM pg_catalog.pg_settings WHERE name = ? "
                + "AND sourcefile ~ 'postgresql\\.auto\\.conf$'", name);
    }

    /** Puts back what {@link #applySystemWide} changed, from its journal entry; safe to run twice. */
    static void undo(Connection c, String name, String detail) throws SQLException {
        Sql.execute(c, detail.isEmpty() ? "ALTER SYSTEM RESET " + Sql.ident(name)
                : "ALTER SYSTEM SET " + Sql.ident(name) + " = " + valueSql(name, detail.substring(1)));
        Sql.execute(c, "SELECT pg_catalog.pg_reload_conf()");
    }

    // ---- values

    /**
     * A {@code pg_settings} value as it is written in a configuration: a number with its unit, scaled units
     * ({@code 8kB}) multiplied out and memory and time shown in the largest whole unit.
     */
    static String display(String setting, String unit, String vartype) {
        if (setting == null || unit == null || !(vartype.equals("integer") || vartype.equals("real"))
                || setting.startsWith("-")) {
            return setting;
        }
        Matcher scaled = SCALED_UNIT.matcher(unit);
        if (scaled.matches()) {
            if (!vartype.equals("integer")) {
                return setting;
            }
            return largest(Long.parseLong(setting) * Long.parseLong(scaled.group(1)), scaled.group(2));
        }
        if (vartype.equals("integer")) {
            return largest(Long.parseLong(setting), unit);
        }
        return setting + unit;
    }

    private static String largest(long value, String unit) {
        List<String> memory = List.of("B", "kB", "MB", "GB", "TB");
        int i = memory.indexOf(unit);
        if (i >= 0) {
            while (value != 0 && value % 1024 == 0 && i < memory.size() - 1) {
                value /= 1024;
                i++;
            }
            return value + memory.get(i);
        }
        if (unit.equals("ms") && value != 0 && value % 1000 == 0) {
            return largest(value / 1000, "s");
        }
        if (unit.equals("s") && value != 0 && value % 60 == 0) {
            return largest(value / 60, "min");
        }
        if (unit.equals("min") && value != 0 && value % 60 == 0) {
            return value / 60 + "h";
        }
        return value + unit;
    }

    /** {@code name = value} for {@code ALTER ... SET}, from a stored {@code name=value} setting. */
    static String assignment(String setting) {
        int eq = setting.indexOf('=');
        String name = setting.substring(0, eq);
        return Sql.ident(name) + " = " + valueSql(name, setting.substring(eq + 1));
    }

    /**
     * A value as SQL: one literal, or for the list parameters whose elements are quoted one by one (such as
     * {@code search_path}), one literal per element, as a single literal would become a single element.
     */
    static String valueSql(String name, String value) {
        if (!LIST_QUOTE.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            return Sql.literal(value);
        }
        List<String> elements = splitList(value);
        return elements.isEmpty() ? "''" : elements.stream().map(Sql::literal).collect(Collectors.joining(", "));
    }

    /** Splits {@code "$user", public} into {@code $user} and {@code public}, undoubling quotes. */
    static List<String> splitList(String value) {
        List<String> elements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < value.length() && value.charAt(i + 1) == '"') {
                    current.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    current.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                any = true;
            } else if (ch == ',') {
                elements.add(current.toString());
                current.setLength(0);
                any = false;
            } else if (!Character.isWhitespace(ch)) {
                current.append(ch);
                any = true;
            }
        }
        if (any || !elements.isEmpty()) {
            elements.add(current.toString());
        }
        return elements;
    }
}
