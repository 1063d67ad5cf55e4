package dev.pgmigrate.core.internal.server;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.JournalKind;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.server.RolePlan.Membership;
import dev.pgmigrate.core.internal.server.RolePlan.RoleLabel;
import dev.pgmigrate.core.internal.server.RolePlan.RoleSetting;
import dev.pgmigrate.core.internal.server.RolePlan.SourceRole;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates on the target the roles the selected databases need ({@link RolePlan}), before any database: their
 * attributes, password hashes, memberships, settings, comments and security labels, then notes what it created,
 * kept and could not give, and the md5 hashes the target would refuse at login ({@link Md5Logins}). Their
 * settings in a migrated database come with that database's own properties
 * ({@link dev.pgmigrate.core.internal.database.DatabaseProperties}). Roles that exist on the target are left as
 * they are, not made members of the created ones either. Each created role is journaled before the one transaction
 * that creates them all, so rollback drops it.
 */
public final class RoleMigration {
    private static final Logger log = LoggerFactory.getLogger(RoleMigration.class);

    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final CancelSignal cancel;

    public RoleMigration(MigrationSpec spec, RecordKeeper keeper, Endpoint source, Endpoint target, CancelSignal cancel) {
        this.spec = spec;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.cancel = cancel;
    }

    /** Reads the plan and creates what the target lacks, with their comments and security labels. */
    public void createRoles() throws SQLException {
        RolePlan plan = RolePlan.read(spec, source, cancel);
        ServerFacts facts = target.requireFacts();
        if (plan.roles().isEmpty()) {
            return;
        }
        if (!facts.superuser() && !facts.createRole()) {
            keeper.note(MessageCode.ROLES_NOT_MIGRATED,
                    "Roles were not migrated: " + facts.currentUser() + " has neither SUPERUSER nor CREATEROLE "
                    + "on the target. Needed: " + names(plan.roles()) + ". Create them there, or migrate with a "
                    + "login that may create roles.");
            return;
        }
        Connection c = target.maintenance();
        List<String> journaled = new ArrayList<>();
        boolean commitSent = false;
        try {
            // A managed target's profile forbids superusers, whatever the login it lends to the migration may do.
            boolean managed = spec.target().type().isManaged();
            RoleStatements.Powers powers = RoleStatements.Powers.read(c, facts, managed);
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
            List<String> keptMemberships = new ArrayList<>();
            for (SourceRole role : create) {
                keeper.journal(JournalKind.CREATE_ROLE, role.name(), "");
                journaled.add(role.name());
            }
            c.setAutoCommit(false);
            if (!facts.superuser() && facts.atLeast(160000)) {
                // The admin needs SET on a role to give it objects, and INHERIT to grant on them as their owner.
                Sql.execute(c, "SET LOCAL createrole_self_grant = 'set, inherit'");
            }
            for (SourceRole role : create) {
                cancel.check();
                List<String> lost = new ArrayList<>();
                String statement = RoleStatements.create(role, powers, lost);
                try {
                    Sql.execute(c, statement);
                } catch (SQLException e) {
                    c.rollback();
                    // The statement may hold a password hash: name the role, never the statement.
                    throw new MigrationException(MessageCode.OBJECT_NOT_CREATED,
                            "Cannot create role " + role.name() + " on the target: "
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
                if (kept.contains(m.member()) && created.contains(m.role())) {
                    // A role the target had is left as it is: made a member, it would gain what the role may do.
                    keptMemberships.add(RoleStatements.grant(m, facts) + ";");
                } else if ((created.contains(m.role()) || created.contains(m.member())) && present.contains(m.role())
                        && present.contains(m.member())) {
                    tolerate(c, RoleStatements.grant(m, facts), "membership of " + m.member() + " in " + m.role(),
                            problems);
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
            commitSent = true;
            c.commit();
            noteResults(plan, facts, create, kept, keptMemberships, reserved, dropped, problems);
            noteMd5Hashes(c, create);
        } finally {
            // On any failure no role is left behind: the unfinished transaction ends here.
            endTransaction(c);
            if (!commitSent && !journaled.isEmpty()) {
                notCreated(journaled);
            }
        }
    }

    /**
     * Journals that the roles journaled for creation were not created (their transaction never committed), so that
     * the rollback does not drop roles of those names that another session made meanwhile: the one whose concurrent
     * CREATE ROLE made ours fail, for one.
     */
    private void notCreated(List<String> roles) {
        try {
            keeper.journal(JournalKind.ROLES_NOT_CREATED, "", String.join("\n", roles));
        } catch (RuntimeException e) { // the failure being thrown matters more; the rollback then drops what exists
            log.warn("Could not journal that roles {} were not created", roles, e);
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

    private void noteResults(RolePlan plan, ServerFacts facts, List<SourceRole> created, List<String> kept,
            List<String> keptMemberships, List<String> reserved, Map<String, List<String>> dropped, List<String> problems) {
        if (!created.isEmpty()) {
            keeper.note(MessageCode.ROLES_CREATED,
                    "Created " + created.size() + " role(s) on the target: " + names(created) + "."
                    + (facts.superuser() ? "" : " " + facts.currentUser() + " was made a member of each, so it "
                            + "could give them their objects."));
        }
        if (!kept.isEmpty()) {
            keeper.note(MessageCode.ROLES_KEPT,
                    "Left as they are, because they already exist on the target (" + kept.size() + "): "
                    + String.join(", ", kept) + ". Their attributes, passwords, memberships and settings were not "
                    + "changed; compare them with the source's." + (keptMemberships.isEmpty() ? "" : " Nor were they "
                    + "made members of the roles created now, as on the source; if they are the source's roles, "
                    + "run: " + String.join(" ", keptMemberships)));
        }
        if (!reserved.isEmpty()) {
            keeper.note(MessageCode.ROLES_RESERVED,
                    "Not created, because names starting with pg_ are reserved on the target: "
                    + String.join(", ", reserved) + ". Rename them on the source, or create them under new names.");
        }
        if (!dropped.isEmpty()) {
            keeper.note(MessageCode.ROLE_ATTRIBUTES_DROPPED,
                    "Created without attributes " + (spec.target().type().isManaged() ? "the target's profile ("
                    + spec.target().type().label() + ", a managed service: no role may be a superuser) or "
                    + facts.currentUser() + " cannot grant: " : facts.currentUser() + " cannot grant on the target: ")
                    + dropped.entrySet().stream().map(e -> e.getKey() + " (" + String.join(", ", e.getValue()) + ")")
                            .collect(Collectors.joining(", "))
                    + ". Grant them as the target's superuser, or through the service's own roles, if they are needed.");
        }
        List<SourceRole> withoutPassword = created.stream().filter(SourceRole::login).toList();
        if (!plan.hashesReadable() && !withoutPassword.isEmpty()) {
            keeper.note(MessageCode.ROLE_PASSWORDS_NOT_COPIED,
                    "Login roles were created without a password, because " + (spec.source().type().isManaged()
                            ? "the source is " + spec.source().type().label() + ", a managed service that hides "
                                    + "password hashes (pg_authid) from every login"
                            : source.spec().adminLogin() + " cannot read password hashes (pg_authid) on the source; "
                                    + "a superuser reads them") + ". Set each one on the target: " + withoutPassword.stream()
                            .map(r -> "ALTER ROLE " + Sql.ident(r.name()) + " PASSWORD '...';")
                            .collect(Collectors.joining(" ")));
        }
        if (!problems.isEmpty()) {
            keeper.note(MessageCode.ROLE_SETTINGS_NOT_APPLIED,
                    "Not applied to migrated roles on the target: " + String.join("; ", problems) + ".");
        }
    }

    /** Created login roles whose md5 hash a scram-sha-256 rule of the target's pg_hba.conf refuses. */
    private void noteMd5Hashes(Connection c, List<SourceRole> created) throws SQLException {
        List<SourceRole> md5 = created.stream().filter(r -> r.login() && r.password().map(p -> p.reveal()
                .startsWith("md5")).orElse(false)).toList();
        if (md5.isEmpty()) {
            return;
        }
        Optional<String> refusal = Md5Logins.refusal(c);
        refusal.ifPresent(why -> keeper.note(MessageCode.ROLE_PASSWORDS_NOT_SCRAM, "Warning: " + md5.size() + " login "
                + "role(s) were created with the md5 password hash they have on the source, and " + why + ": such "
                + "a rule refuses an md5 hash, so they cannot log in until their passwords are set again: "
                + names(md5) + ". Set each with password_encryption = scram-sha-256 (SET password_encryption = "
                + "'scram-sha-256'; " + md5.stream().map(r -> "ALTER ROLE " + Sql.ident(r.name()) + " PASSWORD '...';")
                        .collect(Collectors.joining(" ")) + "), or have pg_hba.conf use md5 for them, which accepts "
                + "md5 and scram hashes alike."));
    }

    private static String names(List<SourceRole> roles) {
        return roles.stream().map(SourceRole::name).collect(Collectors.joining(", "));
    }
}
