package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The source roles the migration takes, chosen as the option {@code roles.scope} says; those the target has
 * already are then kept as they are, not created. {@code needed}, the default: every user role a selected database
 * depends on ({@code pg_shdepend}, the database's owner, roles with settings in it), then their members,
 * recursively, and every role any of those is a member of, recursively. {@code all}: every role not built in.
 *
 * <p>This repeats core's {@code RolePlan} ({@code read} and {@code needed}) in migration-core's
 * {@code server} package, which the validators cannot use: change the two together.
 *
 * @param names the roles' names
 * @param all whether {@code roles.scope} is {@code all}
 */
record MigratedRoles(Set<String> names, boolean all) {
    /** The roles one database depends on, as core reads them; built-in roles included, left out later. */
    static final DatabaseFact<Set<String>> DEPENDED_ON = DatabaseFact.of("roles the database depends on",
            (connection, source) -> Set.copyOf(Sql.strings(connection, "WITH d AS (SELECT oid, datdba FROM "
                    + "pg_catalog.pg_database WHERE datname = current_database()) "
                    + "SELECT r.rolname FROM pg_catalog.pg_shdepend s JOIN pg_catalog.pg_roles r ON r.oid = s.refobjid"
                    + ", d WHERE s.refclassid = 'pg_catalog.pg_authid'::regclass AND (s.dbid = d.oid OR (s.dbid = 0 "
                    + "AND s.classid = 'pg_catalog.pg_database'::regclass AND s.objid = d.oid)) "
                    + "UNION SELECT r.rolname FROM d JOIN pg_catalog.pg_roles r ON r.oid = d.datdba "
                    + "UNION SELECT r.rolname FROM pg_catalog.pg_db_role_setting s JOIN d ON d.oid = s.setdatabase "
                    + "JOIN pg_catalog.pg_roles r ON r.oid = s.setrole")));

    MigratedRoles {
        names = Set.copyOf(names);
    }

    /**
     * The roles the spec's migration would take from the source, read on {@code source}, a connection to the
     * source; selected databases the source cannot reach add none ({@code source-database} reports them). The
     * engine rejects a {@code roles.scope} other than {@code needed} and {@code all} when the migration starts.
     */
    static MigratedRoles of(ValidationContext context, Connection source) throws SQLException {
        boolean all = context.spec().settings().option("roles.scope").map(String::trim).filter("all"::equals)
                .isPresent();
        Set<String> userRoles = new LinkedHashSet<>(Sql.strings(source, "SELECT rolname FROM pg_catalog.pg_roles "
                + "WHERE oid >= " + Sql.FIRST_USER_OID));
        if (all) {
            return new MigratedRoles(userRoles, true);
        }
        Set<String> direct = new TreeSet<>();
        for (Set<String> roles : InstanceValidator.perSelectedDatabase(context, DEPENDED_ON).values()) {
            direct.addAll(roles);
        }
        direct.retainAll(userRoles);
        Map<String, List<String>> members = new HashMap<>();
        Map<String, List<String>> memberOf = new HashMap<>();
        for (String[] m : Sql.list(source, "SELECT r.rolname, m.rolname FROM pg_catalog.pg_auth_members a "
                + "JOIN pg_catalog.pg_roles r ON r.oid = a.roleid JOIN pg_catalog.pg_roles m ON m.oid = a.member "
                + "WHERE a.member >= " + Sql.FIRST_USER_OID, rs -> new String[] {rs.getString(1), rs.getString(2)})) {
            members.computeIfAbsent(m[0], k -> new ArrayList<>()).add(m[1]);
            memberOf.computeIfAbsent(m[1], k -> new ArrayList<>()).add(m[0]);
        }
        Set<String> needed = closure(closure(direct, members), memberOf);
        needed.retainAll(userRoles);
        return new MigratedRoles(needed, false);
    }

    boolean contains(String role) {
        return names.contains(role);
    }

    /** Which roles these are, after "role" in a finding: {@code "the databases need"}, or all of the source's. */
    String which() {
        return all ? "of the source (roles.scope=all)" : "the databases need";
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
}
