package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D29: tables above the split threshold that have no single-column integer key to split on. */
public final class TableSplittingValidator extends ObjectListValidator {
    public TableSplittingValidator() {
        super("table-splitting", "Large tables without a single-column integer key, which are copied by one worker.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        long threshold = context.spec().settings().splitTablesLargerThanBytes();
        return Optional.of("SELECT c.oid::regclass::text || ' (' || pg_size_pretty(pg_table_size(c.oid)) || ')'"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND "
                + Sql.USER_SCHEMA + " AND c.relpages::bigint * current_setting('block_size')::bigint > " + threshold
                + " AND NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = i.indkey[0] WHERE i.indrelid = c.oid AND i.indisunique AND i.indnatts = 1"
                + " AND i.indpred IS NULL AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype))"
                + Sql.rowsMoved(context, "c.oid") + " ORDER BY c.relpages DESC");
    }

    @Override
    String none(ServerFacts source) {
        return "Every table above the split threshold has a single-column integer key to split on.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "large table has", "large tables have") + " no single-column "
                + "integer primary key or unique index.", "Tables above settings.splitTablesLargerThanBytes ("
                + Text.bytes(context.spec().settings().splitTablesLargerThanBytes()) + ") are copied in key ranges "
                + "by several workers when they would otherwise outlast the other tables; without such a key they are split by physical position, which is slower.",
                "Add an integer primary key where the data allows, or expect these tables to set the pace of the "
                + "migration.", items);
    }
}
