package dev.pgmigrate.copy;

import java.sql.SQLException;
import java.util.Objects;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A driver COPY operation made {@link AutoCloseable}: closing it while the COPY is still active cancels it, so
 * no connection is left in COPY mode whatever way the copy loop ends.
 *
 * <p>A COPY FROM STDIN is ended with CopyFail ({@link CopyIn#cancelCopy()}). A COPY TO STDOUT has no such
 * message in the protocol: the driver's {@link CopyOut#cancelCopy()} sends a cancel request and forgets the
 * operation, leaving the rest of its output unread on the socket. So for a COPY out we send the cancel request
 * ourselves and read the output until the server ends the COPY, which leaves the connection ready for the next
 * statement (inside an aborted transaction, which its owner rolls back).
 */
final class CancelOnClose<T extends CopyOperation> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CancelOnClose.class);

    private final T op;
    private final PGConnection connection;

    private CancelOnClose(T op, PGConnection connection) {
        this.op = Objects.requireNonNull(op, "op must not be null");
        this.connection = Objects.requireNonNull(connection, "connection must not be null");
    }

    static CancelOnClose<CopyOut> copyOut(PGConnection connection, String sql) throws SQLException {
        return new CancelOnClose<>(connection.getCopyAPI().copyOut(sql), connection);
    }

    static CancelOnClose<CopyIn> copyIn(PGConnection connection, String sql) throws SQLException {
        return new CancelOnClose<>(connection.getCopyAPI().copyIn(sql), connection);
    }

    T op() {
        return op;
    }

    @Override
    public void close() throws SQLException {
        if (!op.isActive()) {
            return;
        }
        if (op instanceof CopyOut out) {
            drainCanceled(out);
        } else {
            op.cancelCopy();
        }
    }

    private void drainCanceled(CopyOut out) throws SQLException {
        connection.cancelQuery();
        long discarded = 0;
        try {
            while (out.readFromCopy() != null) {
                discarded++;
            }
            // The COPY ended before the cancel request reached the server; nothing left to read.
            log.debug("COPY out finished on its own while being canceled; discarded {} messages", discarded);
        } catch (SQLException e) {
            if (!PSQLState.QUERY_CANCELED.getState().equals(e.getSQLState())) {
                throw e;
            }
            // Expected: the server answers the cancel request with query_canceled and leaves COPY mode.
            log.debug("COPY out canceled; discarded {} messages", discarded);
        }
    }
}
