package dev.pgmigrate.copy;

import dev.pgmigrate.api.spi.CopyContext;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Set;

/**
 * Streams a table's rows in text COPY format: slower than binary, but right for every type, including those
 * without binary I/O and arrays or composites of user-defined types, whose binary form carries type OIDs that
 * differ on the target. The engine gives it the tables {@link BinaryCopyMover} does not support.
 *
 * <p>Option {@code copy.bufferBytes} sets how many bytes are gathered before one write to the target.
 */
public final class TextCopyMover implements DataMover {
    /** This mover's id. */
    public static final String ID = "text-copy";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Set<String> options() {
        return Set.of(CopySettings.BUFFER_BYTES);
    }

    @Override
    public boolean supports(CopyTask task) {
        return true;
    }

    @Override
    public MoveResult move(CopyTask task, CopyContext context) throws SQLException {
        Objects.requireNonNull(task, "task must not be null");
        Objects.requireNonNull(context, "context must not be null");
        String encoding = context.textEncoding().map(e -> "ENCODING " + quoted(e)).orElse("");
        String in = task.freeze() ? (encoding.isEmpty() ? "FREEZE" : "FREEZE, " + encoding) : encoding;
        return CopyStreamer.move(ID, task, context, task.copyOutSql(encoding), task.copyInSql(in), 0, null,
                null);
    }

    private static String quoted(String literal) {
        return "'" + literal.replace("'", "''") + "'";
    }

    /** One {@code COPY ... FROM STDIN} on the target, applied whole or not at all. */
    @Override
    public boolean runsOneStatement(CopyTask task) {
        return true;
    }
}
