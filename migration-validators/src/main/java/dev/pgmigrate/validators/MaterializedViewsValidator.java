package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D28: materialized views are filled again on the target; unqualified names in them can break the refresh. */
public final class MaterializedViewsValidator extends ObjectListValidator {
    public MaterializedViewsValidator() {
        super("materialized-views", "Materialized views, refreshed on the target after the load.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT c.oid::regclass::text || CASE WHEN c.relispopulated THEN '' ELSE ' (not populated)' END"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' AND "
                + Sql.USER_SCHEMA + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No materialized views.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "materialized view", "materialized views") + ".", "They are "
                + "refreshed on the target after the tables are loaded, which takes as long as their queries; a "
                + "query naming tables or functions without their schema fails under the empty search_path a "
                + "restore uses.", "Schema-qualify the names in their definitions, and allow for the refresh time.",
                items);
    }
}
