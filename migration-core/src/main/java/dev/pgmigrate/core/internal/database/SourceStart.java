package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.core.internal.online.OnlineReplication;
import dev.pgmigrate.core.internal.online.SourceSlot;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.DumpScript;
import dev.pgmigrate.core.internal.schema.PgTools;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's side of a database's start, all of it reads: the snapshot and its locks, how the database was
 * created, pg_dump's two sections (running on threads of their own) and the catalog. A fresh offline migration that
 * validates first begins its first database's while the premigration checks run ({@link #ahead}): the checks take
 * a few hundred milliseconds of round trips, and pg_dump as long, so the target database can be made as soon as they
 * pass. Nothing of it touches the target; checks that fail, or a cancel, stop it ({@link Ahead#stop}) and end its
 * snapshot, and pg_dump's sessions with it.
 */
final class SourceStart {
    private static final Logger log = LoggerFactory.getLogger(SourceStart.class);

    /** What a database's start on the source gave: the creation's properties and the work under way. */
    record Started(TargetDatabase.Creation properties, Future<DumpScript> preScript, Future<DumpScript> postScript,
            Future<SourceCatalog> catalog) {
    }

    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final WorkerPool pool;
    private final OnlineReplication online;
    private Future<PgTools.PgDump> pgDumpLookup;

    SourceStart(MigrationSpec spec, RecordKeeper keeper, Endpoint source, Endpoint target, WorkerPool pool,
            OnlineReplication online) {
        this.spec = spec;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.pool = pool;
        this.online = online;
    }

    /**
     * The pg_dump for the source, looked for once (a process per pg_dump found): on the pool, below the first
     * database's snapshot; or, ahead of the checks, on a thread of its own, since they keep the pool busy.
     */
    synchronized Future<PgTools.PgDump> pgDump(boolean ownThread) {
        if (pgDumpLookup == null) {
            java.util.concurrent.Callable<PgTools.PgDump> lookup = () -> {
                PgTools.PgDump found = PgTools.pgDumpFor(source.requireFacts(), spec.settings());
                log.info("Using {} ({})", found.path(), found.version());
                return found;
            };
            if (ownThread) {
                FutureTask<PgTools.PgDump> task = new FutureTask<>(lookup);
                Thread thread = new Thread(task, "pgmigrate-pg_dump-lookup");
                thread.setDaemon(true);
                thread.start();
                pgDumpLookup = task;
            } else {
                pgDumpLookup = pool.submit(lookup, WorkerPool.PRIORITY_POST_DATA + 2);
            }
        }
        return pgDumpLookup;
    }

    /**
     * Starts {@code db} on the source: its snapshot (an online migration's from its new slot), then pg_dump's
     * sections on threads of their own and, with {@code catalogOnPool}, the catalog on a worker while the caller
     * makes the target database; else on this thread.
     */
    Started begin(DatabaseRun db, CancelSignal signal, boolean catalogOnPool) throws Exception {
        if (online != null) {
            try (SourceSlot slot = online.begin(db.name)) {
                SourceLocks.openSnapshot(db, source, spec.settings(), signal, keeper, slot.snapshot());
            }
        } else {
            SourceLocks.openSnapshot(db, source, spec.settings(), signal, keeper);
        }
        PgTools.PgDump pgDump = result(pgDump(!catalogOnPool));
        TargetDatabase.Creation properties = TargetDatabase.Creation.read(db.snapshotConnection,
                source.requireFacts(), db.name);
        // Both sections come from the same snapshot. They are dumped and parsed at once on threads of their own,
        // which wait on pg_dump rather than use a core.
        SourceDumps dumps = new SourceDumps(spec, signal);
        Future<DumpScript> preScript = dumps.preData(db, pgDump, !target.requireFacts().atLeast(150000));
        Future<DumpScript> postScript = dumps.aside(db, pgDump, "post-data", dumps.postDataOptions(db));
        db.postScript = postScript;
        Future<SourceCatalog> catalog = catalogOnPool
                ? pool.submit(() -> SourceCatalog.read(db.snapshotConnection), WorkerPool.PRIORITY_POST_DATA + 3)
                : CompletableFuture.completedFuture(SourceCatalog.read(db.snapshotConnection));
        return new Started(properties, preScript, postScript, catalog);
    }

    /** Begins {@code db} on the source now, on a thread of its own, while the premigration checks run. */
    Ahead ahead(DatabaseRun db, CancelSignal cancel) {
        CancelSignal signal = cancel.child();
        FutureTask<Started> task = new FutureTask<>(() -> begin(db, signal, false));
        Thread thread = new Thread(task, "pgmigrate-ahead-" + db.name);
        thread.setDaemon(true);
        thread.start();
        return new Ahead(db, task, signal);
    }

    /** A database begun ahead of the premigration checks. */
    static final class Ahead {
        final DatabaseRun db;
        private final Future<Started> started;
        private final CancelSignal signal;

        private Ahead(DatabaseRun db, Future<Started> started, CancelSignal signal) {
            this.db = db;
            this.started = started;
            this.signal = signal;
        }

        /** What it gave, once done; its failure as it was thrown. */
        Started await() throws Exception {
            return result(started);
        }

        /**
         * Stops it (its lock wait and pg_dump runs) and waits for its thread, so that the snapshot it may still be
         * opening is closed by the caller after it, not left open.
         */
        void stop() {
            signal.cancel("stopped: the migration ended before its data phase");
            try {
                started.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | RuntimeException e) {
                log.debug("Database {}: its start ahead of the checks ended with", db.name, e);
            }
            try {
                Started s = started.get();
                for (Future<DumpScript> dump : java.util.List.of(s.preScript(), s.postScript())) {
                    try {
                        dump.get(); // pg_dump sees the signal within a fraction of a second and is ended
                    } catch (ExecutionException | RuntimeException e) {
                        // canceled, as asked
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | RuntimeException e) {
                // nothing was started beyond the failure
            }
        }
    }

    /** A task's result; its failure rethrown as it was thrown. */
    static <T> T result(Future<T> task) throws Exception {
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
