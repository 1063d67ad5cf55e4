package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The databases of one migration, two at a time on its one worker pool: the next database starts (its snapshot,
 * schema dumps, target database and pre-data) once every part of the one before it is copied, so that its copies
 * run while the other's index builds, post-data, sequences and comparisons finish. A database runs on a thread of
 * its own, which mostly waits for pool tasks; the first failure of either is thrown to the coordinator, and
 * {@link #close()} stops the other before the rollback begins.
 */
final class DatabasePipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabasePipeline.class);
    private static final int IN_FLIGHT = 2;
    private static final long STOP_WAIT_SECONDS = 60;

    /** One database's whole part, from its snapshot to its verification. */
    interface Work {
        void run(DatabaseRun db) throws Exception;
    }

    private record Running(DatabaseRun db, Thread thread, CompletableFuture<Void> ended) {
    }

    private final Deque<Running> running = new ArrayDeque<>();
    private final CompletableFuture<Void> firstFailure = new CompletableFuture<>();
    private int started;

    /**
     * Whether both servers have the connections of a second database in flight free, beyond those of the first:
     * per database, each worker's copy and comparison sessions and a few more (as the connection-limits check
     * counts them). When they do not, the databases run one after another, as they did before.
     */
    static boolean roomForTwo(Connection source, Connection target, int parallelism) throws SQLException {
        return free(source) >= 2L * (2 * parallelism + 5) && free(target) >= 2L * (2 * parallelism + 3);
    }

    private static long free(Connection c) throws SQLException {
        return Long.parseLong(Sql.one(c, "SELECT least(current_setting('max_connections')::int - CASE WHEN "
                + "r.rolsuper THEN 0 ELSE current_setting('superuser_reserved_connections')::int END - (SELECT "
                + "count(*) FROM pg_stat_activity), CASE WHEN r.rolconnlimit < 0 THEN 2147483647 ELSE "
                + "r.rolconnlimit - (SELECT count(*) FROM pg_stat_activity WHERE usename = current_user) END) "
                + "FROM pg_roles r WHERE r.rolname = current_user"));
    }

    /**
     * Starts {@code work} on {@code db} once the database started last has copied all its parts (or ended) and
     * fewer than two are in flight, whichever of them ended; throws the first failure of any database in flight
     * meanwhile.
     */
    void start(DatabaseRun db, Work work) throws Exception {
        Running last = running.peekLast();
        if (last != null) {
            await(CompletableFuture.anyOf(last.db().copiesDone, last.ended()));
        }
        while (running.size() >= IN_FLIGHT) { // whichever ends first frees its place
            await(CompletableFuture.anyOf(running.stream().map(Running::ended).toArray(CompletableFuture[]::new)));
            running.removeIf(r -> r.ended().isDone());
        }
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                work.run(db);
                ended.complete(null);
            } catch (Throwable e) {
                firstFailure.completeExceptionally(e);
                ended.completeExceptionally(e);
            }
        }, "pgmigrate-database-" + ++started);
        thread.setDaemon(true);
        running.addLast(new Running(db, thread, ended));
        thread.start();
    }

    /** Waits for every database in flight to end; throws the first failure. */
    void awaitAll() throws Exception {
        while (!running.isEmpty()) {
            await(running.peekFirst().ended());
            running.removeFirst();
        }
    }

    private void await(CompletableFuture<?> condition) throws Exception {
        try {
            CompletableFuture.anyOf(condition, firstFailure).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Stops the databases still in flight and waits for their threads, so that nothing is created on the target
     * after the rollback has read its journal: each one's tasks are aborted and its thread interrupted, which ends
     * its waits and fails its next cancel check.
     */
    @Override
    public void close() {
        for (Running r : running) {
            r.db().abort.cancel("stopped because another database failed");
            r.thread().interrupt();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
        for (Running r : running) {
            try {
                r.thread().join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (r.thread().isAlive()) {
                log.warn("Database {} did not stop within {} s of the failure; rolling back anyway", r.db().name,
                        STOP_WAIT_SECONDS);
            }
        }
        running.clear();
    }
}
