package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.core.MigrationStore;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.core.StoredMigration.JournalEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store's side of a running migration's {@link RecordKeeper}: writes snapshots of its record (never an older
 * one over a newer one, and progress at most once a second), its journal, and reads a cancel asked for through the
 * store. The snapshot bookkeeping ({@link #markPending}, {@link #due}, {@link #take}) is guarded by the keeper's
 * lock; {@link #write} runs outside it.
 */
public final class RecordWriter {
    private static final Duration PROGRESS_PERSIST_INTERVAL = Duration.ofSeconds(1);

    private final MigrationStore store;
    private final String namespace;
    private final String name;
    private Instant lastPersist = Instant.EPOCH;
    /** Changes not yet written: progress waits for the keeper's flush. */
    private boolean pending;
    /** Numbers each snapshot taken for the store, so an older one is never written over a newer one. */
    private long snapshots;
    private final Object storeWrites = new Object();
    /** The newest snapshot written. Guarded by {@code storeWrites}. */
    private long written;

    /** What to write; taken under the keeper's lock, written outside it. */
    record Snapshot(long number, MigrationRecord record, Map<String, String> state, Instant at, boolean last) {
    }

    RecordWriter(MigrationStore store, String namespace, String name) {
        this.store = store;
        this.namespace = namespace;
        this.name = name;
    }

    /** Notes a change not yet written. */
    void markPending() {
        pending = true;
    }

    boolean pending() {
        return pending;
    }

    /** Whether a second has passed since the last snapshot was taken. */
    boolean due(Instant now) {
        return Duration.between(lastPersist, now).compareTo(PROGRESS_PERSIST_INTERVAL) >= 0;
    }

    /** A snapshot of {@code record} and {@code state} to write; nothing is pending after it. */
    Snapshot take(MigrationRecord record, Map<String, String> state, Instant now, boolean last) {
        lastPersist = now;
        pending = false;
        return new Snapshot(++snapshots, record, Map.copyOf(state), lastPersist, last);
    }

    /**
     * Writes {@code snapshot} unless a newer one was written. The last one also gives up the migration's
     * ownership; the others keep a cancel another process asked for meanwhile.
     */
    void write(Snapshot snapshot) {
        synchronized (storeWrites) {
            if (snapshot.number() <= written) {
                return; // a newer snapshot is already in the store
            }
            MigrationRecord mine = snapshot.record();
            store.update(namespace, name, stored -> {
                if (snapshot.last()) {
                    return stored.withRecord(mine).withState(snapshot.state()).withOwner(Optional.empty(),
                            snapshot.at());
                }
                boolean cancel = stored.record().cancelRequested() && !mine.status().isFinal();
                MigrationRecord merged = cancel == mine.cancelRequested() ? mine : mine.withCancelRequested(cancel);
                if (merged.cutoverRequestedAt().isEmpty() && stored.record().cutoverRequestedAt().isPresent()) {
                    merged = merged.withCutoverRequestedAt(stored.record().cutoverRequestedAt()); // asked meanwhile
                }
                return stored.withRecord(merged).withState(snapshot.state()).withOwner(stored.owner(), snapshot.at());
            });
            written = snapshot.number();
        }
    }

    /**
     * Withdraws the cutover request in the store, then writes {@code snapshot}, which has none: no snapshot taken
     * before it brings the request back.
     */
    void withdrawCutover(Snapshot snapshot) {
        synchronized (storeWrites) {
            store.withdrawCutover(namespace, name);
            write(snapshot);
        }
    }

    /** Records an intended change on the target; call before making it. */
    void journal(JournalKind kind, String objectName, String detail, Instant at) {
        store.update(namespace, name, m -> {
            List<JournalEntry> journal = new ArrayList<>(m.journal());
            journal.add(new JournalEntry(kind.label(), objectName, detail, at));
            return m.withJournal(journal);
        });
    }

    void clearJournal() {
        store.update(namespace, name, m -> m.withJournal(List.of()));
    }

    List<JournalEntry> journal() {
        return store.load(namespace, name).map(StoredMigration::journal).orElse(List.of());
    }

    boolean cancelRequested() {
        return store.isCancelRequested(namespace, name);
    }

    boolean cutoverRequested() {
        return store.isCutoverRequested(namespace, name);
    }
}
