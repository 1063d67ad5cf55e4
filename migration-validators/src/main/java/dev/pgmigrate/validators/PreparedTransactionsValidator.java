package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** I22: prepared transactions on the source hold locks and keep old rows, and are not copied. */
public final class PreparedTransactionsValidator extends InstanceValidator {
    public PreparedTransactionsValidator() {
        super("prepared-transactions", "No prepared (two-phase) transaction is pending on the source.", Needs.SOURCE);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        List<String> items;
        try (Connection connection = maintenance(context.source())) {
            items = Sql.strings(connection, "SELECT gid || ' in ' || database || ' by ' || owner || ' since '"
                    + " || to_char(prepared, 'YYYY-MM-DD HH24:MI:SS') FROM pg_prepared_xacts ORDER BY prepared");
        }
        if (items.isEmpty()) {
            return List.of(context.succeeded("No prepared transaction is pending on the source."));
        }
        return List.of(context.warning(Text.counted(items, "prepared transaction is", "prepared transactions are")
                + " pending on the source.", "Their changes are not in the snapshot that is copied, and the locks "
                + "they hold can block pg_dump.", "Have the transaction manager finish them, or end them with "
                + "COMMIT PREPARED '<gid>' or ROLLBACK PREPARED '<gid>' in their database.", items));
    }
}
