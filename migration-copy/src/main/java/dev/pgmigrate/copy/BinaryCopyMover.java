package dev.pgmigrate.copy;

import dev.pgmigrate.api.spi.CopyChecksum;
import dev.pgmigrate.api.spi.CopyContext;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;

/**
 * Streams a table's rows in binary COPY format from the source straight into the target, bytes unchanged but for
 * the blanks that pad {@code character(n)} values, which the target pads again (where the target's columns have the
 * source's types, {@link CopyContext#targetColumnsMatchSource()}): the fastest way there is, for every
 * table whose columns all have a portable binary form.
 *
 * <p>When the engine asks ({@link CopyContext#checksumRows()}), it sums a {@link CopyChecksum} of the rows as they
 * pass, and reads the target's table back the same way ({@link #checksum}) for the verification; or, where the
 * engine can ask the target for its own sum ({@link CopyContext#checksumLikeServer()}), hashes them as the target
 * does ({@link CopyChecksum#likeServer}), and the target's rows are not read back.
 *
 * <p>Option {@code copy.bufferBytes} sets how many bytes are gathered before one write to the target.
 */
public final class BinaryCopyMover implements DataMover {
    /** This mover's id. */
    public static final String ID = "binary-copy";

    private static final String FORMAT = "FORMAT binary";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Set<String> options() {
        return Set.of(CopySettings.BUFFER_BYTES);
    }

    @Override
    public boolean supports(CopyTask task) {
        return task.binarySafe();
    }

    @Override
    public MoveResult move(CopyTask task, CopyContext context) throws SQLException {
        Objects.requireNonNull(task, "task must not be null");
        Objects.requireNonNull(context, "context must not be null");
        // Binary COPY output ends with a trailer message that is not a row.
        return CopyStreamer.move(ID, task, context, task.copyOutSql(FORMAT),
                task.copyInSql(task.freeze() ? FORMAT + ", FREEZE" : FORMAT), 1,
                context.checksumRows() ? checksum(task, context) : null,
                context.targetColumnsMatchSource() ? CharPadding.of(task.columns()).orElse(null) : null);
    }

    /** One {@code COPY ... FROM STDIN} on the target, applied whole or not at all. */
    @Override
    public boolean runsOneStatement(CopyTask task) {
        return true;
    }

    /** Hashed as the target hashes its own rows where the engine compares so and the columns allow it. */
    private static CopyChecksum checksum(CopyTask task, CopyContext context) {
        return context.checksumLikeServer() ? CopyChecksum.likeServer(task.columns()).orElseGet(CopyChecksum::binary)
                : CopyChecksum.binary();
    }

    /** The binary COPY of the task's rows on {@code connection}, hashed as {@link #move} hashes the source's. */
    @Override
    public Optional<CopyChecksum.Sum> checksum(CopyTask task, Connection connection) throws SQLException {
        return Optional.of(CopyReadBack.read(connection, task.copyOutSql(FORMAT), CopyChecksum.binary()));
    }
}
