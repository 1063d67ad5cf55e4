package dev.pgmigrate.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one selected database in a migration, with its tables.
 *
 * @param database the database's name
 * @param status in progress, failed, canceled or succeeded
 * @param startedAt when its migration began; empty while it waits its turn
 * @param endedAt when it ended
 * @param tables every table, in copy order
 * @param message what went wrong, or a note for the user
 * @param activity what its migration does now when no table is copying and no build runs, for people, such as
 *     {@code "verifying"}; empty in records stored before 0.3
 * @param replication an online migration's stream into this database once its copy is done: lag and what was
 *     applied; empty otherwise
 * @since 0.1
 */
@Stable(since = "0.1")
public record DatabaseProgress(String database, MigrationStatus status, Optional<Instant> startedAt,
        Optional<Instant> endedAt, List<TableProgress> tables, Optional<String> message, Optional<String> activity,
        Optional<ReplicationProgress> replication) {

    public DatabaseProgress {
        Objects.requireNonNull(database, "database must not be null");
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(startedAt, "startedAt must not be null");
        Objects.requireNonNull(endedAt, "endedAt must not be null");
        tables = List.copyOf(Objects.requireNonNull(tables, "tables must not be null"));
        Objects.requireNonNull(message, "message must not be null");
        Objects.requireNonNull(activity, "activity must not be null");
        Objects.requireNonNull(replication, "replication must not be null");
    }

    /**
     * A database without a replication stream: every database of an offline migration.
     *
     * @since 0.2
     */
    public DatabaseProgress(String database, MigrationStatus status, Optional<Instant> startedAt,
            Optional<Instant> endedAt, List<TableProgress> tables, Optional<String> message, Optional<String> activity) {
        this(database, status, startedAt, endedAt, tables, message, activity, Optional.empty());
    }

    /**
     * A database without an activity, as records before 0.3 describe it.
     *
     * @since 0.1
     */
    public DatabaseProgress(String database, MigrationStatus status, Optional<Instant> startedAt,
            Optional<Instant> endedAt, List<TableProgress> tables, Optional<String> message) {
        this(database, status, startedAt, endedAt, tables, message, Optional.empty());
    }

    /** How many tables are in {@code state}. */
    public long count(TableState state) {
        return tables.stream().filter(t -> t.state() == state).count();
    }

    /**
     * Whether it waits for its turn: in progress, and its migration has not begun.
     *
     * @since 0.2
     */
    public boolean queued() {
        return status == MigrationStatus.IN_PROGRESS && startedAt.isEmpty();
    }

    /**
     * Whether every table's rows are in: none queued, loading or errored (true for a database without tables).
     *
     * @since 0.2
     */
    public boolean copied() {
        return tables.stream().allMatch(t -> t.state() == TableState.COMPLETED);
    }

    /**
     * The builds (indexes, key and check constraints, extended statistics) that follow its tables' copies.
     *
     * @since 0.2
     */
    public int builds() {
        return tables.stream().mapToInt(TableProgress::builds).sum();
    }

    /**
     * How many of its {@link #builds()} are done.
     *
     * @since 0.2
     */
    public int buildsDone() {
        return tables.stream().mapToInt(TableProgress::buildsDone).sum();
    }

    /**
     * What is being built now, each as {@code "public.orders: index orders_pkey"}, in table order.
     *
     * @since 0.2
     */
    public List<String> building() {
        return tables.stream().filter(t -> t.building().isPresent())
                .map(t -> t.qualifiedName() + ": " + t.building().get()).toList();
    }

    /** Bytes copied so far over the estimated total, 0 to 100. */
    public double percentDone() {
        long total = tables.stream().mapToLong(t -> Math.max(t.estimatedBytes(), t.bytes())).sum();
        long done = tables.stream().mapToLong(t -> t.state() == TableState.COMPLETED
                ? Math.max(t.estimatedBytes(), t.bytes()) : Math.min(t.bytes(), t.estimatedBytes())).sum();
        return total == 0 ? (tables.isEmpty() ? 0 : 100) : Math.min(100.0, 100.0 * done / total);
    }

    /**
     * This database with another activity.
     *
     * @since 0.2
     */
    public DatabaseProgress withActivity(Optional<String> newActivity) {
        return new DatabaseProgress(database, status, startedAt, endedAt, tables, message, newActivity, replication);
    }

    /**
     * This database with its replication's latest figures.
     *
     * @since 0.3
     */
    public DatabaseProgress withReplication(Optional<ReplicationProgress> newReplication) {
        return new DatabaseProgress(database, status, startedAt, endedAt, tables, message, activity, newReplication);
    }
}
