package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D31: a catalog sanity check standing in for a pg_dump --schema-only dry run (see RULES.md for why). */
public final class CatalogSanityValidator extends ObjectListValidator {
    public CatalogSanityValidator() {
        super("catalog-sanity", "The catalogs hold no dangling owner, schema or type reference that would stop pg_dump.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        String noRole = " NOT IN (SELECT oid FROM pg_roles)";
        String noSchema = " NOT IN (SELECT oid FROM pg_namespace)";
        return Optional.of("SELECT 'relation ' || c.relname || ' has no owner (role oid ' || c.relowner || ')'"
                + " FROM pg_class c WHERE c.oid >= " + Sql.FIRST_USER_OID + " AND c.relowner" + noRole
                + " UNION ALL SELECT 'function ' || p.proname || ' has no owner (role oid ' || p.proowner || ')'"
                + " FROM pg_proc p WHERE p.oid >= " + Sql.FIRST_USER_OID + " AND p.proowner" + noRole
                + " UNION ALL SELECT 'schema ' || n.nspname || ' has no owner (role oid ' || n.nspowner || ')'"
                + " FROM pg_namespace n WHERE n.nspowner" + noRole
                + " UNION ALL SELECT 'type ' || t.typname || ' has no owner (role oid ' || t.typowner || ')'"
                + " FROM pg_type t WHERE t.oid >= " + Sql.FIRST_USER_OID + " AND t.typowner" + noRole
                + " UNION ALL SELECT 'relation ' || c.relname || ' is in a missing schema (oid ' || c.relnamespace || ')'"
                + " FROM pg_class c WHERE c.relnamespace" + noSchema
                + " UNION ALL SELECT 'function ' || p.proname || ' is in a missing schema (oid ' || p.pronamespace"
                + " || ')' FROM pg_proc p WHERE p.pronamespace" + noSchema
                + " UNION ALL SELECT 'column ' || c.relname || '.' || a.attname || ' has a missing type (oid '"
                + " || a.atttypid || ')' FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                + " WHERE c.oid >= " + Sql.FIRST_USER_OID + " AND a.attnum > 0 AND NOT a.attisdropped"
                + " AND a.atttypid NOT IN (SELECT oid FROM pg_type)"
                + " UNION ALL SELECT 'index ' || i.indexrelid || ' belongs to a missing table (oid ' || i.indrelid"
                + " || ')' FROM pg_index i WHERE i.indrelid NOT IN (SELECT oid FROM pg_class)"
                + " UNION ALL SELECT 'view ' || c.oid::regclass::text || ' has no rewrite rule' FROM pg_class c"
                + " WHERE c.relkind IN ('v', 'm') AND NOT EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = c.oid)"
                + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "The catalogs are consistent: every object has its owner, schema and types.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.failed(Text.counted(items, "catalog inconsistency", "catalog inconsistencies") + ".",
                "pg_dump stops on objects whose owner, schema or type is gone ('cache lookup failed', 'schema with "
                + "OID ... does not exist'), and the schema copy with it.", "Repair the source catalogs: give the "
                + "objects a valid owner (ALTER ... OWNER TO), move or drop orphans, and check for corruption "
                + "(amcheck, the server log) before migrating.", items);
    }
}
