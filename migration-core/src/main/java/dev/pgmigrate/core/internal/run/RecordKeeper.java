package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationListener;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ReplicationProgress;
import dev.pgmigrate.api.TableProgress;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of a running migration's record: every change goes through here, is persisted (phase changes
 * and journal entries at once, progress at most once a second, by {@link RecordWriter}) and becomes an event. The
 * databases' and tables' progress is kept in a {@link ProgressLedger}. (A little past 300 lines: one short method
 * per kind of change, which is the point of having one writer.)
 */
public final class RecordKeeper {
    private static final Logger log = LoggerFactory.getLogger(RecordKeeper.class);

    private final Clock clock;
    private final Listeners listeners;
    private final RecordWriter writer;

    /** Guarded by {@code this}, as are {@code progress}, {@code state} and the writer's snapshot bookkeeping. */
    private MigrationRecord record;
    private final ProgressLedger progress;
    private final Map<String, String> state = new HashMap<>();
    private Instant lastProgressEvent = Instant.EPOCH;

    public RecordKeeper(MigrationStore store, StoredMigration stored, Clock clock, List<MigrationListener> listeners) {
        this.clock = clock;
        this.listeners = new Listeners(listeners);
        this.record = stored.record();
        this.writer = new RecordWriter(store, stored.namespace(), record.name());
        this.state.putAll(stored.state());
        this.progress = new ProgressLedger(record.databases());
    }

    /** The engine-state key holding when {@code substatus} was first entered, as ISO-8601 text. */
    public static String phaseKey(MigrationSubstatus substatus) {
        return "phase." + substatus.label() + ".at";
    }

    /**
     * The databases of a run that ended with {@code status}, each with a final status: see
     * {@link ProgressLedger#ended}.
     */
    public static List<DatabaseProgress> ended(List<DatabaseProgress> databases, MigrationStatus status,
            Instant now) {
        return ProgressLedger.ended(databases, status, now);
    }

    public String name() {
        return record.name();
    }

    public Instant now() {
        return clock.instant();
    }

    public synchronized MigrationRecord record() {
        refreshIfChanged();
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
        listeners.emit(new MigrationEvent.PhaseChanged(name(), now(), status, substatus));
    }

    /** Ends the migration with a final status. */
    public void finish(MigrationStatus status, MigrationSubstatus substatus, List<MigrationMessage> errors) {
        List<String> finishedDatabases;
        synchronized (this) {
            List<MigrationMessage> allErrors = new ArrayList<>(record.errors());
            errors.stream().filter(e -> !allErrors.contains(e)).forEach(allErrors::add);
            finishedDatabases = progress.end(status, now());
            record = copy(status, substatus, Optional.of(now()), allErrors, false);
            writer.write(snapshot(true));
        }
        log.info("Migration {} ended: {}", name(), status.label());
        finishedDatabases.forEach(database -> listeners.emit(new MigrationEvent.DatabaseFinished(name(), now(),
                database, status)));
        listeners.emit(new MigrationEvent.PhaseChanged(name(), now(), status, substatus));
        listeners.emit(new MigrationEvent.MigrationFinished(name(), now(), status,
                record.errors().isEmpty() ? Optional.empty() : Optional.of(record.errors().get(0))));
    }

    /**
     * Ends the migration as Failed in memory only, when the store itself failed: the handle still completes with
     * a final record, and another process sees the stored one as interrupted.
     */
    public synchronized void failWithoutStore(String error) {
        List<MigrationMessage> errors = new ArrayList<>(record.errors());
        errors.add(new MigrationMessage(MessageCode.RECORD_NOT_WRITTEN, error));
        record = copy(MigrationStatus.FAILED, MigrationSubstatus.FAILED, Optional.of(now()), errors, false);
    }

    public void addValidationResults(List<ValidationResult> results) {
        synchronized (this) {
            List<ValidationResult> all = new ArrayList<>(record.validationResults());
            all.addAll(results);
            record = with(all, record.verification(), record.notes());
            persist(true);
        }
        results.forEach(r -> listeners.emit(new MigrationEvent.ValidationReported(name(), now(), r)));
    }

    public void setVerification(VerificationReport report) {
        synchronized (this) {
            record = with(record.validationResults(), Optional.of(report), record.notes());
            persist(true);
        }
    }

    public void note(MessageCode code, String text) {
        MigrationMessage note = new MigrationMessage(code, text);
        synchronized (this) {
            if (record.notes().contains(note)) {
                return;
            }
            List<MigrationMessage> notes = new ArrayList<>(record.notes());
            notes.add(note);
            record = with(record.validationResults(), record.verification(), notes);
            persist(false);
        }
        log.info("Migration {}: {}", name(), note);
        listeners.emit(new MigrationEvent.Noted(name(), now(), note));
    }

    public synchronized void error(MigrationMessage error) {
        List<MigrationMessage> errors = new ArrayList<>(record.errors());
        if (!errors.contains(error)) {
            errors.add(error);
        }
        record = copy(record.status(), record.substatus(), record.endedAt(), errors, record.cancelRequested());
        persist(true);
    }

    // ---- databases and tables

    public synchronized void databaseStarted(String database) {
        progress.databaseStarted(database, now());
        persist(true);
    }

    /** Registers the tables of a database as queued (keeping those already known, as on resume). */
    public synchronized void tablesQueued(String database, List<TableProgress> queued) {
        progress.tablesQueued(database, queued);
        persist(true);
    }

    public void tableChanged(String database, String qualifiedName, UnaryOperator<TableProgress> change,
            MigrationEvent event) {
        MigrationEvent.MigrationProgressed overall = null;
        synchronized (this) {
            progress.tableChanged(database, qualifiedName, change);
            // Written by flushProgress() on the service's watcher, at most once a second: with thousands of tables,
            // rewriting the record on the workers' path held them all behind this lock. A table finished but not
            // yet written when the process dies is copied again on resume.
            writer.markPending();
            // A table's end always gives the figure: the last one must not leave a time left that is no more.
            if (event instanceof MigrationEvent.TableFinished
                    || Duration.between(lastProgressEvent, now()).toMillis() >= 250) {
                lastProgressEvent = now();
                overall = progress.overall(name(), lastProgressEvent);
            }
        }
        if (event != null) {
            listeners.emit(event);
        }
        if (overall != null) {
            listeners.emit(overall);
        }
    }

    /**
     * Says what a database's migration does now when no table is copying and no build runs, such as
     * "verifying"; empty while its tables copy. Shown by the progress display and {@code show}.
     */
    public synchronized void activity(String database, Optional<String> activity) {
        progress.activity(database, activity);
        writer.markPending();
    }

    /** An online migration's stream into {@code database} moved on: kept in the record and sent as an event. */
    public void replication(String database, ReplicationProgress figures) {
        synchronized (this) {
            MigrationStatus status = record.status() == MigrationStatus.WAITING_FOR_USER_ACTION
                    ? MigrationStatus.WAITING_FOR_USER_ACTION : MigrationStatus.IN_PROGRESS;
            progress.replication(database, figures, status);
            writer.markPending();
        }
        listeners.emit(new MigrationEvent.ReplicationProgressed(name(), now(), database, figures));
    }

    /** Records when the cutover was asked for (once): the downtime counts from there. */
    public synchronized void cutoverRequested(Instant at) {
        if (record.cutoverRequestedAt().isEmpty()) {
            record = record.withCutoverRequestedAt(Optional.of(at));
            persist(true);
        }
    }

    /** Withdraws the cutover request, in the record and the store: the cutover stopped and may be asked for again. */
    public void cutoverWithdrawn() {
        RecordWriter.Snapshot snapshot;
        synchronized (this) {
            record = record.withCutoverRequestedAt(Optional.empty());
            writer.markPending();
            snapshot = snapshot(false);
        }
        writer.withdrawCutover(snapshot);
    }

    /** Whether another process asked, through the store, for this online migration's cutover. */
    public boolean cutoverRequestedInStore() {
        return writer.cutoverRequested();
    }

    /** A build on a table began after its copy: {@code what}, such as "index orders_pkey" or "ANALYZE". */
    public synchronized void buildStarted(String database, String qualifiedName, String what) {
        progress.buildStarted(database, qualifiedName, what);
        writer.markPending();
    }

    /** A build on a table stopped undone, to be run again. */
    public synchronized void buildStopped(String database, String qualifiedName, String what) {
        progress.buildStopped(database, qualifiedName, what);
        writer.markPending();
    }

    /** A build on a table ended after {@code took}; an {@code ANALYZE} counts as the table's analyze time. */
    public synchronized void buildEnded(String database, String qualifiedName, String what, Duration took,
            boolean analyze) {
        progress.buildEnded(database, qualifiedName, what, took, analyze);
        writer.markPending();
    }

    public void databaseFinished(String database, MigrationStatus status, Optional<String> message) {
        synchronized (this) {
            progress.databaseFinished(database, status, message, now());
            persist(true);
        }
        listeners.emit(new MigrationEvent.DatabaseFinished(name(), now(), database, status));
    }

    // ---- journal and engine state

    /** Records an intended change on the target; call before making it. */
    public void journal(JournalKind kind, String objectName, String detail) {
        writer.journal(kind, objectName, detail, now());
    }

    /** Empties the journal once every entry was undone: nothing is left on the target to roll back. */
    public void clearJournal() {
        writer.clearJournal();
    }

    public List<JournalEntry> journal() {
        return writer.journal();
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
        return writer.cancelRequested();
    }

    /** Rewrites the record with a fresh heartbeat, so other processes see this one alive. */
    public void heartbeat() {
        RecordWriter.Snapshot snapshot;
        synchronized (this) {
            snapshot = snapshot(false);
        }
        writer.write(snapshot);
    }

    /**
     * Writes the progress made since the last write, when a second has passed since then; called every half second
     * by the service's watcher thread, so the workers never wait for the store.
     */
    public void flushProgress() {
        RecordWriter.Snapshot snapshot;
        synchronized (this) {
            if (!writer.pending() || record.status().isFinal() || !writer.due(now())) {
                return;
            }
            snapshot = snapshot(false);
        }
        writer.write(snapshot);
    }

    // ---- internals

    /** Takes the ledger's changes into the record: only when it is read or written, as they are many. */
    private void refreshIfChanged() {
        if (progress.takeChanged()) {
            record = record.withDatabases(progress.databases()).withInterrupted(false);
        }
    }

    /** Writes the record now, or (when {@code now} is false) if a second has passed since the last write. */
    private void persist(boolean now) {
        writer.markPending();
        if (!now && !writer.due(now())) {
            return;
        }
        writer.write(snapshot(false));
    }

    private RecordWriter.Snapshot snapshot(boolean last) {
        refreshIfChanged();
        return writer.take(record, state, now(), last);
    }

    private MigrationRecord copy(MigrationStatus status, MigrationSubstatus substatus, Optional<Instant> endedAt,
            List<MigrationMessage> errors, boolean cancelRequested) {
        return record.withStatus(status, substatus).withEndedAt(endedAt).withErrors(errors).withInterrupted(false)
                .withCancelRequested(cancelRequested);
    }

    private MigrationRecord with(List<ValidationResult> results, Optional<VerificationReport> verification,
            List<MigrationMessage> notes) {
        return record.withValidationResults(results).withVerification(verification).withNotes(notes)
                .withInterrupted(false);
    }
}
