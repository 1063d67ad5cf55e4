package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** I11: grants on sensitive system catalogs that a non-superuser target cannot replay. */
public final class CatalogAclsValidator extends InstanceValidator {
    public CatalogAclsValidator() {
        super("catalog-acls", "Grants on sensitive system catalogs such as pg_authid that cannot be replayed.",
                Needs.BOTH);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        List<String> grants;
        try (Connection connection = maintenance(context.source())) {
            grants = Sql.strings(connection, "SELECT a.privilege_type || ' on pg_catalog.' || c.relname || ' to '"
                    + " || coalesce(r.rolname, 'PUBLIC') FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
                    + " LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE c.relnamespace = 'pg_catalog'::regnamespace"
                    + " AND c.relname IN ('pg_authid', 'pg_largeobject', 'pg_statistic', 'pg_subscription',"
                    + " 'pg_user_mapping', 'pg_config', 'pg_file_settings', 'pg_hba_file_rules',"
                    + " 'pg_replication_origin_status', 'pg_shadow', 'pg_pltemplate', 'pg_ident_file_mappings')"
                    + " AND a.grantee <> c.relowner AND coalesce(r.rolname, 'PUBLIC') !~ '^pg_' ORDER BY 1");
        }
        if (grants.isEmpty()) {
            return List.of(context.succeeded("No extra grants on sensitive system catalogs."));
        }
        boolean superuser = facts(context.target()).superuser();
        String found = "The source has " + Text.counted(grants, "grant", "grants") + " on sensitive system catalogs.";
        String why = "pg_dump replays grants on system catalogs that differ from initdb's; ";
        String remedy = "Revoke them on the source if nothing needs them (REVOKE ... ON pg_catalog.<table> FROM "
                + "<role>), or recreate the access another way on the target (pg_read_all_stats, views).";
        return List.of(superuser
                ? context.warning(found, why + "the target login is a superuser, so they are granted there too.",
                        remedy, grants)
                : context.failed(found, why + "only a superuser may grant them, so the schema copy fails on the "
                        + "target.", remedy, grants));
    }
}
