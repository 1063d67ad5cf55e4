package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D8: extensions installed into pg_catalog, where only a superuser may create objects. */
public final class ExtensionsInCatalogValidator extends ObjectListValidator {
    public ExtensionsInCatalogValidator() {
        super("extensions-in-pg-catalog", "Extensions installed into pg_catalog.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT e.extname FROM pg_extension e WHERE e.extnamespace = 'pg_catalog'::regnamespace"
                + " AND e.extname <> 'plpgsql' ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No extension is installed into pg_catalog.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        String found = Text.counted(items, "extension is", "extensions are") + " installed into pg_catalog.";
        String remedy = "Move them to a schema of their own on the source (ALTER EXTENSION ... SET SCHEMA, "
                + "where the extension allows it), or drop them if unused.";
        if (targetIsSuperuser(context)) {
            return context.warning(found, "The target login is a superuser and can recreate them there; managed "
                    + "targets would refuse.", remedy, items);
        }
        return context.failed(found, "Only a superuser may create objects in pg_catalog, so recreating them on "
                + "the target fails.", remedy, items);
    }
}
