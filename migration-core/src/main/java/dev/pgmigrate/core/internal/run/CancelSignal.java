package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MigrationCanceledException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A migration's cancel: a flag read between batches, plus every connection in use, whose running statement is
 * canceled on the server, because JDBC socket reads ignore thread interrupts.
 */
public final class CancelSignal {
    private static final Logger log = LoggerFactory.getLogger(CancelSignal.class);

    private volatile boolean canceled;
    private volatile String reason = "canceled";
    private final Set<Connection> active = ConcurrentHashMap.newKeySet();

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
     * Cancels: sets the flag and cancels the statement running on every registered connection. A cancel that
     * reaches a connection between two statements stops nothing on the server, and the next one (a lock wait, say)
     * would run to its end: so the statements still registered are canceled again a few times over the next
     * seconds, on a thread of this cancel's own.
     */
    public void cancel(String why) {
        reason = why;
        boolean first = !canceled;
        canceled = true;
        for (Connection connection : active) {
            cancelQuietly(connection);
        }
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
            for (Connection connection : active) {
                cancelQuietly(connection);
            }
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

    private static void cancelQuietly(Connection connection) {
        try {
            connection.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            // The connection may be closing or already idle; a cancel of nothing is harmless.
            log.debug("Cancel of a statement failed; it has likely ended", e);
        }
    }
}
