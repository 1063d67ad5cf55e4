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
    private static final long NO_ANSWER_NANOS = TimeUnit.MILLISECONDS.toNanos(CANCEL_ANSWER_SECONDS * 900L);

    private volatile boolean canceled;
    private volatile String reason = "canceled";
    private final Set<Connection> active = ConcurrentHashMap.newKeySet();
    /** Sends the cancel requests, each on its own thread: one to a silent server takes its whole timeout. */
    private volatile ExecutorService senders;

    public boolean isCanceled() {
        return canceled;
    }

    public String reason() {
        return reason;
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
