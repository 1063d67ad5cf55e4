package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import dev.pgmigrate.core.internal.schema.PostDataPlan;
import dev.pgmigrate.core.internal.schema.SchemaRestore;
import dev.pgmigrate.core.internal.verify.DatabaseVerification;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;

/**
 * What follows a table's data on the target while other tables still copy: its index builds, key and check
 * constraints, extended statistics and ANALYZE, in stages, then its early comparison; and at the end of the
 * database's part, ANALYZE of what was not analyzed as its data came in ({@link Analyzes}: none with
 * {@code skipAnalyze}).
 */
public final class TableBuilds {
    /** Copies still waiting that a table's builds do not overtake: about a tenth of a second of one worker. */
    private static final long COPIES_AHEAD_OF_BUILDS_BYTES = 16L * 1024 * 1024;
    /** How long a constraint waits for its table's lock while the table's comparison reads it, at one attempt. */
    private static final int LOCK_WAIT_WHILE_COMPARED_MILLIS = 100;
    /**
     * A table smaller than this has its post-data sent in one round trip, as one transaction; a larger one's builds
     * take long enough to run side by side on several workers.
     */
    static final long ONE_TRANSACTION_BELOW_BYTES = 16L * 1024 * 1024;

    private final RecordKeeper keeper;
    private final WorkerPool pool;
    private final CancelSignal cancel;
    private final WorkerSessions sessions;
    private final SchemaRestore restore;
    private final DatabaseVerification verification;
    private final SmallTablesPostData smallTables;
    private final Analyzes analyzes;

    /**
     * @param analyze whether tables are analyzed ({@code settings.skipAnalyze} off)
     * @param targetVersion the target's {@code server_version_num}, read once its facts are
     */
    public TableBuilds(RecordKeeper keeper, WorkerPool pool, CancelSignal cancel, WorkerSessions sessions,
            SchemaRestore restore, DatabaseVerification verification, boolean analyze, IntSupplier targetVersion) {
        this.keeper = keeper;
        this.pool = pool;
        this.cancel = cancel;
        this.sessions = sessions;
        this.restore = restore;
        this.verification = verification;
        this.smallTables = new SmallTablesPostData(keeper, restore);
        this.analyzes = new Analyzes(keeper, pool, cancel, sessions, analyze, targetVersion);
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
     * while the others finish what they hold, instead of alone after its builds with the others idle. A table under
     * {@link #ONE_TRANSACTION_BELOW_BYTES} with no index on an expression has all of it sent in one round trip
     * instead, in the same order; once {@code batch} is open, with other such tables' ({@link SmallTablesPostData}).
     */
    void tableKeys(DatabaseRun db, TaskTracker tracker, PostDataPlan plan, long tableOid, long priority,
            PostDataBatch<SmallTablesPostData.Post> batch) {
        Table table = db.catalog.tables.get(tableOid);
        boolean hasData = table != null && table.hasData();
        boolean analyzeFirst = hasData && !db.catalog.expressionIndexed.contains(tableOid);
        TableEntries entries = new TableEntries(plan.statistics().getOrDefault(tableOid, List.of()),
                plan.indexes().getOrDefault(tableOid, List.of()), plan.constraints().getOrDefault(tableOid, List.of()));
        if (hasData) {
            // Compared beside its builds, not after them: a read takes a lock no build conflicts with, and the
            // largest table's comparison no longer follows its primary key's build at the end of the copy. A key's
            // ADD CONSTRAINT ... USING INDEX does conflict: it lets a read still running go first (constraintsFrom).
            verification.early(db, table);
        }
        // An index on an expression runs the user's functions, which may take long: it is built on its own, shown
        // in the progress while it runs, not inside a transaction of the table's other builds.
        boolean small = analyzeFirst && table.bytes() < ONE_TRANSACTION_BELOW_BYTES;
        boolean analyzes = hasData && this.analyzes.ownAnalyze(db, table);
        if (!analyzes && entries.count() == 0) {
            return; // nothing follows its data
        }
        if (small && batch.isOpen()) {
            smallTables.gather(db, tracker, batch, smallPost(db, tracker, table, entries, analyzes, priority));
        } else if (small && entries.count() > 0) {
            tracker.submit(() -> {
                smallTables.runAlone(db, smallPost(db, tracker, table, entries, analyzes, priority));
                return null;
            }, priority);
        } else {
            BuildStages.run(tracker, stages(db, table, analyzeFirst, analyzes, entries), 0, priority, () -> { });
        }
    }

    /** A small table's post-data as one transaction's statements, and as its stages should that transaction fail. */
    private SmallTablesPostData.Post smallPost(DatabaseRun db, TaskTracker tracker, Table table, TableEntries entries,
            boolean analyzes, long priority) {
        // Filtered once: the roles' filter remembers each owner it leaves out, for its note.
        TableEntries runnable = entries.map(e -> e.withStatements(restore.runnable(db, e)));
        return SmallTablesPostData.of(table, runnable.statistics(), analyzes, runnable.indexes(),
                runnable.constraints(), priority,
                () -> BuildStages.run(tracker, stages(db, table, true, analyzes, runnable), 0, priority, () -> { }));
    }

    /** A table's index builds, constraints and extended statistics, each in the order of the dump. */
    private record TableEntries(List<Entry> statistics, List<Entry> indexes, List<Entry> constraints) {
        int count() {
            return statistics.size() + indexes.size() + constraints.size();
        }

        TableEntries map(UnaryOperator<Entry> f) {
            return new TableEntries(statistics.stream().map(f).toList(), indexes.stream().map(f).toList(),
                    constraints.stream().map(f).toList());
        }
    }

    private List<List<BuildStages.Task>> stages(DatabaseRun db, Table table, boolean analyzeFirst, boolean analyzes,
            TableEntries entries) {
        String name = table == null ? "" : table.qualifiedName();
        List<BuildStages.Task> indexes = new ArrayList<>();
        for (Entry index : entries.indexes()) {
            indexes.add(BuildStages.Task.of(() -> {
                int helpers = sessions.idleWorkersForBuild();
                build(db, name, "index " + objectName(index, table), () -> restore.entry(db, index, helpers));
                return null;
            }));
        }
        List<BuildStages.Task> constraints = entries.constraints().isEmpty() ? List.of() : List.of(
                (tracker, done) -> constraintsFrom(tracker, db, table, entries.constraints(), 0, false, done));
        List<BuildStages.Task> statistics = entriesInOrder(db, table, "statistics", entries.statistics());
        List<BuildStages.Task> analyze = analyzes ? List.of(BuildStages.Task.of(() -> {
            this.analyzes.analyze(db, table);
            return null;
        })) : List.of();
        return analyzeFirst ? List.of(statistics, analyze, indexes, constraints)
                : List.of(indexes, constraints, statistics, analyze);
    }

    /**
     * Runs a table's constraints from {@code first} in order. While the table's comparison reads it, a key's {@code
     * ADD CONSTRAINT ... USING INDEX} would wait for the read's end holding a worker, every later read queued behind
     * its lock request: so it waits for its lock a moment and, if not granted, the rest are queued after the
     * comparisons ({@code deferred}), which have all started when they run: they wait then, rather than retry and log
     * an error on the target at every attempt.
     */
    private void constraintsFrom(TaskTracker tracker, DatabaseRun db, Table table, List<Entry> entries, int first,
            boolean deferred, Runnable done) throws SQLException {
        String name = table == null ? "" : table.qualifiedName();
        for (int i = first; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            String what = "constraint " + objectName(entry, table);
            if (deferred || table == null || !verification.comparing(db, table)) {
                build(db, name, what, () -> restore.entry(db, entry));
                continue;
            }
            long started = System.nanoTime();
            keeper.buildStarted(db.name, name, what);
            if (!restore.entryUnlessLocked(db, entry, LOCK_WAIT_WHILE_COMPARED_MILLIS)) {
                keeper.buildStopped(db.name, name, what);
                int next = i;
                tracker.submit(() -> {
                    constraintsFrom(tracker, db, table, entries, next, true, done);
                    return null;
                }, WorkerPool.PRIORITY_AFTER_VERIFY);
                return;
            }
            keeper.buildEnded(db.name, name, what, Duration.ofNanos(System.nanoTime() - started), false);
        }
        done.run();
    }

    /** How many builds follow the copy of the table {@code tableOid}: each counts in its progress. */
    static int count(PostDataPlan plan, long tableOid) {
        return plan.indexes().getOrDefault(tableOid, List.of()).size()
                + plan.constraints().getOrDefault(tableOid, List.of()).size()
                + plan.statistics().getOrDefault(tableOid, List.of()).size();
    }

    /** One task that runs {@code entries} one after another, or none when there are none. */
    private List<BuildStages.Task> entriesInOrder(DatabaseRun db, Table table, String kind, List<Entry> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        String name = table == null ? "" : table.qualifiedName();
        return List.of(BuildStages.Task.of(() -> {
            for (Entry entry : entries) {
                build(db, name, kind + " " + objectName(entry, table), () -> restore.entry(db, entry));
            }
            return null;
        }));
    }

    /** A constraint's tag is its table's name and its own; an index's or statistics object's is its own name. */
    static String objectName(Entry entry, Table table) {
        String tag = entry.tag();
        return table != null && entry.type().equals("CONSTRAINT") && tag.startsWith(table.name() + " ")
                ? tag.substring(table.name().length() + 1) : tag;
    }

    private interface Step {
        void run() throws SQLException;
    }

    /**
     * Runs one build of a table, shown in its progress while it runs and counted, with its time, once done. One
     * that fails ends the run, whose end clears what it showed.
     */
    private void build(DatabaseRun db, String table, String what, Step step) throws SQLException {
        long started = System.nanoTime();
        keeper.buildStarted(db.name, table, what);
        step.run();
        keeper.buildEnded(db.name, table, what, Duration.ofNanos(System.nanoTime() - started), false);
    }

    /** Analyzes what was not analyzed as its data came in ({@link Analyzes#rest}). */
    public void analyzeRest(DatabaseRun db) throws Exception {
        analyzes.rest(db);
    }
}
