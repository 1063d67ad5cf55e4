package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D26: unlogged tables keep their data on the target but stay crash-unsafe. */
public final class UnloggedTablesValidator extends ObjectListValidator {
    public UnloggedTablesValidator() {
        super("unlogged-tables", "Unlogged tables, whose data is copied but stays unlogged.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relpersistence = 'u' AND c.relkind IN ('r', 'p') AND " + Sql.USER_SCHEMA
                + Sql.moved(context, "c.oid") + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No unlogged tables.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "unlogged table", "unlogged tables") + ".", "Their rows are "
                + "copied, but they stay unlogged on the target: emptied after a crash and absent from standbys.",
                "Nothing to do if that is intended; otherwise ALTER TABLE ... SET LOGGED on the target after the "
                + "migration.", items);
    }
}
