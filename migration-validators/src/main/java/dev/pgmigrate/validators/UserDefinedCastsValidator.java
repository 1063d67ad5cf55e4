package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D16: user-defined casts between built-in types; CREATE CAST needs ownership of a type, so a superuser. */
public final class UserDefinedCastsValidator extends ObjectListValidator {
    public UserDefinedCastsValidator() {
        super("user-defined-casts", "Casts between built-in types, which only a superuser can create.", true);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL)"
                + " FROM pg_cast c WHERE c.oid >= " + Sql.FIRST_USER_OID + " AND c.castsource < " + Sql.FIRST_USER_OID
                + " AND c.casttarget < " + Sql.FIRST_USER_OID + " AND " + Sql.notExtensionMember("pg_cast", "c")
                + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No user-defined casts between built-in types.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return SuperuserOnly.result(context, items, "cast between built-in types", "casts between built-in types",
                "CREATE CAST between types it does not own");
    }
}
