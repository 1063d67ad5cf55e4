package dev.pgmigrate.core.internal.verify;

import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The tables a resumed database keeps from before its interruption, compared with the resume's snapshot before
 * anything is copied beside them: they were copied from the dead process's snapshot, the rest will be from the new
 * one, and only a table whose rows are the same in both (its count and checksum on both servers) belongs beside
 * them. Checked whether the migration verifies or not.
 */
public final class KeptTables {
    private KeptTables() {
    }

    /**
     * Compares each of {@code kept} (tables whose rows are copied) of {@code db}, on its snapshot, with its copy in
     * the working database, on the pool's workers and their pairs of verification sessions in {@code db}; returns
     * each one's comparison by OID.
     */
    public static Map<Long, TableVerification> compare(DatabaseRun db, Collection<Table> kept,
            ServerConnector source, ServerConnector target, int targetVersion, WorkerPool pool, CancelSignal cancel)
            throws Exception {
        Map<Long, TableVerification> compared = new ConcurrentHashMap<>();
        if (kept.isEmpty()) {
            return compared;
        }
        RowChecksums.HashMode mode = RowChecksums.HashMode.of(Math.min(db.catalog.versionNum, targetVersion));
        // On a pair's session: its search_path names the columns' types as the source's catalog does.
        Map<String, Map<String, String>> targetColumns = Verifier.columnsByTable(Verifier.anyPair(
                db.verifyConnections, source, db.name, db.catalog.versionNum, target, db.working).target());
        CancelSignal abort = new CancelSignal();
        ExecutorService targetSide = TableComparison.targetSideThreads();
        try {
            TaskTracker tracker = new TaskTracker(pool, cancel, abort);
            for (Table table : kept) {
                Optional<String> difference = RowChecksums.structuralDifference(table, targetColumns);
                tracker.submit(() -> {
                    SessionPair pair = db.verifyConnections.computeIfAbsent(Thread.currentThread(),
                            k -> SessionPair.open(source, db.name, db.catalog.versionNum, target, db.working));
                    compared.put(table.oid(), difference.isPresent()
                            ? TableComparison.countOnly(pair, db.name, db.snapshot, table, difference.get())
                            : TableComparison.compare(pair, db.name, db.snapshot, table, mode, cancel, abort,
                                    targetSide));
                    return null;
                }, WorkerPool.PRIORITY_DEFAULT);
            }
            tracker.await();
        } finally {
            targetSide.shutdownNow();
        }
        return compared;
    }
}
