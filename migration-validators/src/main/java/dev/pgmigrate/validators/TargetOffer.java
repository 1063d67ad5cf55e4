package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * What the target server offers that every database's checks compare against, each read once per validation on
 * its maintenance database ({@link ValidationContext#targetFact}) instead of once per database and check.
 */
final class TargetOffer {
    /** Every role's name. */
    static final DatabaseFact<Set<String>> ROLES = DatabaseFact.of("the target's roles",
            (c, target) -> Set.copyOf(Sql.strings(c, "SELECT rolname FROM pg_roles")));
    /**
     * The roles the target's login may act as ({@code SET ROLE}, {@code ALTER DEFAULT PRIVILEGES FOR ROLE}): every
     * one for a superuser, else itself and the roles it is a member of, with the SET option from 16.
     */
    static final DatabaseFact<Set<String>> ROLES_ACTED_AS = DatabaseFact.of("the roles the target login acts as",
            (c, target) -> Set.copyOf(Sql.strings(c, "SELECT rolname FROM pg_roles WHERE " + (target.superuser()
                    ? "true" : "pg_has_role(current_user, oid, '" + (target.atLeast(160000) ? "SET" : "MEMBER")
                    + "')"))));
    /** Every extension the target can install, with its default version. */
    static final DatabaseFact<Map<String, String>> EXTENSIONS = DatabaseFact.of("the target's available extensions",
            (c, target) -> Collections.unmodifiableMap(Sql.pairs(c,
                    "SELECT name, default_version FROM pg_available_extensions")));
    /** The languages the maintenance database has: the built-in ones and any created there. */
    static final DatabaseFact<Set<String>> LANGUAGES = DatabaseFact.of("the target's languages",
            (c, target) -> Set.copyOf(Sql.strings(c, "SELECT lanname FROM pg_language")));
    /** Every server parameter's context (user, superuser, sighup, postmaster, ...). */
    static final DatabaseFact<Map<String, String>> SETTING_CONTEXTS = DatabaseFact.of("the target's parameters",
            (c, target) -> Collections.unmodifiableMap(Sql.pairs(c, "SELECT name, context FROM pg_settings")));
    /** Whether the target can compress TOAST with lz4. */
    static final DatabaseFact<Boolean> LZ4 = DatabaseFact.of("the target's lz4 support",
            (c, target) -> Sql.bool(c, "SELECT coalesce(bool_or('lz4' = ANY (enumvals)), false) FROM pg_settings"
                    + " WHERE name = 'default_toast_compression'"));

    private TargetOffer() {
    }
}
