package dev.pgmigrate.core.internal.schema;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the target's roles allow of a dump's ownership and privilege statements: a change of owner to a role the
 * target lacks or its login cannot act as, a grant to a role the target lacks, and default privileges naming such
 * a role or one the login cannot act as, are left out and remembered, for one note per role at the end. Grants are
 * made by their source grantors ({@link Grantors}). Shared by the workers of one database.
 */
public final class RoleFilter {
    private static final Pattern OWNER_TO = Pattern.compile("(?s)^ALTER .* OWNER TO (.+)$");
    /** A role as pg_dump writes it: quoted (and may then hold spaces, quotes and " TO "), or one plain word. */
    private static final String ROLE = "(\"(?:[^\"]|\"\")+\"|[^\\s\"]+)";
    private static final Pattern GRANTEE = Pattern.compile("(?s)^(?:GRANT|REVOKE) .* (?:TO|FROM) " + ROLE
            + "(?: WITH GRANT OPTION)?$");
    private static final Pattern DEFAULT_PRIVILEGES_ROLE = Pattern.compile("(?s)^ALTER DEFAULT PRIVILEGES FOR ROLE "
            + ROLE + " .*");
    private static final Pattern DEFAULT_PRIVILEGES_GRANTEE = Pattern.compile("(?s)^ALTER DEFAULT PRIVILEGES .* "
            + "(?:TO|FROM) " + ROLE + "(?: WITH GRANT OPTION)?$");
    private static final Pattern ROLE_IN_DATABASE = Pattern.compile("(?s)^ALTER ROLE " + ROLE + " IN DATABASE .*");

    private final Set<String> roles;
    /** Roles the target login may hand ownership to (itself, roles it is a member of, any as superuser). */
    private final Set<String> ownable;
    private final boolean superuser;
    private final Grantors grantors;
    /** Default privileges of roles the target has but its login cannot act as, by role: not set. */
    private final Map<String, List<String>> defaultsNotSet = new ConcurrentHashMap<>();
    private final Map<String, List<String>> remappedOwners = new ConcurrentHashMap<>();
    private final Map<String, List<String>> ungranted = new ConcurrentHashMap<>();
    /** Grants a role made through its grant option that the admin made instead, by grantor. */
    private final Map<String, List<String>> grantorsChanged = new ConcurrentHashMap<>();
    /** SECURITY DEFINER routines left to the admin, which would run with its rights: their EXECUTE is revoked. */
    private final List<String> definersRevoked = java.util.Collections.synchronizedList(new ArrayList<>());
    private static final Pattern PUBLIC_SCHEMA_OWNER = Pattern.compile("(?s)^ALTER SCHEMA \"public\" OWNER TO .+$");
    private static final Pattern ROUTINE_OWNER = Pattern.compile("(?s)^ALTER (FUNCTION|PROCEDURE) (.+) OWNER TO .+$");
    private static final Pattern ROUTINE_GRANT = Pattern.compile("(?s)^GRANT .* ON (?:FUNCTION|PROCEDURE) (.+) TO .+$");
    /** GRANT and REVOKE statements the server answered with a warning instead of carrying them out. */
    private final List<String> notApplied = Collections.synchronizedList(new ArrayList<>());
    /** The object a privilege warning names: {@code for "name"} or {@code for column "c" of relation "name"}. */
    private static final Pattern WARNED_OBJECT = Pattern.compile("\"([^\"]*)\"\\s*$");
    /** Those routines' names as pg_dump writes them, whose grants are not made either. */
    private final Set<String> revokedRoutines = ConcurrentHashMap.newKeySet();

    private RoleFilter(Set<String> roles, Set<String> ownable, boolean superuser, String admin) {
        this.roles = roles;
        this.ownable = ownable;
        this.superuser = superuser;
        this.grantors = new Grantors(roles, ownable, superuser, admin);
    }

    /** The target's roles as they are now; roles are shared by every database of the server. */
    public static RoleFilter read(Connection target) throws SQLException {
        Set<String> roles = new HashSet<>();
        Set<String> ownable = new HashSet<>();
        String[] admin = Sql.rows(target, "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
                .get(0);
        boolean superuser = "t".equals(admin[1]);
        // From 16 giving a role an object, or acting as it, takes the SET option of the membership.
        for (String[] r : Sql.rows(target, "SELECT rolname, CASE WHEN current_setting('server_version_num')::int "
                + ">= 160000 THEN pg_has_role(current_user, oid, 'SET') ELSE pg_has_role(current_user, oid, 'MEMBER') "
                + "END FROM pg_roles")) {
            roles.add(r[0]);
            if (superuser || "t".equals(r[1])) {
                ownable.add(r[0]);
            }
        }
        roles.add("PUBLIC");
        return new RoleFilter(Set.copyOf(roles), Set.copyOf(ownable), superuser, admin[0]);
    }

    boolean exists(String role) {
        return roles.contains(role);
    }

    /** Who makes the grants of an ACL entry: the database's own are made with these too. */
    public Grantors grantors() {
        return grantors;
    }

    /** The entry's statements that the target can carry out as they are. */
    List<String> filter(Entry entry) {
        List<String> kept = new ArrayList<>();
        String what = entry.type() + " " + entry.tag() + (entry.type().equals("DEFAULT ACL")
                && !entry.schema().equals("-") ? " in schema " + entry.schema() : "");
        boolean acl = entry.type().equals("ACL");
        List<Grantors.Step> steps = acl || Grantors.switchesGrantor(entry)
                ? grantors.steps(entry, acl ? grantors.ownerOf(entry) : Optional.empty())
                : entry.statements().stream().map(st -> new Grantors.Step(st, false, Optional.empty())).toList();
        boolean granted = false;
        for (Grantors.Step step : steps) {
            String statement = step.statement();
            if (step.isSwitch()) {
                kept.add(statement);
                continue;
            }
            Matcher owner = OWNER_TO.matcher(statement);
            if (owner.matches()) {
                String role = unquote(owner.group(1).trim());
                if (ownable.contains(role)) {
                    kept.add(statement);
                    grantors.ownerKept(statement);
                } else {
                    remember(remappedOwners, role, what);
                    if (PUBLIC_SCHEMA_OWNER.matcher(statement).matches() && !role.equals("pg_database_owner")) {
                        // The one object the dump finds on the target, owned from 15 by pg_database_owner: left so,
                        // the database's owner would own it, where on the source it may not even create in it.
                        kept.add("ALTER SCHEMA \"public\" OWNER TO CURRENT_USER");
                    }
                    Matcher routine = ROUTINE_OWNER.matcher(statement);
                    if (routine.matches() && securityDefiner(entry)) {
                        // Owned by the admin it would run as the admin, for every caller: narrowed to none instead.
                        kept.add("REVOKE EXECUTE ON " + routine.group(1) + " " + routine.group(2) + " FROM PUBLIC;");
                        definersRevoked.add(what + " (owner " + role + ")");
                        revokedRoutines.add(routine.group(2).trim());
                    }
                }
                continue;
            }
            Matcher grant = ROUTINE_GRANT.matcher(statement);
            if (grant.matches() && revokedRoutines.stream().anyMatch(r -> grant.group(1).startsWith(r + " TO ")
                    || grant.group(1).equals(r))) {
                continue; // a grantee would run it with the admin's rights; the warning names the routine
            }
            Optional<String> missing = missingRole(statement);
            Optional<String> forRole = defaultsOfRoleNotActedAs(statement);
            if (missing.isPresent()) {
                remember(ungranted, missing.get(), what);
            } else if (forRole.isPresent()) {
                remember(defaultsNotSet, forRole.get(), Sql.shown(statement));
            } else {
                kept.add(statement);
                granted = true;
                step.lostGrantor().ifPresent(role -> remember(grantorsChanged, role, what));
            }
        }
        return acl && !granted ? List.of() : kept;
    }

    /**
     * The role of an {@code ALTER DEFAULT PRIVILEGES FOR ROLE} that the target has but its login may not act as
     * (16 and later: SET on the role; before: membership), which the server refuses.
     */
    private Optional<String> defaultsOfRoleNotActedAs(String statement) {
        Matcher m = DEFAULT_PRIVILEGES_ROLE.matcher(statement);
        if (!m.matches() || superuser) {
            return Optional.empty();
        }
        String role = unquote(m.group(1).trim());
        return ownable.contains(role) ? Optional.empty() : Optional.of(role);
    }

    private static boolean securityDefiner(Entry entry) {
        return entry.statements().stream().anyMatch(st -> (st.startsWith("CREATE FUNCTION")
                || st.startsWith("CREATE PROCEDURE")) && st.contains("SECURITY DEFINER"));
    }

    static boolean isOwnerChange(String statement) {
        return OWNER_TO.matcher(statement).matches();
    }

    /** The role a grant, a default privilege or a role's setting names, when the target lacks it. */
    public Optional<String> missingRole(String statement) {
        for (Pattern p : List.of(GRANTEE, DEFAULT_PRIVILEGES_ROLE, DEFAULT_PRIVILEGES_GRANTEE, ROLE_IN_DATABASE)) {
            Matcher m = p.matcher(statement);
            if (m.matches() && !roles.contains(unquote(m.group(1).trim()))) {
                return Optional.of(unquote(m.group(1).trim()));
            }
        }
        return Optional.empty();
    }

    /**
     * Remembers the {@code GRANT} and {@code REVOKE} statements of {@code entries} that the server did not carry out:
     * it only warns (SQLState 01006, 01007) when the login neither owns the object nor holds the grant option. The
     * dump's objects are the admin's or its roles', so that happens on objects the target had before: an
     * extension's, owned by the bootstrap superuser when a trusted extension is created, and the public schema.
     */
    void privilegeWarnings(List<Entry> entries, List<SQLWarning> warnings) {
        for (SQLWarning w : warnings) {
            if (!"01006".equals(w.getSQLState()) && !"01007".equals(w.getSQLState())) {
                continue;
            }
            Matcher m = WARNED_OBJECT.matcher(Sql.firstLine(w.getMessage()));
            String object = m.find() ? m.group(1) : "";
            // A batch's warnings do not say which statement: the ACL entry about the object named is the one.
            Optional<Entry> acl = entries.stream().filter(e -> (e.type().equals("ACL")
                    && e.tag().contains(" \"" + object + "\"")) || (e.type().equals("SCHEMA") && e.tag().equals(object)))
                    .findFirst();
            notApplied.add(acl.map(e -> e.type() + " " + e.tag() + " (" + String.join("; ", e.statements().stream()
                    .filter(st -> st.startsWith("GRANT ") || st.startsWith("REVOKE ")).map(Sql::shown).toList())
                    + ")").orElse(Sql.firstLine(w.getMessage())));
        }
    }

    /** Remembers that {@code what} was not granted to {@code role}, for the note. */
    void notGranted(String role, String what) {
        remember(ungranted, role, what);
    }

    private static void remember(Map<String, List<String>> map, String role, String what) {
        map.computeIfAbsent(role, k -> Collections.synchronizedList(new ArrayList<>())).add(what);
    }

    /** One note per role whose objects changed owner or whose privileges were left out. */
    public void note(RecordKeeper keeper, String database, String admin) {
        remappedOwners.forEach((role, objects) -> keeper.note(MessageCode.OWNER_REMAPPED,
                "In database " + database + ", " + objects.size()
                + " object(s) are owned by " + admin + " instead of " + role + (roles.contains(role)
                        ? " (the target login cannot act as " + role + ")" : " (no such role on the target)")
                + ": " + sample(objects) + ". Migrate roles, or grant " + role + " to " + admin + ", to keep owners."));
        if (!definersRevoked.isEmpty()) {
            keeper.note(MessageCode.OWNER_REMAPPED, "Warning: in database " + database + ", " + definersRevoked.size()
                    + " SECURITY DEFINER routine(s) could not keep their owner and would run with the rights of "
                    + admin + " for whoever calls them: " + sample(definersRevoked) + ". EXECUTE on them was "
                    + "revoked from PUBLIC and the source's grants on them were not made, so only " + admin + " may "
                    + "call them. Give each its owner (migrate roles, or ALTER FUNCTION ... OWNER TO), then GRANT "
                    + "EXECUTE as on the source.");
        }
        grantorsChanged.forEach((role, objects) -> noteGrantorChanged(keeper, database, admin, role, objects));
        defaultsNotSet.forEach((role, statements) -> keeper.note(MessageCode.DEFAULT_PRIVILEGES_NOT_SET,
                "Warning: in database " + database + ", the default privileges the source sets for " + role
                + " were not set, as " + admin + " cannot act as " + role + " on the target: " + sample(statements)
                + ". Until " + role + " or a superuser runs them there, what " + role + " creates gets PostgreSQL's "
                + "defaults instead of the source's (a REVOKE left out leaves EXECUTE on new functions to PUBLIC)."));
        if (!notApplied.isEmpty()) {
            List<String> distinct;
            synchronized (notApplied) {
                distinct = new ArrayList<>(new java.util.LinkedHashSet<>(notApplied));
            }
            keeper.note(MessageCode.PRIVILEGES_NOT_APPLIED, "Warning: in database " + database + ", the target did "
                    + "not carry out the source's privileges on " + distinct.size() + " object(s) that " + admin
                    + " does not own, which were there before the restore (an extension's, owned by the bootstrap "
                    + "superuser, or the public schema): " + sample(distinct) + ". A privilege the source revokes is "
                    + "still held there, one it grants is not: have the objects' owner or a superuser on the target "
                    + "run those statements.");
        }
        ungranted.forEach((role, objects) -> keeper.note(MessageCode.PRIVILEGES_NOT_GRANTED,
                "In database " + database + ", privileges of role " + role
                + " on " + objects.size() + " object(s) were not granted: the role does not exist on the target: "
                + sample(objects) + "."));
    }

    /** The note that {@code role}'s grants through its grant option on {@code objects} were made by their owner. */
    public void noteGrantorChanged(RecordKeeper keeper, String database, String admin, String role,
            List<String> objects) {
        keeper.note(MessageCode.GRANTOR_CHANGED, "In database " + database + ", privileges that " + role
                + " granted through its grant option on " + objects.size() + " object(s) were granted by their owner "
                + "instead, " + (roles.contains(role) ? "as " + admin + " cannot act as " + role
                        : "as there is no such role on the target") + ": " + sample(objects) + ". Their grantees "
                + "have them as on the source; to have revoking " + role + "'s grant option take them away too, grant "
                + "them again as " + role + ".");
    }

    private static String sample(List<String> objects) {
        List<String> copy;
        synchronized (objects) {
            copy = new ArrayList<>(objects);
        }
        return copy.size() <= 5 ? String.join(", ", copy)
                : String.join(", ", copy.subList(0, 5)) + " and " + (copy.size() - 5) + " more";
    }

    static String unquote(String identifier) {
        if (identifier.length() >= 2 && identifier.startsWith("\"") && identifier.endsWith("\"")) {
            return identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"");
        }
        return identifier;
    }
}
