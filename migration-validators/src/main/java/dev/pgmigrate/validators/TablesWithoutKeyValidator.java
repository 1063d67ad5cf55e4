package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D25: tables without a primary key or unique index are copied whole and verified by content only. */
public final class TablesWithoutKeyValidator extends ObjectListValidator {
    public TablesWithoutKeyValidator() {
        super("tables-without-key", "Tables without a primary key or unique index.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind = 'r' AND " + Sql.USER_SCHEMA + " AND NOT EXISTS (SELECT 1 FROM pg_index i"
                + " WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisunique))" + Sql.rowsMoved(context, "c.oid")
                + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "Every table has a primary key or a unique index.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "table has", "tables have") + " no primary key or unique index.",
                "A table without a key cannot be split into ranges by key (it is split by physical position or "
                + "not at all), and duplicate rows cannot be told apart when verifying.", "Add a primary key where "
                + "the data has one; otherwise expect these tables to copy more slowly.", items);
    }
}
