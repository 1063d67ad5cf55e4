package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.DumpScript;
import dev.pgmigrate.core.internal.schema.PgTools;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of a database's start, which changes nothing on the target: once its snapshot is open, how its
 * database was created, pg_dump's two sections dumped and parsed on threads of their own (which wait on pg_dump
 * rather than use a core), and the source's catalog read by a worker on the snapshot's connection. Meanwhile the
 * target database is made, and once it exists the workers open their connections, so that the copies can start as
 * soon as the schema is restored. For a fresh offline migration with premigration checks, the first database's is
 * begun on a thread of its own while the checks run.
 */
final class SourceSide {
    private static final Logger log = LoggerFactory.getLogger(SourceSide.class);
    private static final long STOP_WAIT_MILLIS = 30_000;

    private final MigrationSettings settings;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final WorkerPool pool;
    private final SourceDumps dumps;

    /** What a database's source side read, and what it left running. */
    record Started(PgTools.PgDump pgDump, TargetDatabase.Creation properties, Future<DumpScript> preScript,
            Future<DumpScript> postScript, Future<SourceCatalog> catalog) {
        /** Stops what still runs: pg_dump's threads, and with them their processes. */
        void stop() {
            preScript.cancel(true);
            postScript.cancel(true);
        }
    }

    SourceSide(MigrationSettings settings, RecordKeeper keeper, Endpoint source, WorkerPool pool, SourceDumps dumps) {
        this.settings = settings;
        this.keeper = keeper;
        this.source = source;
        this.pool = pool;
        this.dumps = dumps;
    }

    /** Once {@code db}'s snapshot is open: the rest of its source side, started. */
    Started start(DatabaseRun db, PgTools.PgDump pgDump) throws SQLException {
        TargetDatabase.Creation properties = TargetDatabase.Creation.read(db.snapshotConnection,
                source.requireFacts(), db.name);
        Future<DumpScript> preScript = dumps.aside(db, pgDump, "pre-data", dumps.preDataOptions(db));
        Future<DumpScript> postScript = dumps.aside(db, pgDump, "post-data", dumps.postDataOptions(db));
        db.postScript = postScript;
        Future<SourceCatalog> catalog = pool.submit(() -> SourceCatalog.read(
                db.snapshotConnection), WorkerPool.PRIORITY_POST_DATA + 3);
        return new Started(pgDump, properties, preScript, postScript, catalog);
    }

    /**
     * Begins {@code db}'s whole source side, its snapshot first, on a thread of its own: {@code db.sourceStart}
     * holds the outcome. The snapshot's lock wait answers {@code db.abort}, as the migration's close cancels it.
     */
    void startAside(DatabaseRun db, Future<PgTools.PgDump> pgDumpLookup) {
        FutureTask<Started> task = new FutureTask<>(() -> {
            SourceLocks.openSnapshot(db, source, settings, db.abort, keeper);
            try {
                return start(db, pgDumpLookup.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        });
        db.sourceStart = task;
        Thread thread = new Thread(task, "pgmigrate-source-side");
        thread.setDaemon(true);
        db.sourceStartThread = thread;
        thread.start();
    }

    /**
     * Ends a source side begun aside and never taken up (the checks failed, or the migration stopped): waits for its
     * thread, whose lock wait the database's abort canceled, then stops its pg_dumps. The snapshot is closed after.
     */
    static void stop(DatabaseRun db) {
        if (db.sourceStart == null) {
            return;
        }
        try {
            db.sourceStartThread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!db.sourceStart.isDone()) {
            log.warn("The snapshot of {} was still being taken {} s after the migration stopped", db.name,
                    STOP_WAIT_MILLIS / 1000);
            return;
        }
        try {
            db.sourceStart.get().stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.debug("The source side of {} had failed", db.name, e.getCause());
        }
    }
}
