package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/**
 * I11: grants on sensitive system catalogs that a non-superuser target cannot replay. Per database, since catalog
 * grants are each database's own and pg_dump dumps the migrated one's; and only those initdb did not make
 * ({@code pg_init_privs}, as pg_dump compares them: 9.6-12 grant SELECT on pg_pltemplate to PUBLIC themselves).
 * A 9.5 source's pg_dump dumps no grant on a system catalog.
 */
public final class CatalogAclsValidator extends ObjectListValidator {
    public CatalogAclsValidator() {
        super("catalog-acls", "Grants on sensitive system catalogs such as pg_authid that cannot be replayed.", true);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        if (source.versionNum() < 90600) {
            return Optional.empty();
        }
        return Optional.of("SELECT a.privilege_type || ' on pg_catalog.' || c.relname || ' to '"
                + " || coalesce(r.rolname, 'PUBLIC') FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
                + " LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE c.relnamespace = 'pg_catalog'::regnamespace"
                + " AND c.relname IN ('pg_authid', 'pg_largeobject', 'pg_statistic', 'pg_subscription',"
                + " 'pg_user_mapping', 'pg_config', 'pg_file_settings', 'pg_hba_file_rules',"
                + " 'pg_replication_origin_status', 'pg_shadow', 'pg_pltemplate', 'pg_ident_file_mappings')"
                + " AND a.grantee <> c.relowner AND coalesce(r.rolname, 'PUBLIC') !~ '^pg_' AND NOT EXISTS (SELECT 1"
                + " FROM pg_init_privs i CROSS JOIN LATERAL aclexplode(i.initprivs) ia WHERE i.objoid = c.oid AND"
                + " i.classoid = 'pg_class'::regclass AND i.objsubid = 0 AND ia.grantee = a.grantee AND"
                + " ia.privilege_type = a.privilege_type) ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return source.versionNum() < 90600 ? "pg_dump of a 9.5 source dumps no grant on a system catalog."
                : "No grants on sensitive system catalogs beyond initdb's.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        String found = "The database has " + Text.counted(items, "grant", "grants") + " on sensitive system "
                + "catalogs.";
        String why = "pg_dump replays grants on system catalogs that differ from initdb's; ";
        String remedy = "Revoke them on the source if nothing needs them (REVOKE ... ON pg_catalog.<table> FROM "
                + "<role>), or recreate the access another way on the target (pg_read_all_stats, views).";
        return targetIsSuperuser(context)
                ? context.warning(found, why + "the target login is a superuser, so they are granted there too.",
                        remedy, items)
                : context.failed(found, why + "only a superuser may grant them, so the schema copy fails on the "
                        + "target.", remedy, items);
    }
}
