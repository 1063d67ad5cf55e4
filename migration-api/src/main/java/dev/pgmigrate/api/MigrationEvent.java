package dev.pgmigrate.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened in a migration, delivered to a {@link MigrationListener}. New kinds are added in
 * minor versions: listeners skip the kinds they do not know.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public sealed interface MigrationEvent {
    /** The migration's name. */
    String migrationName();

    /** When it happened. */
    Instant at();

    /** The migration moved to another status or phase. */
    record PhaseChanged(String migrationName, Instant at, MigrationStatus status, MigrationSubstatus substatus)
            implements MigrationEvent {
        public PhaseChanged {
            Objects.requireNonNull(status, "status must not be null");
            Objects.requireNonNull(substatus, "substatus must not be null");
        }
    }

    /** A premigration check produced a result. */
    record ValidationReported(String migrationName, Instant at, ValidationResult result) implements MigrationEvent {
        public ValidationReported {
            Objects.requireNonNull(result, "result must not be null");
        }
    }

    /** A table, or one range of it, began to copy. */
    record TableStarted(String migrationName, Instant at, String database, String schema, String table, int part,
            int parts, String moverId) implements MigrationEvent {
    }

    /**
     * A table's copy moved on: its rows and bytes so far over all its parts, those copying included; sent at most a
     * few times a second per part.
     */
    record TableProgressed(String migrationName, Instant at, String database, String schema, String table,
            long rows, long bytes) implements MigrationEvent {
    }

    /** A table, with all its ranges, is copied and committed. */
    record TableFinished(String migrationName, Instant at, String database, String schema, String table, long rows,
            long bytes, Duration elapsed) implements MigrationEvent {
    }

    /** The whole migration moved on: bytes done over the estimated total, and the time left. */
    record MigrationProgressed(String migrationName, Instant at, long bytesDone, long bytesTotal, long rowsDone,
            Optional<Duration> timeLeft) implements MigrationEvent {
    }

    /** One database reached a final state. */
    record DatabaseFinished(String migrationName, Instant at, String database, MigrationStatus status)
            implements MigrationEvent {
    }

    /**
     * A note was added to the record: a wait and who causes it, a server that stopped answering or answers again,
     * a warning. Notes say what the migration is doing when its progress does not move.
     *
     * @since 0.2
     */
    record Noted(String migrationName, Instant at, MigrationMessage note) implements MigrationEvent {
        public Noted {
            Objects.requireNonNull(note, "note must not be null");
        }
    }

    /**
     * An online migration's stream into one database moved on: what it applied and how far it trails the source.
     * Sent about once a second per database while the stream runs.
     *
     * @since 0.3
     */
    record ReplicationProgressed(String migrationName, Instant at, String database, ReplicationProgress progress)
            implements MigrationEvent {
        public ReplicationProgressed {
            Objects.requireNonNull(progress, "progress must not be null");
        }
    }

    /** The migration reached a final status. */
    record MigrationFinished(String migrationName, Instant at, MigrationStatus status,
            Optional<MigrationMessage> error) implements MigrationEvent {
        public MigrationFinished {
            Objects.requireNonNull(status, "status must not be null");
            Objects.requireNonNull(error, "error must not be null");
        }
    }
}
