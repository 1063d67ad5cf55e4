package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D15: user-defined base types; their I/O functions are C or internal, so only a superuser can recreate them. */
public final class CustomBaseTypesValidator extends ObjectListValidator {
    public CustomBaseTypesValidator() {
        super("custom-base-types", "Base types defined in the database, which only a superuser can create.", true);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT format_type(t.oid, NULL) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                + " WHERE t.typtype = 'b' AND t.oid >= " + Sql.FIRST_USER_OID + " AND " + Sql.USER_SCHEMA
                + " AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid) AND "
                + Sql.notExtensionMember("pg_type", "t") + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No user-defined base types.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return SuperuserOnly.result(context, items, "user-defined base type", "user-defined base types",
                "CREATE TYPE with input and output functions");
    }
}
