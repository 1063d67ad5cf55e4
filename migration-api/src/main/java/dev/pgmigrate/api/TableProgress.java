package dev.pgmigrate.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How far the copy of one table has come, and then its index builds and ANALYZE.
 *
 * @param schema the table's schema
 * @param table the table's name
 * @param state queued, loading, completed (its rows are in) or errored
 * @param rows rows copied so far (known exactly once a part finishes)
 * @param bytes COPY bytes moved so far
 * @param estimatedBytes the source's estimate of the table's size on disk, for progress and time left
 * @param parts how many ranges the table was split into (1 when whole)
 * @param partsDone how many of those ranges are committed on the target
 * @param moverId the data mover that copies it, once chosen
 * @param startedAt when the first range started
 * @param endedAt when the last range ended
 * @param error what went wrong, for an errored table
 * @param builds how many builds follow its copy: its indexes, key and check constraints and extended statistics
 *     (0 in records stored before 0.3, which did not count them)
 * @param buildsDone how many of those are done
 * @param building what is being built on it now, for people, such as {@code "index orders_pkey"} or
 *     {@code "ANALYZE"}; several at once are joined with {@code ", "}
 * @param buildTime the time its builds took, summed (they may run side by side)
 * @param analyzeTime the time its {@code ANALYZE} took
 * @since 0.1
 */
@Stable(since = "0.1")
public record TableProgress(String schema, String table, TableState state, long rows, long bytes,
        long estimatedBytes, int parts, int partsDone, Optional<String> moverId, Optional<Instant> startedAt,
        Optional<Instant> endedAt, Optional<String> error, int builds, int buildsDone, Optional<String> building,
        Optional<Duration> buildTime, Optional<Duration> analyzeTime) {

    public TableProgress {
        Objects.requireNonNull(schema, "schema must not be null");
        Objects.requireNonNull(table, "table must not be null");
        Objects.requireNonNull(state, "state must not be null");
        Objects.requireNonNull(moverId, "moverId must not be null");
        Objects.requireNonNull(startedAt, "startedAt must not be null");
        Objects.requireNonNull(endedAt, "endedAt must not be null");
        Objects.requireNonNull(error, "error must not be null");
        Objects.requireNonNull(building, "building must not be null");
        Objects.requireNonNull(buildTime, "buildTime must not be null");
        Objects.requireNonNull(analyzeTime, "analyzeTime must not be null");
        if (builds < 0 || buildsDone < 0) {
            throw new IllegalArgumentException(schema + "." + table + ": builds and buildsDone must not be negative");
        }
    }

    /**
     * A table's copy without its builds, as records before 0.3 describe it.
     *
     * @since 0.1
     */
    public TableProgress(String schema, String table, TableState state, long rows, long bytes, long estimatedBytes,
            int parts, int partsDone, Optional<String> moverId, Optional<Instant> startedAt, Optional<Instant> endedAt,
            Optional<String> error) {
        this(schema, table, state, rows, bytes, estimatedBytes, parts, partsDone, moverId, startedAt, endedAt, error,
                0, 0, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A table waiting for its copy: {@code parts} parts, {@code estimatedBytes} on the source. */
    public static TableProgress queued(String schema, String table, long estimatedBytes, int parts) {
        return new TableProgress(schema, table, TableState.QUEUED, 0, 0, estimatedBytes, parts, 0, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** This table queued again from nothing, as a resumed migration copies a table the dead process had begun. */
    public TableProgress requeued() {
        return queued(schema, table, estimatedBytes, parts).withBuilds(builds);
    }

    /** This table being copied by {@code mover} since {@code at}. */
    public TableProgress loading(String mover, Instant at) {
        return new TableProgress(schema, table, TableState.LOADING, rows, bytes, estimatedBytes, parts, partsDone,
                Optional.of(mover), Optional.of(at), Optional.empty(), Optional.empty(), builds, buildsDone, building,
                buildTime, analyzeTime);
    }

    /** This table with {@code newRows} rows and {@code newBytes} bytes copied so far. */
    public TableProgress progressed(long newRows, long newBytes) {
        return new TableProgress(schema, table, state, newRows, newBytes, estimatedBytes, parts, partsDone, moverId,
                startedAt, endedAt, error, builds, buildsDone, building, buildTime, analyzeTime);
    }

    /** This table with one more part copied, and its rows and bytes then. */
    public TableProgress partDone(long newRows, long newBytes) {
        return new TableProgress(schema, table, state, newRows, newBytes, estimatedBytes, parts, partsDone + 1,
                moverId, startedAt, endedAt, error, builds, buildsDone, building, buildTime, analyzeTime);
    }

    /** This table copied whole at {@code at}. */
    public TableProgress completed(long newRows, long newBytes, Instant at) {
        return new TableProgress(schema, table, TableState.COMPLETED, newRows, newBytes, estimatedBytes, parts, parts,
                moverId, startedAt, Optional.of(at), Optional.empty(), builds, buildsDone, building, buildTime,
                analyzeTime);
    }

    /** This table's copy failed at {@code at} with {@code message}. */
    public TableProgress errored(Instant at, String message) {
        return new TableProgress(schema, table, TableState.ERRORED, rows, bytes, estimatedBytes, parts, partsDone,
                moverId, startedAt, Optional.of(at), Optional.of(message), builds, buildsDone, building, buildTime,
                analyzeTime);
    }

    /**
     * This table with {@code count} builds to follow its copy, none of them done yet.
     *
     * @since 0.2
     */
    public TableProgress withBuilds(int count) {
        return new TableProgress(schema, table, state, rows, bytes, estimatedBytes, parts, partsDone, moverId,
                startedAt, endedAt, error, count, 0, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * This table with {@code what} being built on it now, or nothing.
     *
     * @since 0.2
     */
    public TableProgress building(Optional<String> what) {
        return new TableProgress(schema, table, state, rows, bytes, estimatedBytes, parts, partsDone, moverId,
                startedAt, endedAt, error, builds, buildsDone, what, buildTime, analyzeTime);
    }

    /**
     * This table with one more build done, which took {@code took}.
     *
     * @since 0.2
     */
    public TableProgress built(Duration took) {
        return new TableProgress(schema, table, state, rows, bytes, estimatedBytes, parts, partsDone, moverId,
                startedAt, endedAt, error, Math.max(builds, buildsDone + 1), buildsDone + 1, building,
                Optional.of(buildTime.orElse(Duration.ZERO).plus(took)), analyzeTime);
    }

    /**
     * This table analyzed, which took {@code took}.
     *
     * @since 0.2
     */
    public TableProgress analyzed(Duration took) {
        return new TableProgress(schema, table, state, rows, bytes, estimatedBytes, parts, partsDone, moverId,
                startedAt, endedAt, error, builds, buildsDone, building, buildTime,
                Optional.of(analyzeTime.orElse(Duration.ZERO).plus(took)));
    }

    /**
     * Whether its rows are in and builds of it remain.
     *
     * @since 0.2
     */
    public boolean buildsPending() {
        return state == TableState.COMPLETED && buildsDone < builds;
    }

    /** {@code schema.table}, unquoted, for display. */
    public String qualifiedName() {
        return schema + "." + table;
    }
}
