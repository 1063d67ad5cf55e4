package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.PostDataPlan;
import dev.pgmigrate.core.internal.schema.SchemaRestore;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One database's data phase, the path from the schema to the last row: every table's parts queued on the worker
 * pool ({@link TableCopy}), each table's builds as soon as its data is in ({@link TableBuilds}), then the remaining
 * post-data ({@link SchemaRestore}) and the sequences and large objects ({@link SequencesAndLargeObjects}).
 */
public final class DataPhase {
    private final MigrationSettings settings;
    private final RecordKeeper keeper;
    private final Endpoint target;
    private final WorkerPool pool;
    private final CancelSignal cancel;
    private final boolean resume;
    private final WorkerSessions sessions;
    private final SchemaRestore restore;
    private final TableCopy tableCopy;
    private final TableBuilds builds;

    public DataPhase(MigrationSettings settings, RecordKeeper keeper, Endpoint target, WorkerPool pool, CancelSignal cancel,
            boolean resume, WorkerSessions sessions, SchemaRestore restore, TableCopy tableCopy, TableBuilds builds) {
        this.settings = settings;
        this.keeper = keeper;
        this.target = target;
        this.pool = pool;
        this.cancel = cancel;
        this.resume = resume;
        this.sessions = sessions;
        this.restore = restore;
        this.tableCopy = tableCopy;
        this.builds = builds;
    }

    /**
     * Copies every table not in {@code kept}, largest part first, each table's builds and comparison queued as its
     * last part is in; then the rest of the post-data in order, the sequences and the large objects.
     */
    public void run(DatabaseRun db, PostDataPlan plan, Set<String> kept) throws Exception {
        List<TableCopy.Part> parts = new ArrayList<>();
        List<TableProgress> queued = new ArrayList<>();
        Map<Long, AtomicInteger> remainingParts = new HashMap<>();
        List<Table> keptTables = new ArrayList<>();
        long bytesToCopy = 0;
        for (Table table : db.catalog.tables.values()) {
            if (table.copiesRows() && !kept.contains(table.qualifiedName())) {
                bytesToCopy += table.bytes();
            }
        }
        long share = bytesToCopy / settings.parallelism();
        for (Table table : db.catalog.tables.values()) {
            if (!table.copiesRows()) {
                continue; // a partitioned parent, or a table whose rows the selection leaves on the source
            }
            if (kept.contains(table.qualifiedName())) {
                keptTables.add(table);
                continue;
            }
            List<TableCopy.Part> split = tableCopy.split(db, table, share);
            parts.addAll(split);
            remainingParts.put(table.oid(), new AtomicInteger(split.size()));
            queued.add(TableProgress.queued(table.schema(), table.name(), table.bytes(), split.size())
                    .withBuilds(TableBuilds.count(plan, table.oid())));
        }
        keeper.tablesQueued(db.name, queued);
        for (Table table : keptTables) {
            int builds = TableBuilds.count(plan, table.oid());
            keeper.tableChanged(db.name, table.qualifiedName(), t -> t.withBuilds(builds), null);
        }
        keeper.activity(db.name, Optional.empty()); // the tables' own progress says what happens now
        if (resume) {
            // A table that was partly copied before the interruption starts again empty.
            try (Connection c = target.connector().open(db.working)) {
                for (TableCopy.Part part : parts) {
                    if (part.part() == 1) {
                        Sql.execute(c, "TRUNCATE ONLY " + Sql.qualified(part.table().schema(), part.table().name()));
                    }
                }
            }
        }
        parts.sort(Comparator.comparingLong(TableCopy.Part::estimatedBytes).reversed());

        TaskTracker tracker = new TaskTracker(pool, cancel, db.abort);
        // Its own stop signal: a failed comparison fails the migration at completion, without stopping the copy.
        db.verifications = new TaskTracker(pool, cancel, new CancelSignal());
        Map<Long, CopyCounters> counters = new ConcurrentHashMap<>();
        AtomicLong bytesNotStarted = new AtomicLong(parts.stream().mapToLong(TableCopy.Part::estimatedBytes).sum());
        long priority = parts.size();
        AtomicInteger partsLeft = new AtomicInteger(parts.size());
        if (parts.isEmpty()) {
            db.copiesDone.complete(null);
        }
        for (TableCopy.Part part : parts) {
            tracker.submit(() -> {
                bytesNotStarted.addAndGet(-part.estimatedBytes());
                tableCopy.copy(db, part, counters.computeIfAbsent(part.table().oid(), k -> new CopyCounters()));
                if (partsLeft.decrementAndGet() == 0) {
                    db.copiesDone.complete(null); // the next database of the migration may start
                }
                if (remainingParts.get(part.table().oid()).decrementAndGet() == 0) {
                    tableCopy.copied(db, part.table(), counters.get(part.table().oid()));
                    builds.tableKeys(db, tracker, plan, part.table().oid(), TableBuilds.priority(bytesNotStarted.get()));
                }
                return null;
            }, priority--);
        }
        // Partitioned parents, kept tables and tables without rows to copy still own table-bound post-data.
        for (Table table : db.catalog.tables.values()) {
            if (!table.hasData() || !remainingParts.containsKey(table.oid())) {
                builds.tableKeys(db, tracker, plan, table.oid(), WorkerPool.PRIORITY_POST_DATA);
            }
        }
        tracker.await();

        keeper.activity(db.name, Optional.of("restoring the rest of the schema (foreign keys, triggers, views)"));
        restore.remainingPostData(db, plan.rest());
        SequencesAndLargeObjects last = new SequencesAndLargeObjects(pool, cancel, keeper, settings.parallelism(),
                sessions::of);
        keeper.activity(db.name, Optional.of("setting sequences"));
        last.setSequences(db);
        keeper.activity(db.name, Optional.of("copying large objects"));
        last.copyLargeObjects(db);
    }
}
