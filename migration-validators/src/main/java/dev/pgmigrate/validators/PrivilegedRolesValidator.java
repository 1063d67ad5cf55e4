package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** I12: source roles with SUPERUSER, REPLICATION or BYPASSRLS that the target admin cannot grant. */
public final class PrivilegedRolesValidator extends InstanceValidator {
    public PrivilegedRolesValidator() {
        super("privileged-roles", "Roles with SUPERUSER, REPLICATION or BYPASSRLS the target admin cannot grant.",
                Needs.BOTH);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        if (!context.spec().settings().migrateRoles()) {
            return List.of(context.succeeded("Roles are not migrated (migrateRoles is off)."));
        }
        ServerFacts target = facts(context.target());
        if (target.superuser()) {
            return List.of(context.succeeded(target.currentUser() + " is a superuser on the target and can grant "
                    + "every role attribute."));
        }
        boolean bypassRls = facts(context.source()).versionNum() >= 90500;
        List<String[]> roles;
        try (Connection connection = maintenance(context.source())) {
            roles = Sql.list(connection, "SELECT rolname, rolsuper, rolreplication, "
                    + (bypassRls ? "rolbypassrls" : "false") + " FROM pg_roles WHERE rolname !~ '^pg_'"
                    + " AND (rolsuper OR rolreplication" + (bypassRls ? " OR rolbypassrls" : "") + ") ORDER BY 1",
                    rs -> new String[] {rs.getString(1), attr(rs.getBoolean(2), "SUPERUSER"),
                        attr(rs.getBoolean(3), "REPLICATION"), attr(rs.getBoolean(4), "BYPASSRLS")});
        }
        // Since 16 a CREATEROLE admin may grant REPLICATION and BYPASSRLS if it has them; before, only superusers.
        boolean[] grantable = {false, false};
        if (target.versionNum() >= 160000) {
            try (Connection connection = maintenance(context.target())) {
                grantable[0] = Sql.bool(connection, "SELECT rolreplication FROM pg_roles WHERE rolname = current_user");
                grantable[1] = Sql.bool(connection, "SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user");
            }
        }
        List<String> items = new ArrayList<>();
        for (String[] role : roles) {
            List<String> lost = new ArrayList<>();
            if (!role[1].isEmpty()) {
                lost.add(role[1]);
            }
            if (!role[2].isEmpty() && !grantable[0]) {
                lost.add(role[2]);
            }
            if (!role[3].isEmpty() && !grantable[1]) {
                lost.add(role[3]);
            }
            if (!lost.isEmpty()) {
                items.add(role[0] + " (" + String.join(", ", lost) + ")");
            }
        }
        if (items.isEmpty()) {
            return List.of(context.succeeded("No source role has an attribute " + target.currentUser()
                    + " cannot grant on the target."));
        }
        return List.of(context.warning(Text.counted(items, "role has", "roles have") + " attributes "
                + target.currentUser() + " cannot grant on the target.", "They will be created without them: "
                + "whatever relies on them (administration, replication, reading past row-level security) "
                + "stops working.", "Accept it, or grant the attributes on the target as its superuser or through "
                + "the service's own administrative roles after the migration.", items));
    }

    private static String attr(boolean has, String name) {
        return has ? name : "";
    }
}
