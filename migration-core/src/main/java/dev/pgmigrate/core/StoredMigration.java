package dev.pgmigrate.core;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.Stable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link MigrationStore} keeps about one migration: the record users see, plus what the engine needs
 * to roll back, resume, and tell whether the process running it is alive.
 *
 * @param namespace the target server the migration writes to, such as {@code "db.example.com_5432"}; names are
 *     unique within one
 * @param record the user-visible record
 * @param journal every change made on the target, in order, so it can be undone
 * @param owner the process running it, while it runs
 * @param heartbeat when the owner last said it was alive
 * @param secretReferences where the passwords came from ({@code "sourceServer" -> "env:SOURCE_PASSWORD"}), never
 *     the passwords themselves
 * @param state engine state for resume: snapshot, finished tables, built indexes
 * @since 0.1
 */
@Stable(since = "0.1")
public record StoredMigration(String namespace, MigrationRecord record, List<JournalEntry> journal,
        Optional<Owner> owner, Instant heartbeat, Map<String, String> secretReferences, Map<String, String> state) {

    public StoredMigration {
        Objects.requireNonNull(namespace, "namespace must not be null");
        Objects.requireNonNull(record, "record must not be null");
        journal = List.copyOf(Objects.requireNonNull(journal, "journal must not be null"));
        Objects.requireNonNull(owner, "owner must not be null");
        Objects.requireNonNull(heartbeat, "heartbeat must not be null");
        secretReferences = Map.copyOf(Objects.requireNonNull(secretReferences, "secretReferences must not be null"));
        state = Map.copyOf(Objects.requireNonNull(state, "state must not be null"));
    }

    /** The migration's name. */
    public String name() {
        return record.name();
    }

    /** A copy with another record. */
    public StoredMigration withRecord(MigrationRecord newRecord) {
        return new StoredMigration(namespace, newRecord, journal, owner, heartbeat, secretReferences, state);
    }

    /** A copy with another journal. */
    public StoredMigration withJournal(List<JournalEntry> newJournal) {
        return new StoredMigration(namespace, record, newJournal, owner, heartbeat, secretReferences, state);
    }

    /** A copy with another owner and heartbeat. */
    public StoredMigration withOwner(Optional<Owner> newOwner, Instant newHeartbeat) {
        return new StoredMigration(namespace, record, journal, newOwner, newHeartbeat, secretReferences, state);
    }

    /** A copy with other engine state. */
    public StoredMigration withState(Map<String, String> newState) {
        return new StoredMigration(namespace, record, journal, owner, heartbeat, secretReferences, newState);
    }

    /**
     * One change made on the target.
     *
     * @param kind what was done: {@code "createDatabase"}, {@code "renameDatabase"}, {@code "createRole"},
     *     {@code "dropDatabase"}
     * @param name the object changed
     * @param detail more about it, such as a new name; may be empty
     * @param at when the intent was recorded (before the change was made)
     */
    public record JournalEntry(String kind, String name, String detail, Instant at) {
        public JournalEntry {
            Objects.requireNonNull(kind, "kind must not be null");
            Objects.requireNonNull(name, "name must not be null");
            Objects.requireNonNull(detail, "detail must not be null");
            Objects.requireNonNull(at, "at must not be null");
        }
    }

    /**
     * The process that runs a migration.
     *
     * @param host the machine's name
     * @param pid the process id
     * @param startedAt when that process started, to tell a reused pid apart
     */
    public record Owner(String host, long pid, Instant startedAt) {
        public Owner {
            Objects.requireNonNull(host, "host must not be null");
            Objects.requireNonNull(startedAt, "startedAt must not be null");
        }
    }
}
