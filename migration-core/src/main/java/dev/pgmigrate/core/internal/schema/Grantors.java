package dev.pgmigrate.core.internal.schema;

import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The grantors of an ACL entry's grants kept as on the source. pg_dump writes the owner's grants as they are, and
 * those of a holder of the grant option between {@code SET SESSION AUTHORIZATION} and {@code RESET SESSION
 * AUTHORIZATION}, which only a superuser may run. A superuser's grant counts as the owner's; an admin that is no
 * superuser grants through the first of its roles that holds the grant option (the oldest), which may be a holder
 * rather than the owner: revoking that holder's grant option would then take the grant away on the target only.
 * So on such a target the owner's grants are made as the owner, and a holder's as the holder ({@code SET ROLE}),
 * where the admin may act as them. A holder the target lacks, or that the admin cannot act as, has its grants made
 * by the owner, as {@code pg_dump | psql} does, and is named for the note.
 */
public final class Grantors {
    /** pg_dump's switch to the grantor of the grants that follow, when it is not the object's owner. */
    private static final Pattern SET_GRANTOR = Pattern.compile("(?s)^SET SESSION AUTHORIZATION "
            + "(\"(?:[^\"]|\"\")+\"|[^\\s\"]+)$");
    private static final String RESET_GRANTOR = "RESET SESSION AUTHORIZATION";
    /** An owner change, the object named as the dump names it in a GRANT ({@code "public"."t"}). */
    private static final Pattern OWNED_OBJECT = Pattern.compile("(?s)^ALTER (?:[A-Z]+ )+((?:\"|[0-9]).*) OWNER TO "
            + "(?:\"(?:[^\"]|\"\")+\"|[^\\s\"]+)$");
    private static final Pattern GRANT = Pattern.compile("(?s)^(?:GRANT|REVOKE) .* (TO|FROM) "
            + "(?:\"(?:[^\"]|\"\")+\"|[^\\s\"]+)(?: WITH GRANT OPTION)?$");

    /** One statement to run: a grant, or a switch of the session's role; {@code lostGrantor} stood in for. */
    public record Step(String statement, boolean isSwitch, Optional<String> lostGrantor) {
    }

    private final Set<String> roles;
    private final Set<String> ownable;
    private final boolean superuser;
    private final String admin;
    /** Objects of the dump given to an owner other than the admin, as a GRANT names them. */
    private final Set<String> givenToOwner = ConcurrentHashMap.newKeySet();

    Grantors(Set<String> roles, Set<String> ownable, boolean superuser, String admin) {
        this.roles = roles;
        this.ownable = ownable;
        this.superuser = superuser;
        this.admin = admin;
    }

    /** Remembers the object of an owner change the target carries out, whose grants are then made as its owner. */
    void ownerKept(String ownerStatement) {
        Matcher m = OWNED_OBJECT.matcher(ownerStatement);
        if (m.matches()) {
            givenToOwner.add(m.group(1));
        }
    }

    /**
     * The role to act as for the owner's grants of a schema object's ACL entry: its owner, when the target's
     * admin is no superuser and the dump gave it the object. An object the dump did not create (an extension's,
     * the public schema) may have another owner on the target, and keeps the admin's session.
     */
    Optional<String> ownerOf(Entry acl) {
        Optional<String> owner = actingAs(acl.owner());
        if (owner.isEmpty()) {
            return owner;
        }
        return acl.statements().stream().map(Grantors::grantedObject).flatMap(Optional::stream).findFirst()
                .filter(givenToOwner::contains).flatMap(o -> owner);
    }

    /** {@code owner}, when the admin is no superuser and may act as it; empty when its own session will do. */
    public Optional<String> actingAs(String owner) {
        boolean own = superuser || owner.isEmpty() || owner.equals(admin);
        return own || owner.startsWith("pg_") || !ownable.contains(owner) ? Optional.empty() : Optional.of(owner);
    }

    /**
     * The statements of an ACL entry with pg_dump's grantor switches made into what the admin may run; the
     * owner's grants made as {@code owner} when present ({@link #ownerOf}, {@link #actingAs}).
     */
    public List<Step> steps(Entry acl, Optional<String> owner) {
        List<Step> steps = new ArrayList<>();
        owner.ifPresent(o -> steps.add(role(o)));
        Optional<String> lost = Optional.empty();
        boolean asHolder = false;
        for (String statement : acl.statements()) {
            Matcher grantor = SET_GRANTOR.matcher(statement);
            if (grantor.matches()) {
                String role = RoleFilter.unquote(grantor.group(1).trim());
                if (!roles.contains(role) || !ownable.contains(role)) {
                    lost = Optional.of(role); // pg_dump | psql makes these as the restoring login: so do we
                } else if (superuser) {
                    steps.add(new Step(statement, true, Optional.empty()));
                } else {
                    // Only a superuser may switch the session's user; acting as the role gives the same grantor.
                    steps.add(role(role));
                    asHolder = true;
                }
            } else if (statement.equals(RESET_GRANTOR)) {
                if (asHolder) {
                    steps.add(owner.map(Grantors::role).orElse(new Step("RESET ROLE", true, Optional.empty())));
                } else if (lost.isEmpty()) {
                    steps.add(new Step(statement, true, Optional.empty()));
                }
                lost = Optional.empty();
                asHolder = false;
            } else {
                steps.add(new Step(statement, false, lost));
            }
        }
        owner.ifPresent(o -> steps.add(new Step("RESET ROLE", true, Optional.empty())));
        return steps;
    }

    /** Whether {@code entry} holds grants pg_dump makes as another role than the object's owner. */
    static boolean switchesGrantor(Entry entry) {
        return entry.statements().stream().anyMatch(st -> SET_GRANTOR.matcher(st).matches());
    }

    private static Step role(String role) {
        return new Step("SET ROLE " + Sql.ident(role), true, Optional.empty());
    }

    /** The object a GRANT or REVOKE is about, as the dump names it ({@code "public"."t"}, {@code 4243001}). */
    static Optional<String> grantedObject(String statement) {
        Matcher m = GRANT.matcher(statement);
        if (!m.matches()) {
            return Optional.empty();
        }
        int on = -1;
        boolean quoted = false;
        for (int i = 0; i < statement.length() && on < 0; i++) {
            char ch = statement.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (!quoted && statement.startsWith(" ON ", i)) {
                on = i + 4;
            }
        }
        if (on < 0) {
            return Optional.empty();
        }
        // After ON come the kind's words (TABLE, LARGE OBJECT), then the name, quoted or a large object's number.
        int start = on;
        while (start < statement.length() && Character.isUpperCase(statement.charAt(start))) {
            int space = statement.indexOf(' ', start);
            if (space < 0) {
                return Optional.empty();
            }
            start = space + 1;
        }
        int end = m.start(1) - 1;
        return end > start ? Optional.of(statement.substring(start, end)) : Optional.empty();
    }
}
