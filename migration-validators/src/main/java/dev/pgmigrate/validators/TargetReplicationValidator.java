package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.SQLException;
import java.util.List;

/** The target has streaming standbys or replication slots, which the bulk load would flood with WAL. */
public final class TargetReplicationValidator extends InstanceValidator {
    public TargetReplicationValidator() {
        super("target-replication", "The target has no streaming standbys or replication slots during the load.",
                Needs.TARGET);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        List<String> items = ReplicationCheck.standbysAndSlots(context.target());
        if (items.isEmpty()) {
            return List.of(context.succeeded("The target has no standbys and no replication slots."));
        }
        return List.of(context.warning("The target has " + Text.counted(items, "standby or slot", "standbys or slots")
                + ".", "Every copied byte is also written to WAL and shipped to standbys; slots keep WAL on disk "
                + "until consumed, so the load is slower and the target's disk may fill.", "Disable high "
                + "availability and read replicas (drop unused slots) during the migration, and enable them after.",
                items));
    }
}
