package dev.pgmigrate.core.internal;

import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.spi.ServerFacts;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates on the target the roles the selected databases need, before any database: their attributes, password
 * hashes, memberships, settings, comments and security labels. Their settings in a migrated database come with
 * that database's own properties ({@link DatabaseProperties}).
 *
 * <p>"Needed" ({@code roles.scope=needed}, the default) is every role a database depends on, as
 * {@code pg_shdepend} records it (owners of objects and of the database, grantees and grantors in ACLs and
 * default privileges, policy roles), plus roles with settings in it, then every member of those, recursively, and
 * every role any of them is a member of, recursively. {@code roles.scope=all} takes every role that is not
 * built in. Roles that exist on the target are left as they are. Each created role is journaled before the one
 * transaction that creates them all, so rollback drops it.
 */
final class RoleMigration {
    private static final Logger log = LoggerFactory.getLogger(RoleMigration.class);
    /** Roles below this OID are built into the server: the bootstrap superuser and the predefined pg_ roles. */
    private static final long FIRST_NORMAL_OID = 16384;

    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final CancelSignal cancel;

    RoleMigration(MigrationSpec spec, RecordKeeper keeper, Endpoint source, Endpoint target, CancelSignal cancel) {
        this.spec = spec;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.cancel = cancel;
    }

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

    /** What was read from the source: the roles to have on the target, in the order to create them. */
    record Plan(List<SourceRole> roles, List<Membership> memberships, List<RoleSetting> settings,
            Map<String, String> comments, List<RoleLabel> labels, boolean hashesReadable) {
    }

    // ---- reading the source

    Plan read() throws SQLException {
        ServerFacts facts = source.requireFacts();
        boolean all = spec.settings().option("roles.scope").map(String::trim).map(s -> {
            if (!s.equals("all") && !s.equals("needed")) {
                throw new MigrationException("Option roles.scope is '" + s + "'. Use needed (the roles the "
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
            memberships.add(new Membership(m[0], m[1], t(m[2]), Optional.ofNullable(m[3]).map(RoleMigration::t),
                    Optional.ofNullable(m[4]).map(RoleMigration::t)));
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
        Set<String> chosen = all ? new LinkedHashSet<>(roles.keySet()) : needed(roles.keySet(), memberships);
        List<SourceRole> ordered = roles.values().stream().filter(r -> chosen.contains(r.name())).toList();
        List<Membership> kept = memberships.stream()
                .filter(m -> chosen.contains(m.member()) && (chosen.contains(m.role()) || !roles.containsKey(m.role())))
                .toList();
        List<RoleSetting> keptSettings = settings.stream().filter(s -> chosen.contains(s.role())).toList();
        log.info("Roles: {} of the source's {} are {}", ordered.size(), roles.size(),
                all ? "taken (roles.scope=all)" : "needed by the databases");
        comments.keySet().retainAll(chosen);
        List<RoleLabel> keptLabels = labels.stream().filter(l -> chosen.contains(l.role())).toList();
        return new Plan(ordered, kept, keptSettings, comments, keptLabels, hashes);
    }

    /** The roles the databases depend on, their members (recursively), and what all of those belong to. */
    private Set<String> needed(Set<String> userRoles, List<Membership> memberships) throws SQLException {
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

    // ---- creating on the target

    /** Reads the plan and creates what the target lacks, with their comments and security labels. */
    void createRoles() throws SQLException {
        Plan plan = read();
        ServerFacts facts = target.requireFacts();
        if (plan.roles().isEmpty()) {
            return;
        }
        if (!facts.superuser() && !facts.createRole()) {
            keeper.note("Roles were not migrated: " + facts.currentUser() + " has neither SUPERUSER nor CREATEROLE "
                    + "on the target. Needed: " + names(plan.roles()) + ". Create them there, or migrate with a "
                    + "login that may create roles.");
            return;
        }
        Connection c = target.maintenance();
        try {
            // A managed target's profile forbids superusers, whatever the login it lends to the migration may do.
            boolean managed = spec.target().type().isManaged();
            Powers powers = Powers.read(c, facts, managed);
            Set<String> existing = new HashSet<>();
            Sql.rows(c, "SELECT rolname FROM pg_catalog.pg_roles").forEach(r -> existing.add(r[0]));
            List<SourceRole> create = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            List<String> reserved = new ArrayList<>();
            for (SourceRole role : plan.roles()) {
                if (existing.contains(role.name())) {
                    kept.add(role.name());
                } else if (role.name().startsWith("pg_")) {
                    reserved.add(role.name());
                } else {
                    create.add(role);
                }
            }
            Map<String, List<String>> dropped = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            for (SourceRole role : create) {
                keeper.journal(JournalKind.CREATE_ROLE, role.name(), "");
            }
            c.setAutoCommit(false);
            if (!facts.superuser() && facts.atLeast(160000)) {
                // The admin needs SET on a role to give it objects, and INHERIT to grant on them as their owner.
                Sql.execute(c, "SET LOCAL createrole_self_grant = 'set, inherit'");
            }
            for (SourceRole role : create) {
                cancel.check();
                List<String> lost = new ArrayList<>();
                String statement = createStatement(role, powers, lost);
                try {
                    Sql.execute(c, statement);
                } catch (SQLException e) {
                    c.rollback();
                    // The statement may hold a password hash: name the role, never the statement.
                    throw new MigrationException("Cannot create role " + role.name() + " on the target: "
                            + e.getMessage() + " (SQLState " + e.getSQLState() + "). No role was created. Give "
                            + facts.currentUser() + " CREATEROLE, create the role yourself, or set migrateRoles "
                            + "to false.", e);
                }
                if (!facts.superuser() && !facts.atLeast(160000)) {
                    Sql.execute(c, "GRANT " + Sql.ident(role.name()) + " TO " + Sql.ident(facts.currentUser()));
                }
                if (!lost.isEmpty()) {
                    dropped.put(role.name(), lost);
                }
            }
            Set<String> created = create.stream().map(SourceRole::name).collect(Collectors.toSet());
            Set<String> present = new HashSet<>(existing);
            present.addAll(created);
            for (Membership m : plan.memberships()) {
                if ((created.contains(m.role()) || created.contains(m.member())) && present.contains(m.role())
                        && present.contains(m.member())) {
                    tolerate(c, grantStatement(m, facts), "membership of " + m.member() + " in " + m.role(), problems);
                } else if (!present.contains(m.role()) && created.contains(m.member())) {
                    problems.add("membership of " + m.member() + " in " + m.role() + " (no such role on the target)");
                }
            }
            for (RoleSetting s : plan.settings()) {
                if (created.contains(s.role()) && s.database().isEmpty()) {
                    tolerate(c, "ALTER ROLE " + Sql.ident(s.role()) + " SET " + ParameterValues.assignment(
                            s.setting()), "setting " + s.setting() + " of " + s.role(), problems);
                }
            }
            for (SourceRole role : create) {
                String comment = plan.comments().get(role.name());
                if (comment != null) {
                    tolerate(c, "COMMENT ON ROLE " + Sql.ident(role.name()) + " IS " + Sql.literal(comment),
                            "comment of " + role.name(), problems);
                }
            }
            for (RoleLabel label : plan.labels()) {
                if (created.contains(label.role())) {
                    tolerate(c, "SECURITY LABEL FOR " + Sql.ident(label.provider()) + " ON ROLE "
                            + Sql.ident(label.role()) + " IS " + Sql.literal(label.label()), "security label of "
                            + label.role() + " from provider " + label.provider(), problems);
                }
            }
            c.commit();
            noteResults(plan, facts, create, kept, reserved, dropped, problems);
        } finally {
            // On any failure no role is left behind: the unfinished transaction ends here.
            endTransaction(c);
        }
    }

    private static void endTransaction(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // The next use of the maintenance connection rolls back again, or opens a new one if this one broke.
            log.debug("Ending the role transaction failed; the connection is likely broken", e);
        }
    }

    private void tolerate(Connection c, String statement, String what, List<String> problems) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        try {
            Sql.execute(c, statement);
            c.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            if (cancel.isCanceled()) {
                throw e;
            }
            c.rollback(savepoint);
            problems.add(what + " (" + Sql.firstLine(e.getMessage()) + ")");
        }
    }

    private static String createStatement(SourceRole role, Powers powers, List<String> lost) {
        StringBuilder sql = new StringBuilder("CREATE ROLE ").append(Sql.ident(role.name())).append(" WITH");
        sql.append(role.login() ? " LOGIN" : " NOLOGIN").append(role.inherit() ? " INHERIT" : " NOINHERIT");
        sql.append(role.createRole() ? " CREATEROLE" : " NOCREATEROLE");
        attribute(sql, "CREATEDB", role.createDb(), powers.createDb(), lost);
        attribute(sql, "SUPERUSER", role.superuser(), powers.superuser(), lost);
        attribute(sql, "REPLICATION", role.replication(), powers.replication(), lost);
        attribute(sql, "BYPASSRLS", role.bypassRls(), powers.bypassRls(), lost);
        if (role.connectionLimit() >= 0) {
            sql.append(" CONNECTION LIMIT ").append(role.connectionLimit());
        }
        role.validUntil().ifPresent(v -> sql.append(" VALID UNTIL ").append(Sql.literal(v)));
        role.password().ifPresent(p -> sql.append(" PASSWORD ").append(Sql.literal(p.reveal())));
        return sql.toString();
    }

    private static void attribute(StringBuilder sql, String name, boolean wanted, boolean grantable,
            List<String> lost) {
        if (wanted && !grantable) {
            lost.add(name);
        }
        sql.append(wanted && grantable ? " " : " NO").append(name);
    }

    private static String grantStatement(Membership m, ServerFacts target) {
        StringBuilder sql = new StringBuilder("GRANT ").append(Sql.ident(m.role())).append(" TO ")
                .append(Sql.ident(m.member()));
        if (target.atLeast(160000) && m.inherit().isPresent()) {
            sql.append(" WITH ADMIN ").append(m.admin()).append(", INHERIT ").append(m.inherit().get())
                    .append(", SET ").append(m.set().orElse(true));
        } else if (m.admin()) {
            sql.append(" WITH ADMIN OPTION");
        }
        return sql.toString();
    }

    private void noteResults(Plan plan, ServerFacts facts, List<SourceRole> created, List<String> kept,
            List<String> reserved, Map<String, List<String>> dropped, List<String> problems) {
        if (!created.isEmpty()) {
            keeper.note("Created " + created.size() + " role(s) on the target: " + names(created) + "."
                    + (facts.superuser() ? "" : " " + facts.currentUser() + " was made a member of each, so it "
                            + "could give them their objects."));
        }
        if (!kept.isEmpty()) {
            keeper.note("Left as they are, because they already exist on the target (" + kept.size() + "): "
                    + String.join(", ", kept) + ". Their attributes, passwords, memberships and settings were not "
                    + "changed; compare them with the source's.");
        }
        if (!reserved.isEmpty()) {
            keeper.note("Not created, because names starting with pg_ are reserved on the target: "
                    + String.join(", ", reserved) + ". Rename them on the source, or create them under new names.");
        }
        if (!dropped.isEmpty()) {
            keeper.note("Created without attributes " + (spec.target().type().isManaged() ? "the target's profile ("
                    + spec.target().type().label() + ", a managed service: no role may be a superuser) or "
                    + facts.currentUser() + " cannot grant: " : facts.currentUser() + " cannot grant on the target: ")
                    + dropped.entrySet().stream().map(e -> e.getKey() + " (" + String.join(", ", e.getValue()) + ")")
                            .collect(Collectors.joining(", "))
                    + ". Grant them as the target's superuser, or through the service's own roles, if they are needed.");
        }
        List<SourceRole> withoutPassword = created.stream().filter(SourceRole::login).toList();
        if (!plan.hashesReadable() && !withoutPassword.isEmpty()) {
            keeper.note("Login roles were created without a password, because " + source.spec().adminLogin()
                    + " cannot read password hashes on the source (pg_authid; a managed service hides them). Set "
                    + "each one on the target: " + withoutPassword.stream()
                            .map(r -> "ALTER ROLE " + Sql.ident(r.name()) + " PASSWORD '...';")
                            .collect(Collectors.joining(" ")));
        }
        if (!problems.isEmpty()) {
            keeper.note("Not applied to migrated roles on the target: " + String.join("; ", problems) + ".");
        }
    }

    private static String names(List<SourceRole> roles) {
        return roles.stream().map(SourceRole::name).collect(Collectors.joining(", "));
    }

    private static boolean t(String value) {
        return "t".equals(value);
    }

    /** Which attributes the target login may give a new role. */
    private record Powers(boolean superuser, boolean createDb, boolean replication, boolean bypassRls) {
        static Powers read(Connection c, ServerFacts facts, boolean managed) throws SQLException {
            if (facts.superuser()) {
                return new Powers(!managed, true, true, true);
            }
            String[] own = Sql.rows(c, "SELECT rolcreatedb, rolreplication, rolbypassrls FROM pg_catalog.pg_roles "
                    + "WHERE rolname = current_user").get(0);
            // Before 16 CREATEROLE may grant CREATEDB but not REPLICATION or BYPASSRLS; from 16, what it has.
            boolean since16 = facts.atLeast(160000);
            return new Powers(false, !since16 || t(own[0]), since16 && t(own[1]), since16 && t(own[2]));
        }
    }
}
