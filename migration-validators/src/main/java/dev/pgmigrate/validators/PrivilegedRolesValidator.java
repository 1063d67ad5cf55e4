package dev.pgmigrate.validators;

import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * I12: each role the migration takes from the source (as {@code roles.scope} chooses them: {@link MigratedRoles}) with
 * SUPERUSER, REPLICATION or BYPASSRLS, and what it will have on this target. A managed target (its {@code type}:
 * AWS_RDS, AzureFlexibleServer, GCP_CloudSQL, ...) allows no superuser, so SUPERUSER is left out there even when
 * the migration's login could grant it; a self-hosted target whose login is a superuser keeps it. REPLICATION and
 * BYPASSRLS need a superuser, or from 16 a CREATEROLE login that has them itself.
 */
public final class PrivilegedRolesValidator extends InstanceValidator {
    public PrivilegedRolesValidator() {
        super("privileged-roles", "Each role the migration takes with SUPERUSER, REPLICATION or BYPASSRLS, and what "
                + "it gets on the target.", Needs.BOTH);
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(MigratedRoles.DEPENDED_ON);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        ServerFacts source = facts(context.source());
        ServerFacts target = facts(context.target());
        boolean bypassRls = source.versionNum() >= 90500;
        List<String[]> roles;
        MigratedRoles migrated;
        try (Connection connection = maintenance(context.source())) {
            migrated = MigratedRoles.of(context, connection);
            // The bootstrap superuser (OID 10) exists on every server and is never created.
            roles = Sql.list(connection, "SELECT rolname, rolsuper, rolreplication, "
                    + (bypassRls ? "rolbypassrls" : "false") + " FROM pg_roles WHERE rolname !~ '^pg_' AND oid >= "
                    + Sql.FIRST_USER_OID + " AND (rolsuper OR rolreplication" + (bypassRls ? " OR rolbypassrls" : "")
                    + ") ORDER BY 1", rs -> new String[] {rs.getString(1), attr(rs.getBoolean(2), "SUPERUSER"),
                        attr(rs.getBoolean(3), "REPLICATION"), attr(rs.getBoolean(4), "BYPASSRLS")}).stream()
                    .filter(role -> migrated.contains(role[0])).toList();
        }
        String which = " " + migrated.which();
        if (roles.isEmpty()) {
            return List.of(context.succeeded("No role" + which + " has SUPERUSER, REPLICATION or BYPASSRLS."));
        }
        List<String> names = roles.stream().map(r -> r[0] + " (" + String.join(", ", attributes(r)) + ")").toList();
        if (!context.spec().settings().migrateRoles()) {
            return List.of(context.succeeded(Text.counted(names, "privileged role" + which, "privileged roles" + which)
                    + "; roles are not migrated (migrateRoles is off), so none of them is created."));
        }
        SourceServerType profile = context.spec().target().type();
        boolean managed = profile.isManaged();
        boolean[] grantable = {target.superuser(), target.superuser()};
        Set<String> existing = new HashSet<>();
        try (Connection connection = maintenance(context.target())) {
            if (!target.superuser() && target.versionNum() >= 160000) {
                grantable[0] = Sql.bool(connection, "SELECT rolreplication FROM pg_roles WHERE rolname = current_user");
                grantable[1] = Sql.bool(connection, "SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user");
            }
            existing.addAll(Sql.strings(connection, "SELECT rolname FROM pg_roles"));
        }
        List<String> lost = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String[] role : roles) {
            if (existing.contains(role[0])) {
                kept.add(role[0] + ": exists on the target and is left as it is");
                continue;
            }
            List<String> keeps = new ArrayList<>();
            List<String> drops = new ArrayList<>();
            if (!role[1].isEmpty()) {
                if (managed) {
                    drops.add("SUPERUSER (the target is " + profile.label() + ", a managed service: no superusers)");
                } else if (target.superuser()) {
                    keeps.add("SUPERUSER");
                } else {
                    drops.add("SUPERUSER (" + target.currentUser() + " is no superuser)");
                }
            }
            if (!role[2].isEmpty()) {
                (grantable[0] ? keeps : drops).add(grantable[0] ? "REPLICATION" : "REPLICATION ("
                        + target.currentUser() + " cannot grant it)");
            }
            if (!role[3].isEmpty()) {
                (grantable[1] ? keeps : drops).add(grantable[1] ? "BYPASSRLS" : "BYPASSRLS ("
                        + target.currentUser() + " cannot grant it)");
            }
            String item = role[0] + ": " + (keeps.isEmpty() ? "" : "keeps " + Text.and(keeps))
                    + (keeps.isEmpty() || drops.isEmpty() ? "" : "; ") + (drops.isEmpty() ? "" : "loses "
                    + Text.and(drops));
            (drops.isEmpty() ? kept : lost).add(item);
        }
        String where = managed ? "a managed target (" + profile.label() + ")" : "a self-hosted target ("
                + profile.label() + ")";
        if (lost.isEmpty()) {
            return List.of(context.result(dev.pgmigrate.api.ValidationStatus.SUCCEEDED, Text.counted(kept,
                    "privileged role" + which, "privileged roles" + which) + "; on " + where + " each keeps its "
                    + "attributes when it is migrated.", "", "", kept));
        }
        List<String> all = new ArrayList<>(lost);
        all.addAll(kept);
        return List.of(context.warning(Text.counted(lost, "role loses", "roles lose") + " attributes on " + where
                + " when migrated (" + kept.size() + " more keep theirs).", "They are created without those "
                + "attributes: whatever relies on them (administration, replication, reading past row-level "
                + "security) stops working." + (managed ? " Managed services reserve superuser for themselves and "
                        + "offer their own administrative roles (rds_superuser, azure_pg_admin, cloudsqlsuperuser)."
                        : ""), "Accept it, or grant the attributes on the target after the migration through the "
                + "service's own administrative roles or as its superuser; set the target's type to say what "
                + "kind of server it is (OnPremises keeps superusers).", all));
    }

    private static List<String> attributes(String[] role) {
        List<String> attributes = new ArrayList<>();
        for (int i = 1; i < role.length; i++) {
            if (!role[i].isEmpty()) {
                attributes.add(role[i]);
            }
        }
        return attributes;
    }

    private static String attr(boolean has, String name) {
        return has ? name : "";
    }
}
