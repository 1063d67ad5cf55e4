package dev.pgmigrate.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How far the copy of one table has come.
 *
 * @param schema the table's schema
 * @param table the table's name
 * @param state queued, loading, completed or errored
 * @param rows rows copied so far (known exactly once a part finishes)
 * @param bytes COPY bytes moved so far
 * @param estimatedBytes the source's estimate of the table's size on disk, for progress and time left
 * @param parts how many ranges the table was split into (1 when whole)
 * @param partsDone how many of those ranges are committed on the target
 * @param moverId the data mover that copies it, once chosen
 * @param startedAt when the first range started
 * @param endedAt when the last range ended
 * @param error what went wrong, for an errored table
 * @since 0.1
 */
@Stable(since = "0.1")
public record TableProgress(String schema, String table, TableState state, long rows, long bytes,
        long estimatedBytes, int parts, int partsDone, Optional<String> moverId, Optional<Instant> startedAt,
        Optional<Instant> endedAt, Optional<String> error) {

    public TableProgress {
        Objects.requireNonNull(schema, "schema must not be null");
        Objects.requireNonNull(table, "table must not be null");
        Objects.requireNonNull(state, "state must not be null");
        Objects.requireNonNull(moverId, "moverId must not be null");
        Objects.requireNonNull(startedAt, "startedAt must not be null");
        Objects.requireNonNull(endedAt, "endedAt must not be null");
        Objects.requireNonNull(error, "error must not be null");
    }

    /** A table waiting for its copy: {@code parts} parts, {@code estimatedBytes} on the source. */
    public static TableProgress queued(String schema, String table, long estimatedBytes, int parts) {
        return new TableProgress(schema, table, TableState.QUEUED, 0, 0, estimatedBytes, parts, 0, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** This table queued again from nothing, as a resumed migration copies a table the dead process had begun. */
    public TableProgress requeued() {
        return queued(schema, table, estimatedBytes, parts);
    }

    /** This table being copied by {@code mover} since {@code at}. */
    public TableProgress loading(String mover, Instant at) {
        return new TableProgress(schema, table, TableState.LOADING, rows, bytes, estimatedBytes, parts, partsDone,
                Optional.of(mover), Optional.of(at), Optional.empty(), Optional.empty());
    }

    /** This table with {@code newRows} rows and {@code newBytes} bytes copied so far. */
    public TableProgress progressed(long newRows, long newBytes) {
        return new TableProgress(schema, table, state, newRows, newBytes, estimatedBytes, parts, partsDone, moverId,
                startedAt, endedAt, error);
    }

    /** This table with one more part copied, and its rows and bytes then. */
    public TableProgress partDone(long newRows, long newBytes) {
        return new TableProgress(schema, table, state, newRows, newBytes, estimatedBytes, parts, partsDone + 1,
                moverId, startedAt, endedAt, error);
    }

    /** This table copied whole at {@code at}. */
    public TableProgress completed(long newRows, long newBytes, Instant at) {
        return new TableProgress(schema, table, TableState.COMPLETED, newRows, newBytes, estimatedBytes, parts, parts,
                moverId, startedAt, Optional.of(at), Optional.empty());
    }

    /** This table's copy failed at {@code at} with {@code message}. */
    public TableProgress errored(Instant at, String message) {
        return new TableProgress(schema, table, TableState.ERRORED, rows, bytes, estimatedBytes, parts, partsDone,
                moverId, startedAt, Optional.of(at), Optional.of(message));
    }

    /** {@code schema.table}, unquoted, for display. */
    public String qualifiedName() {
        return schema + "." + table;
    }
}
