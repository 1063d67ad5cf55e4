package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.EngineOptions;
import dev.pgmigrate.core.internal.run.JournalKind;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.Rollback;
import dev.pgmigrate.core.internal.run.WorkerPool;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An online migration's streams, one per database from the end of its copy, and its cutover ({@link Cutover}): the
 * source quiet, every stream caught up with the source's last position and stopped, the sequences set from the
 * source, the target verified against the source as it now is, and what the migration made on the source dropped.
 */
public final class OnlineReplication implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnlineReplication.class);

    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final CancelSignal cancel;
    private final Map<String, DatabaseStream> streams = new LinkedHashMap<>();
    private final Map<String, String> workingNames = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    public OnlineReplication(MigrationSpec spec, RecordKeeper keeper, Endpoint source, Endpoint target,
            CancelSignal cancel) {
        this.spec = spec;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.cancel = cancel;
    }

    /** Makes the publication and slot of {@code database}, before its copy: see {@link OnlineStart#begin}. */
    public SourceSlot begin(String database) throws SQLException {
        int version = source.requireFacts().versionNum();
        if (version < 100_000) {
            throw new MigrationException(MessageCode.REPLICATION_FAILED, "An online migration needs a source of "
                    + "PostgreSQL 10 or later (its pgoutput decoding); this source is " + source.requireFacts()
                    .version() + ". Migrate it offline (migrationMode Offline).");
        }
        return OnlineStart.begin(spec.name(), database, source.connector(), target.maintenance(), spec.settings(),
                keeper);
    }

    /** Starts following the source's changes into {@code working}, the copy of {@code database}. */
    public void follow(String database, String working) {
        String slot = SourceSlot.name(spec.name(), database);
        if (keeper.journal().stream().noneMatch(e -> e.kind().equals(JournalKind.TARGET_ORIGIN.label())
                && e.name().equals(slot))) {
            keeper.journal(JournalKind.TARGET_ORIGIN, slot, working);
        }
        DatabaseStream stream = new DatabaseStream(database, working, slot, source.connector(), target.connector(),
                keeper, EngineOptions.applyGroupStatements(spec.settings()),
                java.time.Duration.ofSeconds(EngineOptions.reconnectSeconds(spec.settings())), spec.settings().selection());
        streams.put(database, stream);
        workingNames.put(database, working);
        Thread thread = new Thread(stream, "pgmigrate-" + spec.name() + "-stream-" + database);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        keeper.activity(database, java.util.Optional.empty()); // its replication figures say what it does
        log.info("Database {}: following the source's changes from slot {}", database, slot);
    }

    /** Waits, while the streams run, until {@code trigger} completes; a stream's failure or a cancel ends it. */
    public void awaitCutover(CompletableFuture<Void> trigger) throws Exception {
        while (!trigger.isDone()) {
            cancel.check();
            failure();
            Thread.sleep(100);
        }
    }

    /** Rethrows the failure of a stream that ended in one. */
    void failure() throws Exception {
        for (DatabaseStream stream : streams.values()) {
            if (stream.ended().isCompletedExceptionally()) {
                try {
                    stream.ended().join();
                } catch (java.util.concurrent.CompletionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
    }

    /**
     * The cutover's part on the data (see {@link Cutover}): true once each database is caught up, its sequences set
     * and verified against the source as it now is; false when the source was still written after
     * {@code online.cutoverWaitSeconds}, noted with the sessions, every stream following again.
     */
    public boolean cutover(WorkerPool pool) throws Exception {
        return new Cutover(this, spec, keeper, source, target, cancel).run(pool);
    }

    /** Each database's stream, by database. */
    Map<String, DatabaseStream> streams() {
        return streams;
    }

    /** Each database's copy on the target, by database. */
    Map<String, String> workingNames() {
        return workingNames;
    }

    /** Has every database follow the source again, once the cutover stopped its stream. */
    void followAgain() {
        new LinkedHashMap<>(workingNames).forEach(this::follow);
    }

    /**
     * Drops what the migration made on the source (slots, publications, replica identities set back) and the
     * target's replication origins, once the cutover verified the target; a problem is noted, not failed on: the
     * target is complete.
     */
    public void cleanUp() {
        List<String> problems = Rollback.undoOnSource(source.connector(), target.connector(),
                target.facts().map(f -> f.maintenanceDatabase()).orElse("postgres"), keeper.journal());
        if (problems.isEmpty()) {
            keeper.note(MessageCode.SOURCE_CLEANED_UP, "Dropped the replication slot and publication of "
                    + streams.size() + " database(s) on the source" + (keeper.journal().stream().anyMatch(e -> e.kind()
                    .equals(JournalKind.SOURCE_REPLICA_IDENTITY.label())) ? ", set the replica identities back" : "")
                    + " and dropped the target's replication origins.");
        } else {
            problems.forEach(p -> keeper.note(MessageCode.ROLLBACK_INCOMPLETE, "Left after the cutover: " + p));
        }
    }

    /** Stops every stream (an open group is rolled back: the source sends it again to a resumed run). */
    @Override
    public void close() {
        streams.values().forEach(DatabaseStream::abort);
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
