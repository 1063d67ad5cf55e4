package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * D36: the database's default privileges ({@code ALTER DEFAULT PRIVILEGES FOR ROLE r ... TO g}) can be set on the
 * target: {@code r} and {@code g} exist there or are created by the migration, and its login may act as {@code r}
 * (a superuser, a member of it, with SET from 16; roles it creates are). The migration leaves out those it cannot
 * set and names them: a Warning, since what {@code r} creates later gets PostgreSQL's defaults instead.
 */
public final class DefaultPrivilegesValidator extends DatabaseValidator {
    private static final Map<String, String> KINDS = Map.of("r", "tables", "S", "sequences", "f", "functions",
            "T", "types", "n", "schemas", "L", "large objects");

    /** One row of {@code pg_default_acl}: a role's defaults for one kind of object, in one schema or in all. */
    private record DefaultAcl(String role, String schema, String kind, List<String> grantees) {
    }

    public DefaultPrivilegesValidator() {
        super("default-privileges", "Default privileges (ALTER DEFAULT PRIVILEGES) can be set on the target: their "
                + "roles exist there or are migrated, and the target login may act as each role.", true);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        List<DefaultAcl> defaults = Sql.list(connection, "SELECT pg_get_userbyid(d.defaclrole), "
                + "coalesce(n.nspname, ''), d.defaclobjtype::text, coalesce((SELECT array_agg(DISTINCT "
                + "pg_get_userbyid(a.grantee)) FROM aclexplode(d.defaclacl) a WHERE a.grantee <> 0), '{}') "
                + "FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace ORDER BY 1, 2, 3",
                rs -> new DefaultAcl(rs.getString(1), rs.getString(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray())));
        if (defaults.isEmpty()) {
            return List.of(context.succeeded("The database sets no default privileges."));
        }
        ServerFacts target = context.target().facts().orElseThrow();
        Set<String> present = context.targetFact(TargetOffer.ROLES);
        Set<String> actedAs = context.targetFact(TargetOffer.ROLES_ACTED_AS);
        // Roles the migration creates: the login is made able to act as each.
        boolean created = context.spec().settings().migrateRoles() && (target.superuser() || target.createRole());
        String notMigrated = created ? "" : " and roles are not migrated";
        List<String> items = new ArrayList<>();
        for (DefaultAcl d : defaults) {
            String what = "default privileges of " + d.role() + " on " + KINDS.getOrDefault(d.kind(), d.kind())
                    + (d.schema().isEmpty() ? "" : " in schema " + d.schema());
            boolean exists = present.contains(d.role());
            if (!exists && (!created || d.role().startsWith("pg_"))) {
                items.add(what + ": the target lacks " + d.role() + notMigrated);
            } else if (exists && !actedAs.contains(d.role())) {
                items.add(what + ": " + target.currentUser() + " cannot act as " + d.role() + ", which the target "
                        + "has and the migration leaves as it is");
            } else {
                for (String grantee : d.grantees()) {
                    if (!present.contains(grantee) && (!created || grantee.startsWith("pg_"))) {
                        items.add(what + ": the grant to " + grantee + " is left out, as the target lacks "
                                + grantee + notMigrated);
                    }
                }
            }
        }
        if (items.isEmpty()) {
            return List.of(context.succeeded(Text.count(defaults.size(), "default privilege", "default privileges")
                    + " of the database can be set on the target as on the source."));
        }
        return List.of(context.warning("Not set on the target, where " + target.currentUser() + " restores the "
                + "schema: " + Text.counted(items, "default privilege", "default privileges") + ".",
                "The migration leaves them out and names them in a note: PostgreSQL refuses ALTER DEFAULT "
                + "PRIVILEGES for a role the login cannot act as or to a role that does not exist. What those roles "
                + "create later on the target gets PostgreSQL's defaults instead: a REVOKE left out leaves EXECUTE "
                + "on new functions to PUBLIC, a GRANT left out keeps the grantee from new tables.",
                "Create the missing roles on the target first, or migrate roles (migrateRoles); for a role the "
                + "target has, GRANT it to " + target.currentUser() + (target.atLeast(160000) ? " WITH SET TRUE" : "")
                + " before the migration, or run the ALTER DEFAULT PRIVILEGES statements the note names as that "
                + "role after it.", items));
    }
}
