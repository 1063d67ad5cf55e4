package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MigrationCanceledException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A migration's cancel: a flag read between batches, plus every connection in use, whose running statement is
 * canceled on the server, because JDBC socket reads ignore thread interrupts. A connection whose server does not
 * answer the cancel request is closed instead, since a read on it would wait as long as the server stays silent.
 */
public final class CancelSignal {
    private static final Logger log = LoggerFactory.getLogger(CancelSignal.class);
    /**
     * How long a server has to answer a cancel request (the driver's {@code cancelSignalTimeout}, set by
     * {@code ServerConnector}); one that answers closes the request's connection within a round trip.
     */
    public static final int CANCEL_ANSWER_SECONDS = 3;
    /** The SQLState of a statement stopped by a cancel request. */
    private static final String QUERY_CANCELED = "57014";
    private static final long NO_ANSWER_NANOS = TimeUnit.MILLISECONDS.toNanos(CANCEL_ANSWER_SECONDS * 900L);

    private volatile boolean canceled;
    private volatile String reason = "canceled";
    private final Set<Connection> active = ConcurrentHashMap.newKeySet();
    /** Signals canceled with this one ({@link #child}). */
    private final Set<CancelSignal> children = ConcurrentHashMap.newKeySet();
    /** Sends the cancel requests, each on its own thread: one to a silent server takes its whole timeout. */
    private volatile ExecutorService senders;

    public boolean isCanceled() {
        return canceled;
    }

    /**
     * A signal this one cancels along with itself, which may also be canceled alone: for work that a part of the
     * run must be able to stop without stopping the migration.
     */
    public CancelSignal child() {
        CancelSignal child = new CancelSignal();
        children.add(child);
        if (canceled) {
            child.cancel(reason);
        }
        return child;
    }

    public String reason() {
        return reason;
    }

    /**
     * Whether {@code failure} is this cancel showing up, wherever in the migration it surfaced: a
     * {@link MigrationCanceledException} or an interrupt, or, once canceled, the error of a statement the cancel
     * stopped on its server (SQLState 57014, {@code query_canceled}) or of a connection it closed because the server
     * did not answer the cancel request (class 08), anywhere in its causes. Such an error is the cancel, not a failure:
     * every path that runs statements (copies, builds, ANALYZE, the post-data, comparisons) ends with one.
     */
    public boolean explains(Throwable failure) {
        if (!canceled) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MigrationCanceledException || t instanceof InterruptedException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (QUERY_CANCELED.equals(sql.getSQLState()) || sql.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }

    /** Throws {@link MigrationCanceledException} once canceled or interrupted. */
    public void check() {
        if (canceled || Thread.currentThread().isInterrupted()) {
            throw new MigrationCanceledException("The migration was " + reason);
        }
    }

    /**
     * Cancels: sets the flag and cancels the statement running on every registered connection, without waiting for
     * the servers' answers. A cancel that reaches a connection between two statements stops nothing on the server,
     * and the next one (a lock wait, say) would run to its end: so the statements still registered are canceled again
     * a few times over the next seconds, on a thread of this cancel's own.
     */
    public void cancel(String why) {
        reason = why;
        boolean first;
        synchronized (this) {
            first = !canceled;
            if (first) {
                senders = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                        task -> {
                            Thread thread = new Thread(task, "pgmigrate-cancel");
                            thread.setDaemon(true);
                            return thread;
                        });
            }
            canceled = true;
        }
        children.forEach(child -> child.cancel(why));
        cancelAll();
        if (first) {
            Thread again = new Thread(this::cancelAgain, "pgmigrate-cancel");
            again.setDaemon(true);
            again.start();
        }
    }

    private void cancelAgain() {
        for (long pause : new long[] {200, 300, 500, 1000, 2000, 4000}) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            cancelAll();
        }
    }

    private void cancelAll() {
        for (Connection connection : active) {
            senders.execute(() -> cancelQuietly(connection));
        }
    }

    /** Registers a connection whose statements a cancel must stop; returns it. */
    public Connection register(Connection connection) {
        active.add(connection);
        if (canceled) {
            cancelQuietly(connection);
        }
        return connection;
    }

    public void unregister(Connection connection) {
        active.remove(connection);
    }

    private void cancelQuietly(Connection connection) {
        long started = System.nanoTime();
        try {
            connection.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            // The connection may be closing or already idle; a cancel of nothing is harmless.
            log.debug("Cancel of a statement failed; it has likely ended", e);
        }
        // The driver gives up on an unanswered cancel request without a word: its time is the only sign.
        if (System.nanoTime() - started >= NO_ANSWER_NANOS && active.contains(connection)) {
            log.warn("The server did not answer a cancel request within {} s; closing the connection instead",
                    CANCEL_ANSWER_SECONDS);
            try {
                connection.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                log.debug("Closing a connection whose server does not answer failed", e);
            }
        }
    }
}
