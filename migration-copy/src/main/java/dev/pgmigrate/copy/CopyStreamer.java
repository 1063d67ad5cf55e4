package dev.pgmigrate.copy;

import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.spi.CopyChecksum;
import dev.pgmigrate.api.spi.CopyContext;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.MoveResult;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;
import org.postgresql.core.PGStream;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one COPY from the source into one COPY on the target, for one task on one thread.
 *
 * <p>The source's data messages are read into one reusable buffer, straight off the driver's protocol stream
 * where it can be reached ({@link ProtocolStream}), else one row at a time through the driver's API, and the
 * buffer is written to the target when it is full: the target gets few large messages instead of one per row,
 * fewer messages for its server to parse. Memory is the buffer, whatever the table's or a row's size (on the
 * API path, the buffer plus the largest row). Cancel and progress are looked at once per buffer written (at
 * least 64 KiB apart), off the per-row path.
 */
final class CopyStreamer {
    private static final Logger log = LoggerFactory.getLogger(CopyStreamer.class);
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Cancel and progress are looked at after at least this many bytes, even when each row is written alone. */
    private static final long CHECKPOINT_BYTES = 64 * 1024;
    /** The protocol's CopyData message type. */
    private static final int COPY_DATA = 'd';

    private final CopyTask task;
    private final CopyContext context;
    private final String moverId;
    /** Messages the source sends besides rows: binary COPY ends with a trailer message. */
    private final int extraMessages;
    /** Fed every row read from the source when the engine asked for a checksum; else null. */
    private final CopyChecksum checksum;
    /** Trims the rows on their way to the target where their padding may be left out; else null. */
    private final CharPadding padding;
    private long lastProgressNanos;
    private CopyIn dst;
    private byte[] buf;
    /** Bytes in {@link #buf} not yet written. */
    private int fill;
    /** Bytes read from the source. */
    private long bytes;
    private long messages;
    private long nextCheckpoint = CHECKPOINT_BYTES;

    private CopyStreamer(CopyTask task, CopyContext context, String moverId, int extraMessages,
            CopyChecksum checksum, CharPadding padding) {
        this.task = task;
        this.context = context;
        this.moverId = moverId;
        this.extraMessages = extraMessages;
        this.checksum = checksum;
        this.padding = padding;
    }

    /**
     * Runs {@code copyOutSql} on the source and {@code copyInSql} on the target, moving the bytes unchanged but
     * for the padding {@code padding} leaves out.
     *
     * @param extraMessages CopyData messages the source sends that are not rows (1 for binary's trailer)
     * @param checksum fed every row read (as the source sent it), its sum returned in the result; or null
     * @param padding trims each row that fits in the buffer before it goes to the target; or null
     */
    static MoveResult move(String moverId, CopyTask task, CopyContext context, String copyOutSql, String copyInSql,
            int extraMessages, CopyChecksum checksum, CharPadding padding) throws SQLException {
        CopySettings settings = CopySettings.from(context.settings());
        return new CopyStreamer(task, context, moverId, extraMessages, checksum, padding)
                .run(copyOutSql, copyInSql, settings);
    }

    private MoveResult run(String copyOutSql, String copyInSql, CopySettings settings) throws SQLException {
        checkCanceled();
        long started = System.nanoTime();
        lastProgressNanos = started;
        PGConnection source = context.source().unwrap(PGConnection.class);
        PGConnection target = context.target().unwrap(PGConnection.class);
        buf = new byte[settings.bufferBytes()];
        // The source is asked for its COPY beside this thread while the target answers for its own: over a network
        // a small table waits for one round trip there, not two. If the target's fails (say, a missing table), the
        // source's is canceled once it has started.
        CompletableFuture<CancelOnClose<CopyOut>> outStarted = Beside.start(context.beside(),
                () -> openOut(source, copyOutSql));
        CancelOnClose<CopyIn> inStarted;
        try {
            inStarted = openIn(target, copyInSql);
        } catch (SQLException | RuntimeException e) {
            Beside.closeOnceStarted(outStarted, e);
            throw e;
        }
        try (var in = inStarted; var out = Beside.started(outStarted)) {
            dst = in.op();
            Optional<PGStream> stream = buf.length == 0 ? Optional.empty() : ProtocolStream.of(source);
            if (stream.isPresent()) {
                readMessages(stream.get(), out.op());
            } else {
                readRows(out.op());
            }
            if (fill > 0) {
                flush();
            }
            checkCanceled();
            long rows = end(dst);
            context.progress(rows, bytes);
            log.debug("Mover {} copied {} rows ({} bytes) of {} in {} ms", moverId, rows, bytes, task.displayName(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            // The source's own count of what it sent, from its command tag: the driver has read it by now.
            long sent = out.op().getHandledRowCount();
            return new MoveResult(rows, bytes, Optional.ofNullable(checksum).map(CopyChecksum::sum),
                    sent < 0 ? OptionalLong.empty() : OptionalLong.of(sent));
        }
    }

    /** The driver's API: one array per row. */
    private void readRows(CopyOut src) throws SQLException {
        byte[] row;
        while ((row = read(src)) != null) {
            append(row);
        }
    }

    /**
     * Reads each data message straight off the driver's stream into the buffer, a row split across two writes
     * when the buffer fills (COPY FROM STDIN takes the data as a stream, in pieces of any size), so a row of any
     * size costs no memory of its own. Every other message (the end of the COPY, a notice, an error) is left to
     * the driver, whose state is then as if it had read the data messages itself. The stream is handed back
     * only at a message's end: a cancel is looked at between messages, and a failed write skips the rest of the
     * message it was in, so that closing the COPY out can read on.
     */
    private void readMessages(PGStream stream, CopyOut src) throws SQLException {
        try {
            while (true) {
                if (stream.peekChar() != COPY_DATA) {
                    byte[] row = read(src);
                    if (row == null) {
                        return;
                    }
                    append(row);
                    continue;
                }
                stream.receiveChar();
                int remaining = stream.receiveInteger4() - 4;
                messages++;
                try {
                    if (padding != null && remaining <= buf.length) {
                        // Whole, to be trimmed before it goes.
                        if (remaining > buf.length - fill) {
                            writeBuffer();
                        }
                        int n = remaining;
                        stream.receive(buf, fill, n);
                        remaining = 0;
                        if (checksum != null) {
                            checksum.update(buf, fill, n);
                        }
                        bytes += n;
                        fill += padding.trim(buf, fill, n);
                    } else if (padding != null) {
                        padding.passedOver();
                    }
                    while (remaining > 0) {
                        if (fill == buf.length) {
                            writeBuffer();
                        }
                        int n = Math.min(remaining, buf.length - fill);
                        stream.receive(buf, fill, n);
                        if (checksum != null) {
                            checksum.update(buf, fill, n);
                        }
                        bytes += n;
                        fill += n;
                        remaining -= n;
                    }
                } catch (SQLException | RuntimeException e) {
                    try {
                        stream.skip(remaining);
                    } catch (IOException skipFailed) {
                        e.addSuppressed(skipFailed);
                    }
                    throw e;
                }
                if (checksum != null) {
                    checksum.endRow();
                }
                checkpointIfDue();
            }
        } catch (IOException e) {
            throw failure("read COPY data from the source", new PSQLException(
                    "Database connection failed when reading from copy", PSQLState.CONNECTION_FAILURE, e));
        }
    }

    /** Adds one row the driver handed over; a row that does not fit goes after what the buffer holds. */
    private void append(byte[] row) throws SQLException {
        messages++;
        if (checksum != null) {
            checksum.update(row, 0, row.length);
            checksum.endRow();
        }
        int n = row.length;
        bytes += n;
        if (n > buf.length - fill && fill > 0) {
            flush();
        }
        if (n >= buf.length) {
            if (padding != null) {
                padding.passedOver();
            }
            write(dst, row, n);
            checkpointIfDue();
        } else {
            System.arraycopy(row, 0, buf, fill, n);
            fill += padding == null ? n : padding.trim(buf, fill, n);
        }
    }

    private void flush() throws SQLException {
        writeBuffer();
        checkpointIfDue();
    }

    private void writeBuffer() throws SQLException {
        write(dst, buf, fill);
        fill = 0;
    }

    private void checkpointIfDue() {
        if (bytes >= nextCheckpoint) {
            checkpoint(messages, bytes);
            nextCheckpoint = bytes + CHECKPOINT_BYTES;
        }
    }

    private void checkpoint(long messages, long bytes) {
        checkCanceled();
        long now = System.nanoTime();
        if (now - lastProgressNanos >= PROGRESS_INTERVAL_NANOS) {
            lastProgressNanos = now;
            context.progress(Math.max(0, messages - extraMessages), bytes);
        }
    }

    private void checkCanceled() {
        if (context.isCanceled() || Thread.currentThread().isInterrupted()) {
            throw new MigrationCanceledException("Copy of " + task.displayName() + " stopped: the migration was canceled");
        }
    }

    private CancelOnClose<CopyIn> openIn(PGConnection target, String sql) throws SQLException {
        try {
            return CancelOnClose.copyIn(target, sql);
        } catch (SQLException e) {
            throw failure("start COPY FROM STDIN on the target", e);
        }
    }

    private CancelOnClose<CopyOut> openOut(PGConnection source, String sql) throws SQLException {
        try {
            return CancelOnClose.copyOut(source, sql);
        } catch (SQLException e) {
            throw failure("start COPY TO STDOUT on the source", e);
        }
    }

    private byte[] read(CopyOut src) throws SQLException {
        try {
            return src.readFromCopy();
        } catch (SQLException e) {
            throw failure("read COPY data from the source", e);
        }
    }

    private void write(CopyIn dst, byte[] data, int length) throws SQLException {
        try {
            dst.writeToCopy(data, 0, length);
        } catch (SQLException e) {
            throw failure("write COPY data to the target", e);
        }
    }

    private long end(CopyIn dst) throws SQLException {
        try {
            return dst.endCopy();
        } catch (SQLException e) {
            throw failure("finish COPY FROM STDIN on the target", e);
        }
    }

    /**
     * A cancel shows up as an error from whichever server was canceled; report it as a cancel. Otherwise
     * say which side failed and keep the server's SQLState; the server's own message, which may quote row
     * values, stays in the cause.
     */
    private SQLException failure(String attempted, SQLException e) {
        if (context.isCanceled() || Thread.currentThread().isInterrupted()) {
            throw new MigrationCanceledException(
                    "Copy of " + task.displayName() + " stopped: the migration was canceled", e);
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String reason = quotesNoRowValues(state) && e.getMessage() != null
                ? ": " + e.getMessage().lines().findFirst().orElse("") : "; the cause has the server's message";
        return new SQLException("Mover " + moverId + " could not " + attempted + " for " + task.displayName()
                + " (SQLSTATE " + state + ")" + reason, state, e);
    }

    /**
     * Whether errors of this SQLState describe the server or the connection, never the data: connection
     * exceptions (08), insufficient resources such as a full disk (53), operator intervention such as a
     * terminated backend or a shutdown (57), and system errors (58). Their message is what the user needs.
     */
    private static boolean quotesNoRowValues(String sqlState) {
        return sqlState.startsWith("08") || sqlState.startsWith("53") || sqlState.startsWith("57")
                || sqlState.startsWith("58");
    }
}
