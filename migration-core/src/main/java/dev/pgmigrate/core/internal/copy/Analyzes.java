package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target's statistics: which table is analyzed on its own as its data comes in, its ANALYZE, and at the end of a
 * database's part the ANALYZE of what was not analyzed yet (partitioned tables, tables of a resumed run); with
 * {@code skipAnalyze} none, and a note of what autovacuum will not analyze.
 */
final class Analyzes {
    private static final Logger log = LoggerFactory.getLogger(Analyzes.class);
    static final String ANALYZE = "ANALYZE";

    private final RecordKeeper keeper;
    private final WorkerPool pool;
    private final CancelSignal cancel;
    private final WorkerSessions sessions;
    private final boolean analyze;
    private final IntSupplier targetVersion;

    Analyzes(RecordKeeper keeper, WorkerPool pool, CancelSignal cancel, WorkerSessions sessions, boolean analyze,
            IntSupplier targetVersion) {
        this.keeper = keeper;
        this.pool = pool;
        this.cancel = cancel;
        this.sessions = sessions;
        this.analyze = analyze;
        this.targetVersion = targetVersion;
    }

    /** Whether {@code table} gets an ANALYZE of its own as its data comes in. */
    boolean ownAnalyze(DatabaseRun db, Table table) {
        return analyze && !analyzedByItsRoot(db, table);
    }

    /**
     * Whether {@code table} is analyzed by its partitioned root's ANALYZE, not on its own: before 18, ANALYZE of a
     * partitioned table analyzes every partition under it again (18 takes {@code ONLY}), so a partition's own
     * ANALYZE as its data came in would be done twice, the first time for nothing. Only when the root is migrated.
     */
    private boolean analyzedByItsRoot(DatabaseRun db, Table table) {
        if (targetVersion.getAsInt() >= 180000) {
            return false;
        }
        long at = table.oid();
        boolean partition = false;
        for (Long parent = db.catalog.partitionParents.get(at); parent != null;
                parent = db.catalog.partitionParents.get(at)) {
            if (!db.catalog.tables.containsKey(parent)) {
                return false;
            }
            partition = true;
            at = parent;
        }
        return partition;
    }

    /** Analyzes what was not analyzed as its data came in: partitioned tables, and tables of a resumed run. */
    void rest(DatabaseRun db) throws Exception {
        if (!analyze) {
            noteStatisticsLeft(db);
            return;
        }
        List<Table> left = db.catalog.tables.values().stream()
                .filter(t -> !db.analyzed.contains(t.oid()) && !analyzedByItsRoot(db, t)).toList();
        if (left.isEmpty()) {
            return;
        }
        keeper.activity(db.name, Optional.of("analyzing"));
        TaskTracker tracker = new TaskTracker(pool, cancel, db.abort);
        for (Table table : left) {
            tracker.submit(() -> {
                analyze(db, table);
                return null;
            }, WorkerPool.PRIORITY_DEFAULT);
        }
        tracker.await();
    }

    /** Says that the statistics are autovacuum's to gather, naming the partitioned parents it never analyzes. */
    private void noteStatisticsLeft(DatabaseRun db) {
        if (db.catalog.tables.isEmpty()) {
            return;
        }
        List<String> parents = db.catalog.tables.values().stream().filter(t -> t.relkind() == 'p')
                .map(Table::qualifiedName).sorted().toList();
        keeper.note(MessageCode.STATISTICS_LEFT_TO_AUTOVACUUM, "Database " + db.name + ": its "
                + db.catalog.tables.size() + " table(s) were not analyzed (settings.skipAnalyze). Where autovacuum is "
                + "on, it analyzes a table once more than autovacuum_analyze_threshold (50) rows and a tenth of the "
                + "table have changed: one of about 55 rows or fewer waits for more writes, and an inheritance "
                + "parent's statistics for its children wait for writes to its own rows." + (parents.isEmpty() ? ""
                : " It never analyzes a partitioned table: run ANALYZE on " + String.join(", ", parents) + ".")
                + " 'vacuumdb --analyze-only' analyzes the whole database.");
    }

    /** One table's ANALYZE on this worker's target session, shown in its progress and counted as its analyze time. */
    void analyze(DatabaseRun db, Table table) throws SQLException {
        Connection dst = sessions.of(db)[1];
        cancel.register(dst);
        db.abort.register(dst);
        long started = System.nanoTime();
        keeper.buildStarted(db.name, table.qualifiedName(), ANALYZE);
        try {
            // From 18, ONLY gathers a partitioned table's own statistics without analyzing its partitions again,
            // which their own ANALYZE did as their data came in.
            String only = table.relkind() == 'p' && targetVersion.getAsInt() >= 180000 ? "ONLY " : "";
            Sql.execute(dst, "ANALYZE " + only + Sql.qualified(table.schema(), table.name()));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            log.debug("Database {}: ANALYZE {} in {} ms", db.name, table.qualifiedName(), took.toMillis());
            db.analyzed.add(table.oid());
            keeper.buildEnded(db.name, table.qualifiedName(), ANALYZE, took, true);
        } finally {
            cancel.unregister(dst);
            db.abort.unregister(dst);
        }
    }
}
