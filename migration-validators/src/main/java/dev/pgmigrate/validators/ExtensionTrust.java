package dev.pgmigrate.validators;

import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a target login that is no superuser may create the extensions the databases use, for
 * {@code extension-allow-list} on a target without an allow-list. PostgreSQL lets it create trusted extensions
 * only (13 and later; none before), and the engine creates each database anew, so none is there beforehand. A
 * service may hand out more through a library of its own; so the result is Failed only when nothing on the target
 * can: its type is self-hosted, no parameter of such a library is set, the login is in no service's admin role, and
 * every preloaded library is readable and known not to. Otherwise it is a Warning.
 */
final class ExtensionTrust {
    /** Roles through which managed services let their admin create extensions PostgreSQL would not. */
    static final List<String> SERVICE_ROLES = List.of("rds_superuser", "azure_pg_admin", "cloudsqlsuperuser",
            "alloydbsuperuser", "neon_superuser");
    /** Parameters of libraries that let listed extensions be created by a non-superuser, beside allow-lists. */
    static final List<String> PRIVILEGE_PARAMETERS = List.of("supautils.privileged_extensions");
    /** Preloaded libraries known not to change who may create an extension. */
    private static final Set<String> PLAIN_LIBRARIES = Set.of("pg_stat_statements", "auto_explain", "pg_prewarm",
            "pgaudit", "pg_cron", "timescaledb", "citus", "pg_hint_plan", "pglogical", "pg_partman_bgw",
            "pg_stat_kcache", "pg_qualstats", "pg_wait_sampling", "pg_stat_monitor", "auth_delay", "passwordcheck",
            "pg_squeeze", "pg_failover_slots", "plpgsql");
    private static final List<String> PRELOADS = List.of("shared_preload_libraries", "session_preload_libraries",
            "local_preload_libraries");

    private ExtensionTrust() {
    }

    /**
     * The extensions of {@code used} (by name, with their databases) that the target login cannot be shown to be
     * able to create; empty when it is a superuser, when data only creates no extension, or when it may create all.
     */
    static Optional<ValidationResult> check(ValidationContext context, Map<String, TreeSet<String>> used)
            throws SQLException {
        ServerFacts target = InstanceValidator.facts(context.target());
        if (target.superuser() || used.isEmpty()
                || context.spec().settings().selection().content() == Selection.Content.DATA_ONLY) {
            return Optional.empty();
        }
        List<String> untrusted = new ArrayList<>();
        List<String> doubts = new ArrayList<>();
        try (Connection c = InstanceValidator.maintenance(context.target())) {
            Set<String> needSuperuser = new HashSet<>(target.versionNum() >= 130000
                    ? Sql.strings(c, "SELECT e.name FROM pg_available_extensions e JOIN "
                            + "pg_available_extension_versions v ON v.name = e.name AND v.version = e.default_version "
                            + "WHERE NOT v.trusted")
                    : Sql.strings(c, "SELECT name FROM pg_available_extensions"));
            used.forEach((name, databases) -> {
                if (needSuperuser.contains(name)) {
                    untrusted.add(SourceExtensions.where(name, databases));
                }
            });
            if (untrusted.isEmpty()) {
                return Optional.empty();
            }
            doubts(context, c, target, doubts);
        }
        String found = Text.counted(untrusted, "extension needs", "extensions need") + " a superuser to be created"
                + (target.versionNum() >= 130000 ? " (not trusted on the target)" : " (the target is older than 13)")
                + ", and the target login " + target.currentUser() + " is none";
        String why = "The engine creates each database anew, and CREATE EXTENSION of such an extension by a "
                + "non-superuser fails (SQLState 42501): the schema's restore stops part way and the migration rolls "
                + "back.";
        String remedy = "Migrate with a superuser login on the target; or let the admin create them the service's "
                + "way (add them to its allow-list parameter, such as azure.extensions, or grant the admin the role "
                + "the service uses, such as rds_superuser; name a parameter pgmigrate does not know in "
                + "settings.extensionAllowListParameter); or drop them from the source databases if unused. "
                + "Creating them in the target database beforehand does not help: it is created again.";
        if (doubts.isEmpty()) {
            return Optional.of(context.failed(found + "; the target has no extension allow-list, and nothing else "
                    + "on it lets the login create them.", why,
                    remedy, untrusted));
        }
        return Optional.of(context.warning(found + "; the service may let it all the same (" + String.join("; ",
                doubts) + ").", why, remedy, untrusted));
    }

    /** What on the target may let a non-superuser create an untrusted extension, each as a phrase. */
    private static void doubts(ValidationContext context, Connection c, ServerFacts target, List<String> doubts)
            throws SQLException {
        SourceServerType type = context.spec().target().type();
        if (type.isManaged()) {
            doubts.add("the target is declared " + type.label() + ", a managed service");
        }
        for (String role : Sql.strings(c, "SELECT rolname FROM pg_roles WHERE rolname = ANY (?) AND "
                + "pg_has_role(current_user, oid, 'MEMBER') ORDER BY 1", Sql.textArray(c, SERVICE_ROLES))) {
            doubts.add("the login is a member of " + role);
        }
        if (target.versionNum() >= 90600) { // current_setting(name, missing_ok) came in 9.6
            for (String parameter : PRIVILEGE_PARAMETERS) {
                Optional<String> value = Sql.string(c, "SELECT current_setting(?, true)", parameter);
                if (value.isPresent() && !value.get().isBlank()) {
                    doubts.add(parameter + " is set");
                }
            }
        }
        // pg_settings hides the first two from logins without pg_read_all_settings: "unknown", not "empty".
        Map<String, String> preloads = Sql.pairs(c, "SELECT name, setting FROM pg_settings WHERE name = ANY (?)",
                Sql.textArray(c, PRELOADS));
        List<String> unreadable = PRELOADS.stream().filter(p -> !preloads.containsKey(p)).toList();
        if (!unreadable.isEmpty()) {
            doubts.add("the login cannot read " + String.join(" or ", unreadable)
                    + ", where a library of the service's would be");
        }
        Set<String> unknown = new TreeSet<>();
        for (String setting : preloads.values()) {
            for (String library : setting.split(",")) {
                String name = library.trim().replace("\"", "").replaceFirst("^.*/", "").replaceFirst("\\.so$", "")
                        .toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !PLAIN_LIBRARIES.contains(name)) {
                    unknown.add(name);
                }
            }
        }
        if (!unknown.isEmpty()) {
            doubts.add("the target preloads " + String.join(", ", unknown) + ", which may");
        }
    }
}
