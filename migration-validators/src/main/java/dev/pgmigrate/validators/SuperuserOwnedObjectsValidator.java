package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D19: user objects owned by a superuser role. */
public final class SuperuserOwnedObjectsValidator extends ObjectListValidator {
    public SuperuserOwnedObjectsValidator() {
        super("superuser-owned-objects", "Objects owned by superusers, whose ownership moves to the target admin.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        String superuser = " IN (SELECT oid FROM pg_roles WHERE rolsuper)";
        return Optional.of("SELECT 'schema ' || quote_ident(n.nspname) FROM pg_namespace n WHERE " + Sql.USER_SCHEMA
                + " AND n.oid >= " + Sql.FIRST_USER_OID + " AND n.nspowner" + superuser + " AND "
                + Sql.notExtensionMember("pg_namespace", "n")
                + " UNION ALL SELECT CASE c.relkind WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view '"
                + " WHEN 'm' THEN 'materialized view ' ELSE 'table ' END || c.oid::regclass::text FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + Sql.USER_SCHEMA
                + " AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relowner" + superuser
                + " AND " + Sql.notExtensionMember("pg_class", "c")
                + " UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE " + Sql.USER_SCHEMA + " AND p.proowner" + superuser + " AND "
                + Sql.notExtensionMember("pg_proc", "p")
                + " UNION ALL SELECT 'type ' || format_type(t.oid, NULL) FROM pg_type t JOIN pg_namespace n"
                + " ON n.oid = t.typnamespace WHERE " + Sql.USER_SCHEMA + " AND t.typtype IN ('d', 'e', 'r', 'b')"
                + " AND t.typowner" + superuser + " AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)"
                + " AND " + Sql.notExtensionMember("pg_type", "t") + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No object is owned by a superuser.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "object is", "objects are") + " owned by a superuser.",
                "A managed target has no superuser to own them: they will belong to the target admin, and "
                + "SECURITY DEFINER functions among them will run with its rights, not a superuser's.",
                "Give them to an ordinary role on the source first (ALTER ... OWNER TO <role>, or REASSIGN OWNED BY "
                + "<superuser> TO <role> in this database), and migrate roles.", items);
    }
}
