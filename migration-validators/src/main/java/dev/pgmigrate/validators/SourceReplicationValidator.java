package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.SQLException;
import java.util.List;

/** I17: the source's read replicas and replication slots, which the target does not get. */
public final class SourceReplicationValidator extends InstanceValidator {
    public SourceReplicationValidator() {
        super("source-replication", "The source's read replicas and replication slots are not migrated.",
                Needs.SOURCE);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        List<String> items = ReplicationCheck.standbysAndSlots(context.source());
        if (items.isEmpty()) {
            return List.of(context.succeeded("The source has no standbys and no replication slots."));
        }
        return List.of(context.warning("The source has " + Text.counted(items, "standby or slot", "standbys or slots")
                + ".", "Replicas, slots and the consumers behind them (CDC, logical replicas) stay attached to the "
                + "source; the target starts without any.", "Recreate the replicas and slots on the target after "
                + "the migration, and repoint their consumers; a managed target may cap the number of replicas.",
                items));
    }
}
