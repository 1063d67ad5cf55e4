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
 * @param startedAt when its migration began
 * @param endedAt when it ended
 * @param tables every table, in copy order
 * @param message what went wrong, or a note for the user
 * @since 0.1
 */
@Stable(since = "0.1")
public record DatabaseProgress(String database, MigrationStatus status, Optional<Instant> startedAt,
        Optional<Instant> endedAt, List<TableProgress> tables, Optional<String> message) {

    public DatabaseProgress {
        Objects.requireNonNull(database, "database must not be null");
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(startedAt, "startedAt must not be null");
        Objects.requireNonNull(endedAt, "endedAt must not be null");
        tables = List.copyOf(Objects.requireNonNull(tables, "tables must not be null"));
        Objects.requireNonNull(message, "message must not be null");
    }

    /** How many tables are in {@code state}. */
    public long count(TableState state) {
        return tables.stream().filter(t -> t.state() == state).count();
    }

    /** Bytes copied so far over the estimated total, 0 to 100. */
    public double percentDone() {
        long total = tables.stream().mapToLong(t -> Math.max(t.estimatedBytes(), t.bytes())).sum();
        long done = tables.stream().mapToLong(t -> t.state() == TableState.COMPLETED
                ? Math.max(t.estimatedBytes(), t.bytes()) : Math.min(t.bytes(), t.estimatedBytes())).sum();
        return total == 0 ? (tables.isEmpty() ? 0 : 100) : Math.min(100.0, 100.0 * done / total);
    }
}
