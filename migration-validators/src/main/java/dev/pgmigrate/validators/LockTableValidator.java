package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** I18: pg_dump locks every table in one transaction; the source's lock table must hold them all. */
public final class LockTableValidator extends DatabaseValidator {
    public LockTableValidator() {
        super("lock-table-size", "The source's lock table can hold a lock on every table pg_dump reads.", false);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        // pg_dump and the migration's own hold lock tables and partitioned tables, of what the selection moves.
        List<long[]> rows = Sql.list(connection, "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND " + Sql.USER_SCHEMA
                + Sql.moved(context, "c.oid") + "), current_setting('max_locks_per_transaction')::bigint, "
                + "current_setting('max_connections')::bigint + current_setting('max_prepared_transactions')::bigint",
                rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)});
        long relations = rows.get(0)[0];
        long slots = rows.get(0)[2];
        long capacity = rows.get(0)[1] * slots;
        String found = "pg_dump locks " + relations + " tables; the source's lock table holds about " + capacity
                + " locks (max_locks_per_transaction " + rows.get(0)[1] + " x " + slots
                + " connection and prepared-transaction slots).";
        // Other sessions share the table: keep a fifth of it free for them.
        if (relations * 5 <= capacity * 4) {
            return List.of(context.succeeded(found));
        }
        long needed = (relations * 5 / 4 + slots - 1) / slots;
        String remedy = "Raise max_locks_per_transaction on the source to at least " + needed + " and restart it.";
        List<String> items = List.of(String.valueOf(relations), String.valueOf(capacity));
        if (relations > capacity) {
            // Not a risk but a certainty: pg_dump would fail with 'out of shared memory' once the copy has begun.
            return List.of(context.failed(found, "pg_dump takes a lock on every table in one transaction, and this "
                    + "lock table cannot hold them all: it would fail with 'out of shared memory' after the "
                    + "migration has begun.", remedy, items));
        }
        return List.of(context.warning(found, "pg_dump takes a lock on every table in one transaction; when "
                + "the shared lock table runs out it fails with 'out of shared memory'. (The migration's own hold "
                + "on the tables is left out when the table is full, and a note says so.)", remedy, items));
    }
}
