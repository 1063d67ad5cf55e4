package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import dev.pgmigrate.core.internal.schema.PostDataPlan;
import dev.pgmigrate.core.internal.schema.SchemaRestore;
import dev.pgmigrate.core.internal.verify.DatabaseVerification;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a table's data on the target while other tables still copy: its index builds, key and check
 * constraints, extended statistics and ANALYZE, in stages, then its early comparison; and at the end of the
 * database's part, ANALYZE of what was not analyzed as its data came in.
 */
public final class TableBuilds {
    private static final Logger log = LoggerFactory.getLogger(TableBuilds.class);
    /** Copies still waiting that a table's builds do not overtake: about a tenth of a second of one worker. */
    private static final long COPIES_AHEAD_OF_BUILDS_BYTES = 16L * 1024 * 1024;

    private final WorkerPool pool;
    private final CancelSignal cancel;
    private final WorkerSessions sessions;
    private final SchemaRestore restore;
    private final DatabaseVerification verification;

    public TableBuilds(WorkerPool pool, CancelSignal cancel, WorkerSessions sessions, SchemaRestore restore,
            DatabaseVerification verification) {
        this.pool = pool;
        this.cancel = cancel;
        this.sessions = sessions;
        this.restore = restore;
        this.verification = verification;
    }

    /**
     * The priority of the builds of a table whose data just went in. Ahead of the copies still waiting, so a big
     * table's indexes are built while the rest copies, unless what waits is only a few small tables: those are
     * copied first, in moments, and the copy phase ends when the copying does instead of after the builds.
     */
    static long priority(long bytesNotStarted) {
        return bytesNotStarted <= COPIES_AHEAD_OF_BUILDS_BYTES ? WorkerPool.PRIORITY_AFTER_COPIES
                : WorkerPool.PRIORITY_POST_DATA;
    }

    /**
     * Queues a table's post-data in stages, each stage's tasks in parallel, all at {@code priority} and all while
     * other tables still copy: its index builds, its key and check constraints, its extended statistics, then its
     * ANALYZE; or, when no index of the table is on an expression (whose statistics ANALYZE gathers only once the
     * index exists), its extended statistics and ANALYZE first. Then the last table's ANALYZE runs on one worker
     * while the others finish what they hold, instead of alone after its builds with the others idle.
     */
    void tableKeys(DatabaseRun db, TaskTracker tracker, PostDataPlan plan, long tableOid, long priority) {
        Table table = db.catalog.tables.get(tableOid);
        boolean hasData = table != null && table.hasData();
        List<Callable<Void>> indexes = new ArrayList<>();
        for (Entry index : plan.indexes().getOrDefault(tableOid, List.of())) {
            indexes.add(() -> {
                restore.entry(db, index);
                return null;
            });
        }
        List<Callable<Void>> constraints = entriesInOrder(db, plan.constraints().getOrDefault(tableOid, List.of()));
        List<Callable<Void>> statistics = entriesInOrder(db, plan.statistics().getOrDefault(tableOid, List.of()));
        List<Callable<Void>> analyze = hasData ? List.of(() -> {
            analyzeTable(db, table);
            return null;
        }) : List.of();
        List<List<Callable<Void>>> stages = hasData && !db.catalog.expressionIndexed.contains(tableOid)
                ? List.of(statistics, analyze, indexes, constraints)
                : List.of(indexes, constraints, statistics, analyze);
        runStages(tracker, stages, 0, priority, hasData ? () -> verification.early(db, table) : () -> { });
    }

    /** One task that runs {@code entries} one after another, or none when there are none. */
    private List<Callable<Void>> entriesInOrder(DatabaseRun db, List<Entry> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        return List.of(() -> {
            for (Entry entry : entries) {
                restore.entry(db, entry);
            }
            return null;
        });
    }

    /** Queues the tasks of the first non-empty stage from {@code index}; the last of them queues the next stage. */
    private static void runStages(TaskTracker tracker, List<List<Callable<Void>>> stages, int index, long priority,
            Runnable then) {
        int stage = index;
        while (stage < stages.size() && stages.get(stage).isEmpty()) {
            stage++;
        }
        if (stage == stages.size()) {
            then.run();
            return;
        }
        AtomicInteger remaining = new AtomicInteger(stages.get(stage).size());
        int next = stage + 1;
        for (Callable<Void> task : stages.get(stage)) {
            tracker.submit(() -> {
                task.call();
                if (remaining.decrementAndGet() == 0) {
                    runStages(tracker, stages, next, priority, then);
                }
                return null;
            }, priority);
        }
    }

    /** Analyzes what was not analyzed as its data came in: partitioned parents, and tables of a resumed run. */
    public void analyzeRest(DatabaseRun db) throws Exception {
        TaskTracker tracker = new TaskTracker(pool, cancel, db.abort);
        for (Table table : db.catalog.tables.values()) {
            if (!db.analyzed.contains(table.oid())) {
                tracker.submit(() -> {
                    analyzeTable(db, table);
                    return null;
                }, WorkerPool.PRIORITY_DEFAULT);
            }
        }
        tracker.await();
    }

    private void analyzeTable(DatabaseRun db, Table table) throws SQLException {
        Connection dst = sessions.of(db)[1];
        cancel.register(dst);
        db.abort.register(dst);
        try {
            long started = System.nanoTime();
            Sql.execute(dst, "ANALYZE " + Sql.qualified(table.schema(), table.name()));
            log.debug("Database {}: ANALYZE {} in {} ms", db.name, table.qualifiedName(),
                    (System.nanoTime() - started) / 1_000_000);
            db.analyzed.add(table.oid());
        } finally {
            cancel.unregister(dst);
            db.abort.unregister(dst);
        }
    }
}
