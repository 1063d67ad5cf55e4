package dev.pgmigrate.core.internal.server;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What was read from the source: the roles to have on the target, in the order to create them, with their
 * memberships, settings, comments and security labels.
 *
 * <p>"Needed" ({@code roles.scope=needed}, the default) is every role a database depends on, as
 * {@code pg_shdepend} records it (owners of objects and of the database, grantees and grantors in ACLs and
 * default privileges, policy roles), plus roles with settings in it, then every member of those, recursively, and
 * every role any of them is a member of, recursively. {@code roles.scope=all} takes every role that is not
 * built in. The validators' {@code MigratedRoles} (migration-validators) repeats this choice for the role checks:
 * change the two together.
 */
public record RolePlan(List<SourceRole> roles, List<Membership> memberships, List<RoleSetting> settings,
        Map<String, String> comments, List<RoleLabel> labels, boolean hashesReadable) {
    private static final Logger log = LoggerFactory.getLogger(RolePlan.class);
    /** Roles below this OID are built into the server: the bootstrap superuser and the predefined pg_ roles. */
    private static final long FIRST_NORMAL_OID = 16384;

    /** A source role; {@code password} is its hash, when the source login may read {@code pg_authid}. */
    record SourceRole(String name, boolean superuser, boolean inherit, boolean createRole, boolean createDb,
            boolean login, boolean replication, boolean bypassRls, int connectionLimit, Optional<String> validUntil,
            Optional<Secret> password) {
    }

    /** {@code member} is a member of {@code role}; {@code inherit} and {@code set} are known from PostgreSQL 16. */
    record Membership(String role, String member, boolean admin, Optional<Boolean> inherit, Optional<Boolean> set) {
    }

    /** One {@code name=value} of a role, in every database or in {@code database} only. */
    record RoleSetting(String role, Optional<String> database, String setting) {
    }

    /** A role's security label, from one label provider. */
    record RoleLabel(String role, String provider, String label) {
    }

    /** Reads the source's roles and chooses those to have on the target, as {@code roles.scope} says. */
    static RolePlan read(MigrationSpec spec, Endpoint source, CancelSignal cancel) throws SQLException {
        ServerFacts facts = source.requireFacts();
        boolean all = spec.settings().option("roles.scope").map(String::trim).map(s -> {
            if (!s.equals("all") && !s.equals("needed")) {
                throw new MigrationException(MessageCode.SPEC_INVALID,
                        "Option roles.scope is '" + s + "'. Use needed (the roles the "
                        + "databases depend on, the default) or all (every role that is not built in).");
            }
            return s.equals("all");
        }).orElse(false);
        Map<String, SourceRole> roles = new LinkedHashMap<>();
        List<Membership> memberships = new ArrayList<>();
        List<RoleSetting> settings = new ArrayList<>();
        boolean hashes;
        Connection c = source.maintenance();
        hashes = "t".equals(Sql.one(c, "SELECT has_table_privilege('pg_catalog.pg_authid', 'SELECT')"));
        String catalog = hashes ? "pg_catalog.pg_authid" : "pg_catalog.pg_roles";
        for (String[] r : Sql.rows(c, "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, "
                + "rolcanlogin, rolreplication, " + (facts.atLeast(90500) ? "rolbypassrls" : "false")
                + ", rolconnlimit, rolvaliduntil::text, " + (hashes ? "rolpassword" : "NULL") + " FROM " + catalog
                + " WHERE oid >= " + FIRST_NORMAL_OID + " ORDER BY rolname")) {
            roles.put(r[0], new SourceRole(r[0], t(r[1]), t(r[2]), t(r[3]), t(r[4]), t(r[5]), t(r[6]), t(r[7]),
                    Integer.parseInt(r[8]), Optional.ofNullable(r[9]), Optional.ofNullable(r[10]).map(Secret::of)));
        }
        String options = facts.atLeast(160000) ? "bool_or(a.inherit_option), bool_or(a.set_option)" : "NULL, NULL";
        // From 16 a membership may be granted by several grantors: one row per pair, the widest options.
        for (String[] m : Sql.rows(c, "SELECT r.rolname, m.rolname, bool_or(a.admin_option), " + options
                + " FROM pg_catalog.pg_auth_members a JOIN pg_catalog.pg_roles r ON r.oid = a.roleid "
                + "JOIN pg_catalog.pg_roles m ON m.oid = a.member WHERE a.member >= " + FIRST_NORMAL_OID
                + " GROUP BY 1, 2 ORDER BY 1, 2")) {
            memberships.add(new Membership(m[0], m[1], t(m[2]), Optional.ofNullable(m[3]).map(RolePlan::t),
                    Optional.ofNullable(m[4]).map(RolePlan::t)));
        }
        for (String[] s : Sql.rows(c, "SELECT r.rolname, d.datname, unnest(s.setconfig) "
                + "FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole "
                + "LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase WHERE s.setrole <> 0 "
                + "ORDER BY 1, 2")) {
            boolean everywhere = s[1] == null;
            if (everywhere || spec.databases().contains(s[1])) {
                settings.add(new RoleSetting(s[0], Optional.ofNullable(s[1]), s[2]));
            }
        }
        Map<String, String> comments = new LinkedHashMap<>();
        for (String[] r : Sql.rows(c, "SELECT rolname, pg_catalog.shobj_description(oid, 'pg_authid') FROM "
                + "pg_catalog.pg_roles WHERE oid >= " + FIRST_NORMAL_OID + " AND pg_catalog.shobj_description(oid, "
                + "'pg_authid') IS NOT NULL")) {
            comments.put(r[0], r[1]);
        }
        List<RoleLabel> labels = new ArrayList<>();
        for (String[] r : Sql.rows(c, "SELECT r.rolname, l.provider, l.label FROM pg_catalog.pg_shseclabel l "
                + "JOIN pg_catalog.pg_roles r ON r.oid = l.objoid WHERE l.classoid = 'pg_catalog.pg_authid'::regclass "
                + "ORDER BY 1, 2")) {
            labels.add(new RoleLabel(r[0], r[1], r[2]));
        }
        Set<String> chosen = all ? new LinkedHashSet<>(roles.keySet())
                : needed(spec, source, cancel, roles.keySet(), memberships);
        List<SourceRole> ordered = roles.values().stream().filter(r -> chosen.contains(r.name())).toList();
        List<Membership> kept = memberships.stream()
                .filter(m -> chosen.contains(m.member()) && (chosen.contains(m.role()) || !roles.containsKey(m.role())))
                .toList();
        List<RoleSetting> keptSettings = settings.stream().filter(s -> chosen.contains(s.role())).toList();
        log.info("Roles: {} of the source's {} are {}", ordered.size(), roles.size(),
                all ? "taken (roles.scope=all)" : "needed by the databases");
        comments.keySet().retainAll(chosen);
        List<RoleLabel> keptLabels = labels.stream().filter(l -> chosen.contains(l.role())).toList();
        return new RolePlan(ordered, kept, keptSettings, comments, keptLabels, hashes);
    }

    /** The roles the databases depend on, their members (recursively), and what all of those belong to. */
    private static Set<String> needed(MigrationSpec spec, Endpoint source, CancelSignal cancel, Set<String> userRoles,
            List<Membership> memberships) throws SQLException {
        Set<String> direct = new TreeSet<>();
        for (String database : spec.databases()) {
            cancel.check();
            try (Connection c = source.connector().openReadOnly(database)) {
                // The database's own row lives in pg_shdepend with dbid 0; its objects' rows with its oid.
                for (String[] r : Sql.rows(c, "WITH d AS (SELECT oid, datdba FROM pg_catalog.pg_database "
                        + "WHERE datname = current_database()) "
                        + "SELECT r.rolname FROM pg_catalog.pg_shdepend s JOIN pg_catalog.pg_roles r ON r.oid = s.refobjid"
                        + ", d WHERE s.refclassid = 'pg_catalog.pg_authid'::regclass AND (s.dbid = d.oid OR (s.dbid = 0 "
                        + "AND s.classid = 'pg_catalog.pg_database'::regclass AND s.objid = d.oid)) "
                        + "UNION SELECT r.rolname FROM d JOIN pg_catalog.pg_roles r ON r.oid = d.datdba "
                        + "UNION SELECT r.rolname FROM pg_catalog.pg_db_role_setting s JOIN d ON d.oid = s.setdatabase "
                        + "JOIN pg_catalog.pg_roles r ON r.oid = s.setrole")) {
                    direct.add(r[0]);
                }
            }
        }
        direct.retainAll(userRoles);
        Map<String, List<String>> members = new LinkedHashMap<>();
        Map<String, List<String>> memberOf = new LinkedHashMap<>();
        for (Membership m : memberships) {
            members.computeIfAbsent(m.role(), k -> new ArrayList<>()).add(m.member());
            memberOf.computeIfAbsent(m.member(), k -> new ArrayList<>()).add(m.role());
        }
        Set<String> withMembers = closure(direct, members);
        Set<String> result = closure(withMembers, memberOf);
        result.retainAll(userRoles);
        return result;
    }

    private static Set<String> closure(Set<String> start, Map<String, List<String>> edges) {
        Set<String> seen = new LinkedHashSet<>(start);
        Deque<String> todo = new ArrayDeque<>(start);
        while (!todo.isEmpty()) {
            for (String next : edges.getOrDefault(todo.pop(), List.of())) {
                if (seen.add(next)) {
                    todo.push(next);
                }
            }
        }
        return seen;
    }

    private static boolean t(String value) {
        return "t".equals(value);
    }
}
