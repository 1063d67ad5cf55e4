package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D9: extension configuration tables (pg_extension_config_dump): only their user rows are copied. */
public final class ExtensionConfigTablesValidator extends ObjectListValidator {
    public ExtensionConfigTablesValidator() {
        super("extension-config-tables", "Extension configuration tables, whose user rows are copied.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT e.extname || ': ' || c.oid::regclass::text FROM pg_extension e"
                + " CROSS JOIN LATERAL unnest(e.extconfig) AS cfg(relid) JOIN pg_class c ON c.oid = cfg.relid ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No extension has configuration tables.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "extension configuration table", "extension configuration "
                + "tables") + ".", "CREATE EXTENSION fills them on the target; only the rows the extension marks "
                + "as user data (its filter) are copied from the source, other tables of the extension are not.",
                "After the migration, compare these tables on both servers if the extension keeps settings in them.",
                items);
    }
}
