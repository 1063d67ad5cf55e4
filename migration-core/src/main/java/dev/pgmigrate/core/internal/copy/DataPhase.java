package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import dev.pgmigrate.core.internal.schema.PostDataPlan;
import dev.pgmigrate.core.internal.schema.SchemaRestore;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
     * Copies every table not in {@code kept}, the longest copy ahead first, each table's builds and comparison queued
     * as its last part is in; then the rest of the post-data in order, the sequences and the large objects. The
     * schema is whole; on resume, a table that is not kept is emptied first.
     */
    public void run(DatabaseRun db, PostDataPlan plan, Set<String> kept) throws Exception {
        if (resume) {
            // A table that was partly copied before the interruption starts again empty.
            try (Connection c = target.connector().open(db.working)) {
                for (Table table : db.catalog.tables.values()) {
                    if (table.copiesRows() && !kept.contains(table.qualifiedName())) {
                        Sql.execute(c, "TRUNCATE ONLY " + Sql.qualified(table.schema(), table.name()));
                    }
                }
            }
        }
        Copies copies = start(db, plan, kept);
        copies.schemaRestored();
        copies.finish();
    }

    /**
     * Prepares the copies of every table not in {@code kept}, in {@link CopyOrder}'s order, each table's builds and
     * comparison to be queued as its last part is in. None starts before the schema's restore says its table exists:
     * a small table's as soon as the restore committed it ({@link Copies#created}), the others' once it is whole
     * ({@link Copies#schemaRestored}).
     */
    public Copies start(DatabaseRun db, PostDataPlan plan, Set<String> kept) throws Exception {
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
        if (parts.isEmpty()) {
            db.copiesDone.complete(null);
        }
        return new Copies(db, plan, CopyOrder.longestRemainingFirst(parts), remainingParts);
    }

    /** One database's copies, started as the schema's restore creates their tables, and what follows them. */
    public final class Copies {
        private final DatabaseRun db;
        private final PostDataPlan plan;
        private final List<TableCopy.Part> parts;
        private final Map<Long, AtomicInteger> remainingParts;
        private final TaskTracker tracker;
        private final Map<Long, CopyCounters> counters = new ConcurrentHashMap<>();
        private final AtomicLong bytesNotStarted;
        private final AtomicInteger partsLeft;
        /** Each part's place in the queue: the larger, the sooner, whenever its table is let go. */
        private final Map<TableCopy.Part, Long> priorities = new HashMap<>();
        private final Map<String, Long> tablesByName = new HashMap<>();
        private final Map<Long, List<TableCopy.Part>> partsByTable = new HashMap<>();
        private final Set<Long> started = new HashSet<>();
        private final PostDataBatch<SmallTablesPostData.Post> smallTablesPostData = new PostDataBatch<>();

        private Copies(DatabaseRun db, PostDataPlan plan, List<TableCopy.Part> parts,
                Map<Long, AtomicInteger> remainingParts) {
            this.db = db;
            this.plan = plan;
            this.parts = parts;
            this.remainingParts = remainingParts;
            this.tracker = new TaskTracker(pool, cancel, db.abort);
            // Its own stop signal: a failed comparison fails the migration at completion, without stopping the copy.
            db.verifications = new TaskTracker(pool, cancel, new CancelSignal());
            this.bytesNotStarted = new AtomicLong(parts.stream().mapToLong(TableCopy.Part::estimatedBytes).sum());
            this.partsLeft = new AtomicInteger(parts.size());
            long priority = parts.size();
            for (TableCopy.Part part : parts) {
                priorities.put(part, priority--);
                partsByTable.computeIfAbsent(part.table().oid(), k -> new ArrayList<>()).add(part);
            }
            for (Table table : db.catalog.tables.values()) {
                tablesByName.put(SourceCatalog.key(table.schema(), table.name()), table.oid());
            }
        }

        /**
         * The schema's restore committed {@code entries}: the small tables among them start copying, beside the rest
         * of the restore. A later schema statement about such a table (a column's default, a comment) waits for its
         * copy at most moments; a large table waits for the whole schema, so that none waits long.
         */
        public void created(List<Entry> entries) {
            for (Entry entry : entries) {
                if (entry.type().equals("TABLE")) {
                    Long oid = tablesByName.get(SourceCatalog.key(entry.schema(), entry.tag()));
                    Table table = oid == null ? null : db.catalog.tables.get(oid);
                    if (table != null && table.bytes() < TableBuilds.ONE_TRANSACTION_BELOW_BYTES
                            && !db.catalog.namingObjects.contains(oid)
                            && remainingParts.containsKey(oid) && started.add(oid)) {
                        partsByTable.get(oid).forEach(this::submit);
                    }
                }
            }
        }

        /** The schema is whole: every table's parts start, and the builds of the tables not copied. */
        public void schemaRestored() {
            keeper.activity(db.name, Optional.empty()); // the tables' own progress says what happens now
            for (TableCopy.Part part : parts) {
                if (!started.contains(part.table().oid())) {
                    submit(part);
                }
            }
            started.addAll(remainingParts.keySet());
            smallTablesPostData.open(); // no transaction of the restore's is left to deadlock with
            // Partitioned parents, kept tables and tables without rows to copy still own table-bound post-data.
            for (Table table : db.catalog.tables.values()) {
                if (!table.hasData() || !remainingParts.containsKey(table.oid())) {
                    builds.tableKeys(db, tracker, plan, table.oid(), WorkerPool.PRIORITY_POST_DATA,
                            smallTablesPostData);
                }
            }
        }

        private void submit(TableCopy.Part part) {
            tracker.submit(() -> {
                bytesNotStarted.addAndGet(-part.estimatedBytes());
                tableCopy.copy(db, part, counters.computeIfAbsent(part.table().oid(), k -> new CopyCounters()));
                if (partsLeft.decrementAndGet() == 0) {
                    db.copiesDone.complete(null); // the next database of the migration may start
                }
                if (remainingParts.get(part.table().oid()).decrementAndGet() == 0) {
                    tableCopy.copied(db, part.table(), counters.get(part.table().oid()));
                    builds.tableKeys(db, tracker, plan, part.table().oid(), TableBuilds.priority(bytesNotStarted.get()),
                            smallTablesPostData);
                }
                return null;
            }, priorities.get(part));
        }

        /**
         * The schema's restore ended with {@code failure}: stops the copies it let start, waits for them to end, and
         * throws what failed first, a copy's failure (which stopped the restore) or the restore's own.
         */
        public void stop(Exception failure) throws Exception {
            if (!(failure instanceof MigrationCanceledException)) {
                db.abort.cancel("the schema's restore failed");
                try {
                    tracker.await();
                } catch (Exception stopped) {
                    failure.addSuppressed(stopped);
                }
                throw failure;
            }
            db.abort.cancel("the schema's restore was stopped");
            tracker.await(); // a copy's failure, which stopped the restore, or the cancel
            throw failure;
        }

        /** Waits for every copy and build, then restores the rest of the post-data, the sequences and large objects. */
        public void finish() throws Exception {
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
}
