package dev.pgmigrate.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The comparison of source and target after a copy: every table's rows and checksum, object counts per
 * kind and schema, and sequence values.
 *
 * @param startedAt when verification began
 * @param elapsed how long it took
 * @param tables one entry per table
 * @param objects counts per schema and kind, and sequence values
 * @since 0.1
 */
@Stable(since = "0.1")
public record VerificationReport(Instant startedAt, Duration elapsed, List<TableVerification> tables,
        List<ObjectCount> objects) {
    public VerificationReport {
        Objects.requireNonNull(startedAt, "startedAt must not be null");
        Objects.requireNonNull(elapsed, "elapsed must not be null");
        tables = List.copyOf(Objects.requireNonNull(tables, "tables must not be null"));
        objects = List.copyOf(Objects.requireNonNull(objects, "objects must not be null"));
    }

    /** Whether every table and every count matches. */
    public boolean matches() {
        return tables.stream().allMatch(TableVerification::matches) && objects.stream().allMatch(ObjectCount::matches);
    }

    /** The tables that differ. */
    public List<TableVerification> tableMismatches() {
        return tables.stream().filter(t -> !t.matches()).toList();
    }

    /** The counts that differ. */
    public List<ObjectCount> objectMismatches() {
        return objects.stream().filter(o -> !o.matches()).toList();
    }
}
