package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.Stable;
import java.sql.Connection;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The connections and services a {@link DataMover} uses for one {@link CopyTask}.
 *
 * <p>The engine owns both connections: the source one is inside a read-only transaction on the migration's
 * snapshot, the target one inside a transaction the engine commits after {@code move} returns (or in autocommit
 * mode, for a mover that {@link DataMover#runsOneStatement runs one statement}). A mover neither
 * commits, rolls back nor closes them. To cancel, the engine cancels the statements running on both.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public interface CopyContext {
    /** The source connection, on the migration's snapshot. */
    Connection source();

    /** The target connection, in an open transaction unless the mover runs one statement. */
    Connection target();

    /**
     * Reports how far this task has come; cheap, and may be called per buffer.
     *
     * @param rows rows copied so far, or 0 while unknown (binary COPY counts rows only at the end)
     * @param bytes COPY bytes moved so far
     */
    void progress(long rows, long bytes);

    /** Whether the migration was canceled; check it between buffers. */
    boolean isCanceled();

    /** The migration's settings, including plugin options such as {@code "copy.bufferBytes"}. */
    MigrationSettings settings();

    /**
     * Whether the engine verifies this task's rows by the {@link CopyChecksum} of what the mover read, in its
     * {@link MoveResult}, against {@link DataMover#checksum} of the target's table: then a mover that implements
     * that method feeds a checksum as it reads. False by default.
     *
     * @since 0.3
     */
    default boolean checksumRows() {
        return false;
    }

    /**
     * Whether, when {@link #checksumRows()}, the engine can compare a checksum made with
     * {@link CopyChecksum#likeServer} against the one the target computes over its own rows, without reading them
     * back: a mover of binary COPY then makes its checksum so where the task's columns allow it. A checksum of the
     * other kind is compared as {@link #checksumRows()} says. False by default.
     *
     * @since 0.3
     */
    default boolean checksumLikeServer() {
        return false;
    }

    /**
     * Whether each column of the task's target table has its source column's type: the engine made the table from
     * the source's schema, or checked the user's table, as data only does. A mover may then leave out what the
     * target's input functions restore, such as the blanks that pad a {@code character(n)} value (into a
     * {@code text} column they would be lost). False by default.
     *
     * @since 0.3
     */
    default boolean targetColumnsMatchSource() {
        return false;
    }

    /**
     * The encoding a text or CSV {@code COPY} names on both servers ({@code ENCODING '...'}), so that the bytes move
     * without conversion: {@code SQL_ASCII} for such a database, whose bytes need not be UTF-8 (the driver's
     * encoding, which the target would otherwise check them against). Empty for the connections' own encoding.
     *
     * @since 0.3
     */
    default Optional<String> textEncoding() {
        return Optional.empty();
    }

    /**
     * Where a mover runs work beside its own thread for this task, such as asking the source for its {@code COPY}
     * while the target answers for its own, so that a small table waits for one round trip instead of two. The
     * engine's runs it on a thread of the migration's; the default runs it at once, on the caller's thread.
     *
     * @since 0.3
     */
    default Executor beside() {
        return Runnable::run;
    }
}
