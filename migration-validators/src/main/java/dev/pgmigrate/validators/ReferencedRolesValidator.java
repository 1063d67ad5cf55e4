package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/** I13: when roles are not migrated, every owner and grantee the database uses exists on the target. */
public final class ReferencedRolesValidator extends DatabaseValidator {
    public ReferencedRolesValidator() {
        super("referenced-roles", "Owners and grantees used by the database exist on the target when roles are not "
                + "migrated.", true);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        if (context.spec().settings().migrateRoles()) {
            return List.of(context.succeeded("Roles are migrated, so the owners and grantees are created first."));
        }
        String user = " JOIN pg_namespace n ON n.oid = ";
        List<String> used = Sql.strings(connection, "SELECT DISTINCT r.rolname FROM ("
                + "SELECT c.relowner AS o FROM pg_class c" + user + "c.relnamespace WHERE " + Sql.USER_SCHEMA
                + " UNION SELECT p.proowner FROM pg_proc p" + user + "p.pronamespace WHERE " + Sql.USER_SCHEMA
                + " UNION SELECT t.typowner FROM pg_type t" + user + "t.typnamespace WHERE " + Sql.USER_SCHEMA
                + " UNION SELECT n.nspowner FROM pg_namespace n WHERE " + Sql.USER_SCHEMA
                + " UNION SELECT (aclexplode(c.relacl)).grantee FROM pg_class c" + user + "c.relnamespace WHERE "
                + Sql.USER_SCHEMA + " AND c.relacl IS NOT NULL"
                + " UNION SELECT (aclexplode(p.proacl)).grantee FROM pg_proc p" + user + "p.pronamespace WHERE "
                + Sql.USER_SCHEMA + " AND p.proacl IS NOT NULL"
                + " UNION SELECT (aclexplode(n.nspacl)).grantee FROM pg_namespace n WHERE " + Sql.USER_SCHEMA
                + " AND n.nspacl IS NOT NULL"
                + " UNION SELECT lomowner FROM pg_largeobject_metadata"
                + ") x JOIN pg_roles r ON r.oid = x.o ORDER BY 1");
        Set<String> roles = context.targetFact(TargetOffer.ROLES);
        List<String> missing = used.stream().filter(role -> !roles.contains(role)).toList();
        if (missing.isEmpty()) {
            return List.of(context.succeeded("All " + used.size() + " roles that own or are granted objects exist on "
                    + "the target."));
        }
        return List.of(context.failed(Text.counted(missing, "role owns or is granted", "roles own or are granted")
                + " objects but does not exist on the target, and roles are not migrated.", "ALTER ... OWNER TO and "
                + "GRANT fail for a role the target does not have.", "Create the roles on the target first (CREATE "
                + "ROLE ...), or set migrateRoles to true.", missing));
    }
}
