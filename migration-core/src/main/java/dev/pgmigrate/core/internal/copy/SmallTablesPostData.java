package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import dev.pgmigrate.core.internal.schema.SchemaRestore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small table's post-data and its ANALYZE sent in one round trip, which the server runs as one transaction: with
 * 10,000 tables of a few rows, a round trip and a commit for each build cost more than the builds. Once the schema's
 * restore has ended, the post-data of several such tables goes in one round trip ({@link PostDataBatch}). A
 * transaction that fails is rolled back whole by the server, and its tables' builds run again one table, then one
 * build, at a time, so that the error policy sees each failure as it would without it.
 */
final class SmallTablesPostData {
    private static final String ANALYZE = "ANALYZE";

    private final RecordKeeper keeper;
    private final SchemaRestore restore;

    SmallTablesPostData(RecordKeeper keeper, SchemaRestore restore) {
        this.keeper = keeper;
        this.restore = restore;
    }

    /**
     * One small table's post-data, its entries already filtered, as statements in the order of the table's stages;
     * {@code inStages} queues the same builds one by one, for when the transaction fails.
     */
    record Post(Table table, List<Entry> entries, List<String> statements, List<String> builds, long priority,
            Runnable inStages) {
    }

    /**
     * The statements of {@code table}'s post-data: extended statistics, ANALYZE (when {@code analyze}), indexes,
     * constraints (the table has no index on an expression, whose statistics ANALYZE gathers only once the index
     * exists).
     */
    static Post of(Table table, List<Entry> statistics, boolean analyze, List<Entry> indexes, List<Entry> constraints,
            long priority, Runnable inStages) {
        List<Entry> entries = new ArrayList<>();
        List<String> statements = new ArrayList<>();
        List<String> builds = new ArrayList<>();
        addAll(table, "statistics", statistics, entries, statements, builds);
        if (analyze) {
            statements.add(ANALYZE + " " + Sql.qualified(table.schema(), table.name()));
            builds.add(ANALYZE);
        }
        addAll(table, "index", indexes, entries, statements, builds);
        addAll(table, "constraint", constraints, entries, statements, builds);
        return new Post(table, entries, statements, builds, priority, inStages);
    }

    private static void addAll(Table table, String kind, List<Entry> stage, List<Entry> entries,
            List<String> statements, List<String> builds) {
        for (Entry entry : stage) {
            entries.add(entry);
            statements.addAll(entry.statements());
            builds.add(kind + " " + TableBuilds.objectName(entry, table));
        }
    }

    /** Sends {@code post} now, alone, or queues its builds one by one when its transaction fails. */
    void runAlone(DatabaseRun db, Post post) throws SQLException {
        if (!inOneTransaction(db, List.of(post))) {
            post.inStages().run();
        }
    }

    /**
     * Gathers {@code post} into {@code batch} and queues what sends it: a full batch at once at the post-data's
     * priority, what is left once no copy waits.
     */
    void gather(DatabaseRun db, TaskTracker tracker, PostDataBatch<Post> batch, Post post) {
        switch (batch.add(post)) {
            case FULL -> tracker.submit(() -> {
                send(db, batch.takeFull());
                return null;
            }, post.priority());
            case REST -> tracker.submit(() -> {
                for (List<Post> posts = batch.takeRest(); !posts.isEmpty(); posts = batch.takeRest()) {
                    send(db, posts);
                }
                return null;
            }, WorkerPool.PRIORITY_AFTER_COPIES);
            case NOTHING -> { }
        }
    }

    private void send(DatabaseRun db, List<Post> posts) throws SQLException {
        if (posts.isEmpty() || posts.size() > 1 && inOneTransaction(db, posts)) {
            return;
        }
        for (Post post : posts) {
            runAlone(db, post);
        }
    }

    /**
     * Runs {@code posts} in one round trip and one transaction. Each build counts as done once the transaction is,
     * with an equal share of its time.
     *
     * @return whether it ran; when not, none of it did
     */
    private boolean inOneTransaction(DatabaseRun db, List<Post> posts) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        List<String> statements = new ArrayList<>();
        int builds = 0;
        for (Post post : posts) {
            entries.addAll(post.entries());
            statements.addAll(post.statements());
            builds += post.builds().size();
            post.builds().forEach(what -> keeper.buildStarted(db.name, post.table().qualifiedName(), what));
        }
        long started = System.nanoTime();
        boolean ran = false;
        try {
            ran = restore.inOneTransaction(db, entries, statements);
        } finally {
            if (!ran) { // failed, or stopped by a cancel or a lost session: none of it is running any more
                posts.forEach(post -> post.builds().forEach(what -> keeper.buildStopped(db.name,
                        post.table().qualifiedName(), what)));
            }
        }
        if (!ran) {
            return false;
        }
        Duration share = Duration.ofNanos(System.nanoTime() - started).dividedBy(Math.max(1, builds));
        for (Post post : posts) {
            if (post.builds().contains(ANALYZE)) {
                db.analyzed.add(post.table().oid());
            }
            post.builds().forEach(what -> keeper.buildEnded(db.name, post.table().qualifiedName(), what, share,
                    what.equals(ANALYZE)));
        }
        return true;
    }
}
