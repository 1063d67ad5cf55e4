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

    /** {@code schema.table}, unquoted, for display. */
    public String qualifiedName() {
        return schema + "." + table;
    }
}
