package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** O8: large objects are copied from the snapshot; logical replication does not carry their later changes. */
public final class OnlineLargeObjectsValidator extends OnlineDatabaseValidator {
    public OnlineLargeObjectsValidator() {
        super("online-large-objects", "Online: large objects are not replicated after the copy.");
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        long count = Sql.number(connection, "SELECT count(*) FROM pg_largeobject_metadata");
        if (count == 0) {
            return List.of(context.succeeded("No large objects: nothing is left out of the replication."));
        }
        return List.of(context.warning("The database has " + Text.count(count, "large object", "large objects")
                + ": copied from the snapshot, later changes are not replicated.", "Logical decoding streams "
                + "changes to tables only: large objects created, written or unlinked on the source after the "
                + "copy's snapshot stay as the snapshot had them on the target.", "Stop changing large objects "
                + "once the migration starts (or store their contents in bytea columns, which are replicated); "
                + "otherwise copy the ones changed by hand after the cutover.", List.of(String.valueOf(count))));
    }
}
