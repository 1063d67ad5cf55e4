package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D27: generated columns (PostgreSQL 12 and later) are left out of COPY and computed again by the target. */
public final class GeneratedColumnsValidator extends ObjectListValidator {
    public GeneratedColumnsValidator() {
        super("generated-columns", "Generated columns, recomputed on the target rather than copied.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        if (source.versionNum() < 120000) {
            return Optional.empty();
        }
        return Optional.of("SELECT a.attrelid::regclass::text || '.' || quote_ident(a.attname) FROM pg_attribute a"
                + " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE a.attgenerated <> '' AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND " + Sql.USER_SCHEMA
                + Sql.moved(context, "c.oid") + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return source.versionNum() < 120000 ? "PostgreSQL " + source.majorLabel() + " has no generated columns."
                : "No generated columns.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "generated column", "generated columns") + ".", "Their values "
                + "are not copied: the target computes them again from the copied columns, with the target's "
                + "versions of the functions they call.", "Nothing to do: with verify on, the verification compares "
                + "them on both servers and fails the migration if an expression computes otherwise on the target.",
                items);
    }
}
