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
        String user = " >= " + Sql.FIRST_USER_OID;
        // Each catalog is read once, not pg_class three times and pg_proc twice: 48 ms became 27 in a database of
        // 2,000 tables.
        return Optional.of(problems("pg_class c",
                        "c.oid" + user + " AND c.relowner" + noRole,
                        "'relation ' || c.relname || ' has no owner (role oid ' || c.relowner || ')'",
                        "c.relnamespace" + noSchema,
                        "'relation ' || c.relname || ' is in a missing schema (oid ' || c.relnamespace || ')'",
                        "c.relkind IN ('v', 'm') AND NOT EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = c.oid)",
                        "'view ' || c.oid::regclass::text || ' has no rewrite rule'")
                + " UNION ALL " + problems("pg_proc p",
                        "p.oid" + user + " AND p.proowner" + noRole,
                        "'function ' || p.proname || ' has no owner (role oid ' || p.proowner || ')'",
                        "p.pronamespace" + noSchema,
                        "'function ' || p.proname || ' is in a missing schema (oid ' || p.pronamespace || ')'")
                + " UNION ALL SELECT 'schema ' || n.nspname || ' has no owner (role oid ' || n.nspowner || ')'"
                + " FROM pg_namespace n WHERE n.nspowner" + noRole
                + " UNION ALL SELECT 'type ' || t.typname || ' has no owner (role oid ' || t.typowner || ')'"
                + " FROM pg_type t WHERE t.oid" + user + " AND t.typowner" + noRole
                // Scalar subqueries, which the planner neither turns into a join nor an index range: pg_attribute
                // is read once, and pg_class only for a column found.
                + " UNION ALL SELECT 'column ' || (SELECT c.relname FROM pg_class c WHERE c.oid = a.attrelid) || '.'"
                + " || a.attname || ' has a missing type (oid ' || a.atttypid || ')' FROM pg_attribute a"
                + " WHERE a.attnum > 0 AND NOT a.attisdropped AND a.atttypid NOT IN (SELECT oid FROM pg_type)"
                + " AND (SELECT c.oid" + user + " FROM pg_class c WHERE c.oid = a.attrelid)"
                + " UNION ALL SELECT 'index ' || i.indexrelid || ' belongs to a missing table (oid ' || i.indrelid"
                + " || ')' FROM pg_index i WHERE i.indrelid NOT IN (SELECT oid FROM pg_class)"
                + " ORDER BY 1");
    }

    /**
     * The problems of the rows of {@code from} in one scan: pairs of a condition and the message when it holds. A
     * row is looked at further only when one holds, and then each that holds is one item.
     */
    private static String problems(String from, String... conditionsAndMessages) {
        StringBuilder cases = new StringBuilder();
        StringBuilder any = new StringBuilder();
        for (int i = 0; i < conditionsAndMessages.length; i += 2) {
            String separator = i == 0 ? "" : ", ";
            cases.append(separator).append("CASE WHEN ").append(conditionsAndMessages[i]).append(" THEN ")
                    .append(conditionsAndMessages[i + 1]).append(" END");
            any.append(i == 0 ? "" : " OR ").append('(').append(conditionsAndMessages[i]).append(')');
        }
        return "SELECT problem FROM " + from + ", unnest(ARRAY[" + cases + "]) problem WHERE (" + any
                + ") AND problem IS NOT NULL";
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
