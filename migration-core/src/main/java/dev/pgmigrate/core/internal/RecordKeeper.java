package dev.pgmigrate.core.internal;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationListener;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.MigrationStore;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.core.StoredMigration.JournalEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of a running migration's record: every change goes through here, is persisted (phase changes
 * and journal entries at once, progress at most once a second) and becomes an event.
 */
public final class RecordKeeper {
    private static final Logger log = LoggerFactory.getLogger(RecordKeeper.class);
    private static final Duration PROGRESS_PERSIST_INTERVAL = Duration.ofSeconds(1);

    private final MigrationStore store;
    private final String namespace;
    private final Clock clock;
    private final List<MigrationListener> listeners = new CopyOnWriteArrayList<>();

    private MigrationRecord record;
    private final Map<String, Map<String, TableProgress>> tables = new LinkedHashMap<>();
    private final Map<String, DatabaseProgress> databases = new LinkedHashMap<>();
    private final Map<String, String> state = new HashMap<>();
    private Instant lastPersist = Instant.EPOCH;
    private Instant lastProgressEvent = Instant.EPOCH;
    /** Changes not yet written: progress waits for {@link #flushProgress()}. Guarded by {@code this}. */
    private boolean pending;
    /** Events decided under the lock, sent after it is released. Guarded by {@code this}. */
    private final List<MigrationEvent> emitLater = new ArrayList<>();
    /** Numbers each snapshot taken for the store, so an older one is never written over a newer one. */
    private long snapshots;
    private final Object storeWrites = new Object();
    /** The newest snapshot written. Guarded by {@code storeWrites}. */
    private long written;

    public RecordKeeper(MigrationStore store, StoredMigration stored, Clock clock, List<MigrationListener> listeners) {
        this.store = store;
        this.namespace = stored.namespace();
        this.clock = clock;
        this.listeners.addAll(listeners);
        this.record = stored.record();
        this.state.putAll(stored.state());
        for (DatabaseProgress db : record.databases()) {
            databases.put(db.database(), db);
            Map<String, TableProgress> byName = new LinkedHashMap<>();
            db.tables().forEach(t -> byName.put(t.qualifiedName(), t));
            tables.put(db.database(), byName);
        }
    }

    /** The engine-state key holding when {@code substatus} was first entered, as ISO-8601 text. */
    public static String phaseKey(MigrationSubstatus substatus) {
        return "phase." + substatus.label() + ".at";
    }

    public String name() {
        return record.name();
    }

    public String namespace() {
        return namespace;
    }

    public MigrationSpec spec() {
        return record.spec();
    }

    public Instant now() {
        return clock.instant();
    }

    public void addListener(MigrationListener listener) {
        listeners.add(listener);
    }

    public synchronized MigrationRecord record() {
        refreshIfDirty();
        return record;
    }

    /**
     * Moves to a new phase and persists it before the work it announces begins. The first time a phase is
     * entered is kept in the engine state under {@link #phaseKey} for the report's timeline.
     */
    public void phase(MigrationStatus status, MigrationSubstatus substatus) {
        synchronized (this) {
            record = copy(status, substatus, record.endedAt(), record.errors(), record.cancelRequested());
            state.putIfAbsent(phaseKey(substatus), now().toString());
            persist(true);
        }
        log.info("Migration {}: {} / {}", name(), status.label(), substatus.label());
        emit(new MigrationEvent.PhaseChanged(name(), now(), status, substatus));
    }

    /** Ends the migration with a final status. */
    public void finish(MigrationStatus status, MigrationSubstatus substatus, List<String> errors) {
        synchronized (this) {
            List<String> allErrors = new ArrayList<>(record.errors());
            errors.stream().filter(e -> !allErrors.contains(e)).forEach(allErrors::add);
            endDatabases(status);
            record = copy(status, substatus, Optional.of(now()), allErrors, false);
            persistFinal();
        }
        log.info("Migration {} ended: {}", name(), status.label());
        List<MigrationEvent> ended;
        synchronized (this) {
            ended = List.copyOf(emitLater);
            emitLater.clear();
        }
        ended.forEach(this::emit);
        emit(new MigrationEvent.PhaseChanged(name(), now(), status, substatus));
        emit(new MigrationEvent.MigrationFinished(name(), now(), status,
                record.errors().isEmpty() ? Optional.empty() : Optional.of(record.errors().get(0))));
    }

    /**
     * Gives every database the run's final status where it has none of its own yet: a database is never left
     * InProgress by a run that ended.
     */
    private void endDatabases(MigrationStatus status) {
        List<DatabaseProgress> before = List.copyOf(databases.values());
        for (DatabaseProgress db : ended(before, status, now())) {
            DatabaseProgress was = databases.put(db.database(), db);
            if (was != null && was.status() != db.status()) {
                emitLater.add(new MigrationEvent.DatabaseFinished(name(), now(), db.database(), status));
            }
        }
        rebuild();
    }

    /**
     * The databases of a run that ended with {@code status}, each with a final status: those still InProgress take
     * the run's, and one that had succeeded before the run failed or was canceled was rolled back with the rest
     * and says so. Tables are kept as they are.
     */
    public static List<DatabaseProgress> ended(List<DatabaseProgress> databases, MigrationStatus status,
            Instant now) {
        boolean rolledBack = status == MigrationStatus.FAILED || status == MigrationStatus.CANCELED;
        List<DatabaseProgress> result = new ArrayList<>();
        for (DatabaseProgress db : databases) {
            boolean open = db.status() == MigrationStatus.IN_PROGRESS;
            boolean undone = rolledBack && db.status() == MigrationStatus.SUCCEEDED;
            if (!open && !undone) {
                result.add(db);
                continue;
            }
            Optional<String> message = undone ? Optional.of("Rolled back: the migration " + (status
                    == MigrationStatus.FAILED ? "failed" : "was canceled") + " after this database was copied.")
                    : db.message().or(() -> endMessage(status, db.startedAt().isPresent()));
            result.add(new DatabaseProgress(db.database(), status, db.startedAt(),
                    db.startedAt().isPresent() ? db.endedAt().or(() -> Optional.of(now)) : Optional.empty(),
                    db.tables(), message));
        }
        return result;
    }

    private static Optional<String> endMessage(MigrationStatus status, boolean started) {
        return switch (status) {
            case SUCCEEDED -> Optional.of("Validated; not migrated (migration option Validate).");
            case VALIDATION_FAILED -> Optional.of("Not migrated: a premigration check failed.");
            case FAILED -> Optional.of(started ? "Failed; every change on the target was rolled back."
                    : "Not migrated: the migration failed before this database.");
            case CANCELED -> Optional.of(started ? "Canceled; every change on the target was rolled back."
                    : "Not migrated: the migration was canceled before this database.");
            default -> Optional.empty();
        };
    }

    /**
     * Ends the migration as Failed in memory only, when the store itself failed: the handle still completes with
     * a final record, and another process sees the stored one as interrupted.
     */
    public synchronized void failWithoutStore(String error) {
        List<String> errors = new ArrayList<>(record.errors());
        errors.add(error);
        record = copy(MigrationStatus.FAILED, MigrationSubstatus.FAILED, Optional.of(now()), errors, false);
    }

    public void addValidationResults(List<ValidationResult> results) {
        synchronized (this) {
            List<ValidationResult> all = new ArrayList<>(record.validationResults());
            all.addAll(results);
            record = with(all, record.verification(), record.notes());
            persist(true);
        }
        results.forEach(r -> emit(new MigrationEvent.ValidationReported(name(), now(), r)));
    }

    public void setVerification(VerificationReport report) {
        synchronized (this) {
            record = with(record.validationResults(), Optional.of(report), record.notes());
            persist(true);
        }
    }

    public void note(String note) {
        synchronized (this) {
            if (record.notes().contains(note)) {
                return;
            }
            List<String> notes = new ArrayList<>(record.notes());
            notes.add(note);
            record = with(record.validationResults(), record.verification(), notes);
            persist(false);
        }
        log.info("Migration {}: {}", name(), note);
        emit(new MigrationEvent.Noted(name(), now(), note));
    }

    public synchronized void error(String error) {
        List<String> errors = new ArrayList<>(record.errors());
        if (!errors.contains(error)) {
            errors.add(error);
        }
        record = copy(record.status(), record.substatus(), record.endedAt(), errors, record.cancelRequested());
        persist(true);
    }

    // ---- databases and tables

    public synchronized void databaseStarted(String database) {
        DatabaseProgress db = databases.get(database);
        databases.put(database, new DatabaseProgress(database, MigrationStatus.IN_PROGRESS,
                db != null && db.startedAt().isPresent() ? db.startedAt() : Optional.of(now()), Optional.empty(),
                List.of(), Optional.empty()));
        tables.computeIfAbsent(database, k -> new LinkedHashMap<>());
        rebuild();
        persist(true);
    }

    /** Registers the tables of a database as queued (keeping those already known, as on resume). */
    public synchronized void tablesQueued(String database, List<TableProgress> queued) {
        Map<String, TableProgress> byName = tables.computeIfAbsent(database, k -> new LinkedHashMap<>());
        for (TableProgress t : queued) {
            byName.putIfAbsent(t.qualifiedName(), t);
        }
        rebuild();
        persist(true);
    }

    public void tableChanged(String database, String qualifiedName, UnaryOperator<TableProgress> change,
            MigrationEvent event) {
        boolean emitOverall;
        synchronized (this) {
            Map<String, TableProgress> byName = tables.get(database);
            TableProgress current = byName.get(qualifiedName);
            byName.put(qualifiedName, change.apply(current));
            rebuild();
            // Written by flushProgress() on the service's watcher, at most once a second: with thousands of tables,
            // rewriting the record on the workers' path held them all behind this lock. A table finished but not
            // yet written when the process dies is copied again on resume.
            pending = true;
            emitOverall = Duration.between(lastProgressEvent, now()).toMillis() >= 250;
            if (emitOverall) {
                lastProgressEvent = now();
            }
        }
        if (event != null) {
            emit(event);
        }
        if (emitOverall) {
            emit(overallProgress());
        }
    }

    public synchronized Optional<TableProgress> table(String database, String qualifiedName) {
        return Optional.ofNullable(tables.getOrDefault(database, Map.of()).get(qualifiedName));
    }

    public void databaseFinished(String database, MigrationStatus status, Optional<String> message) {
        synchronized (this) {
            DatabaseProgress db = databases.get(database);
            databases.put(database, new DatabaseProgress(database, status,
                    db == null ? Optional.of(now()) : db.startedAt(), Optional.of(now()), List.of(), message));
            rebuild();
            persist(true);
        }
        emit(new MigrationEvent.DatabaseFinished(name(), now(), database, status));
    }

    private MigrationEvent.MigrationProgressed overallProgress() {
        MigrationRecord r = record();
        long total = 0;
        long done = 0;
        long rows = 0;
        Instant firstStart = null;
        for (DatabaseProgress db : r.databases()) {
            for (TableProgress t : db.tables()) {
                long size = Math.max(t.estimatedBytes(), t.bytes());
                total += size;
                done += t.state() == TableState.COMPLETED ? size : Math.min(t.bytes(), size);
                rows += t.rows();
                if (t.startedAt().isPresent() && (firstStart == null || t.startedAt().get().isBefore(firstStart))) {
                    firstStart = t.startedAt().get();
                }
            }
        }
        Optional<Duration> left = Optional.empty();
        if (firstStart != null && done > 0 && total > done) {
            long elapsedMs = Duration.between(firstStart, now()).toMillis();
            left = Optional.of(Duration.ofMillis((long) (elapsedMs * (double) (total - done) / done)));
        }
        return new MigrationEvent.MigrationProgressed(name(), now(), done, total, rows, left);
    }

    // ---- journal and engine state

    /** Records an intended change on the target; call before making it. */
    void journal(JournalKind kind, String objectName, String detail) {
        store.update(namespace, name(), m -> {
            List<JournalEntry> journal = new ArrayList<>(m.journal());
            journal.add(new JournalEntry(kind.label(), objectName, detail, now()));
            return m.withJournal(journal);
        });
    }

    /** Empties the journal once every entry was undone: nothing is left on the target to roll back. */
    public void clearJournal() {
        store.update(namespace, name(), m -> m.withJournal(List.of()));
    }

    public List<JournalEntry> journal() {
        return store.load(namespace, name()).map(StoredMigration::journal).orElse(List.of());
    }

    public synchronized void putState(String key, String value) {
        state.put(key, value);
        persist(true);
    }

    public synchronized Optional<String> state(String key) {
        return Optional.ofNullable(state.get(key));
    }

    /** Whether another process asked, through the store, for this migration to be canceled. */
    public boolean cancelRequestedInStore() {
        return store.isCancelRequested(namespace, name());
    }

    /** Rewrites the record with a fresh heartbeat, so other processes see this one alive. */
    public void heartbeat() {
        Snapshot snapshot;
        synchronized (this) {
            snapshot = snapshot(false);
        }
        write(snapshot);
    }

    /**
     * Writes the progress made since the last write, when a second has passed since then; called every half second
     * by the service's watcher thread, so the workers never wait for the store.
     */
    public void flushProgress() {
        Snapshot snapshot;
        synchronized (this) {
            if (!pending || record.status().isFinal()
                    || Duration.between(lastPersist, now()).compareTo(PROGRESS_PERSIST_INTERVAL) < 0) {
                return;
            }
            snapshot = snapshot(false);
        }
        write(snapshot);
    }

    // ---- internals

    /**
     * Marks the per-database part of the record stale. Rebuilding it walks every table, so it happens only when
     * the record is read or written (at most once a second), never once per table change: with thousands of
     * tables a rebuild per change would cost quadratic time.
     */
    private void rebuild() {
        dirty = true;
    }

    private boolean dirty;

    private void refreshIfDirty() {
        if (dirty) {
            dirty = false;
            refresh();
        }
    }

    private void refresh() {
        List<DatabaseProgress> all = new ArrayList<>();
        for (DatabaseProgress db : databases.values()) {
            List<TableProgress> dbTables = new ArrayList<>(tables.getOrDefault(db.database(), Map.of()).values());
            all.add(new DatabaseProgress(db.database(), db.status(), db.startedAt(), db.endedAt(), dbTables,
                    db.message()));
        }
        record = record.withDatabases(all).withInterrupted(false);
    }

    /** Writes the record now, or (when {@code now} is false) if a second has passed since the last write. */
    private void persist(boolean now) {
        pending = true;
        if (!now && Duration.between(lastPersist, now()).compareTo(PROGRESS_PERSIST_INTERVAL) < 0) {
            return;
        }
        write(snapshot(false));
    }

    private void persistFinal() {
        write(snapshot(true));
    }

    private record Snapshot(long number, MigrationRecord record, Map<String, String> state, Instant at,
            boolean last) {
    }

    /** What to write; taken under this object's lock, written outside it. */
    private Snapshot snapshot(boolean last) {
        lastPersist = now();
        pending = false;
        refreshIfDirty();
        return new Snapshot(++snapshots, record, Map.copyOf(state), lastPersist, last);
    }

    private void write(Snapshot snapshot) {
        synchronized (storeWrites) {
            if (snapshot.number() <= written) {
                return; // a newer snapshot is already in the store
            }
            MigrationRecord mine = snapshot.record();
            store.update(namespace, name(), stored -> {
                if (snapshot.last()) {
                    return stored.withRecord(mine).withState(snapshot.state()).withOwner(Optional.empty(),
                            snapshot.at());
                }
                boolean cancel = stored.record().cancelRequested() && !mine.status().isFinal();
                MigrationRecord merged = cancel == mine.cancelRequested() ? mine : mine.withCancelRequested(cancel);
                return stored.withRecord(merged).withState(snapshot.state()).withOwner(stored.owner(), snapshot.at());
            });
            written = snapshot.number();
        }
    }

    private MigrationRecord copy(MigrationStatus status, MigrationSubstatus substatus, Optional<Instant> endedAt,
            List<String> errors, boolean cancelRequested) {
        return record.withStatus(status, substatus).withEndedAt(endedAt).withErrors(errors).withInterrupted(false)
                .withCancelRequested(cancelRequested);
    }

    private MigrationRecord with(List<ValidationResult> results, Optional<VerificationReport> verification,
            List<String> notes) {
        return record.withValidationResults(results).withVerification(verification).withNotes(notes)
                .withInterrupted(false);
    }

    private void emit(MigrationEvent event) {
        for (MigrationListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("A migration listener threw on {}; ignoring it", event.getClass().getSimpleName(), e);
            }
        }
    }
}
