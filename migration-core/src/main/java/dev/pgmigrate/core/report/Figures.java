package dev.pgmigrate.core.report;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * What the report derives from a record: times, totals and throughput per table, per database and overall.
 * A table or database still running counts up to {@code now}. The copy time is the time some table was copying:
 * the windows of the tables' copies joined, so the schema, the builds after the last copy, the verification and
 * the databases in between do not count in the copy rate.
 */
final class Figures {
    private Figures() {
    }

    /** One table's copy: its progress, and how long it took from the first range's start to the last's end. */
    record TableFigures(TableProgress progress, Optional<Duration> time) {
        TableFigures {
            Objects.requireNonNull(progress, "progress must not be null");
            Objects.requireNonNull(time, "time must not be null");
        }

        static TableFigures of(TableProgress t, Instant now) {
            return new TableFigures(t, t.startedAt().map(s -> between(s, t.endedAt().orElse(now))));
        }

        OptionalDouble bytesPerSecond() {
            return rate(progress.bytes(), time);
        }

        OptionalDouble rowsPerSecond() {
            return rate(progress.rows(), time);
        }
    }

    /**
     * One database: its tables, sums, how long the database took from start to end, and its copy window (first
     * table started to last table ended), over which its throughput is measured.
     */
    record DatabaseFigures(DatabaseProgress progress, List<TableFigures> tables, long rows, long bytes,
            Optional<Duration> time, Optional<Instant> copyStartedAt, Optional<Instant> copyEndedAt,
            Optional<Duration> copyTime, Optional<Duration> indexTime, Optional<Duration> analyzeTime) {
        DatabaseFigures {
            Objects.requireNonNull(progress, "progress must not be null");
            tables = List.copyOf(tables);
        }

        static DatabaseFigures of(DatabaseProgress d, Instant now) {
            List<TableFigures> tables = d.tables().stream().map(t -> TableFigures.of(t, now)).toList();
            return new DatabaseFigures(d, tables, d.tables().stream().mapToLong(TableProgress::rows).sum(),
                    d.tables().stream().mapToLong(TableProgress::bytes).sum(),
                    d.startedAt().map(s -> between(s, d.endedAt().orElse(now))), firstStart(d.tables()),
                    lastEnd(d.tables(), now), copying(d.tables(), now), sum(d.tables(), TableProgress::buildTime),
                    sum(d.tables(), TableProgress::analyzeTime));
        }

        OptionalDouble bytesPerSecond() {
            return rate(bytes, copyTime());
        }
    }

    /** The whole migration's sums over every database. */
    record Totals(int databases, int tables, long completed, long errored, long rows, long bytes,
            Optional<Duration> copyTime, Optional<Duration> indexTime, Optional<Duration> analyzeTime) {
        static Totals of(MigrationRecord r, Instant now) {
            List<TableProgress> all = r.databases().stream().flatMap(d -> d.tables().stream()).toList();
            return new Totals(r.databases().size(), all.size(),
                    all.stream().filter(t -> t.state() == TableState.COMPLETED).count(),
                    all.stream().filter(t -> t.state() == TableState.ERRORED).count(),
                    all.stream().mapToLong(TableProgress::rows).sum(),
                    all.stream().mapToLong(TableProgress::bytes).sum(), copying(all, now),
                    sum(all, TableProgress::buildTime), sum(all, TableProgress::analyzeTime));
        }

        OptionalDouble bytesPerSecond() {
            return rate(bytes, copyTime());
        }
    }

    /** How many checks ended in each status. */
    record Tally(long failed, long warnings, long succeeded) {
        static Tally of(List<ValidationResult> results) {
            return new Tally(count(results, ValidationStatus.FAILED), count(results, ValidationStatus.WARNING),
                    count(results, ValidationStatus.SUCCEEDED));
        }

        private static long count(List<ValidationResult> results, ValidationStatus status) {
            return results.stream().filter(v -> v.status() == status).count();
        }
    }

    /** Units per second over {@code time}; empty when the time is unknown or too short to measure. */
    static OptionalDouble rate(long amount, Optional<Duration> time) {
        if (time.isEmpty() || time.get().toMillis() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(amount * 1000.0 / time.get().toMillis());
    }

    static Duration between(Instant start, Instant end) {
        Duration d = Duration.between(start, end);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The time at least one of {@code tables} was copying: their copy windows joined; empty when none began. */
    static Optional<Duration> copying(List<TableProgress> tables, Instant now) {
        List<Instant[]> windows = new ArrayList<>();
        for (TableProgress t : tables) {
            t.startedAt().ifPresent(s -> windows.add(new Instant[] {s, t.endedAt().orElse(now)}));
        }
        if (windows.isEmpty()) {
            return Optional.empty();
        }
        windows.sort(Comparator.comparing((Instant[] w) -> w[0]));
        Duration total = Duration.ZERO;
        Instant start = windows.get(0)[0];
        Instant end = windows.get(0)[1];
        for (Instant[] w : windows.subList(1, windows.size())) {
            if (w[0].isAfter(end)) {
                total = total.plus(between(start, end));
                start = w[0];
                end = w[1];
            } else if (w[1].isAfter(end)) {
                end = w[1];
            }
        }
        return Optional.of(total.plus(between(start, end)));
    }

    /** The sum of a time the tables recorded; empty when none recorded it (as in records stored before 0.3). */
    private static Optional<Duration> sum(List<TableProgress> tables,
            Function<TableProgress, Optional<Duration>> time) {
        return tables.stream().map(time).flatMap(Optional::stream).reduce(Duration::plus);
    }

    private static Optional<Instant> firstStart(List<TableProgress> tables) {
        return tables.stream().flatMap(t -> t.startedAt().stream()).min(Comparator.naturalOrder());
    }

    /** The last end among started tables; {@code now} when one of them still runs. */
    private static Optional<Instant> lastEnd(List<TableProgress> tables, Instant now) {
        List<TableProgress> started = tables.stream().filter(t -> t.startedAt().isPresent()).toList();
        if (started.isEmpty()) {
            return Optional.empty();
        }
        if (started.stream().anyMatch(t -> t.endedAt().isEmpty())) {
            return Optional.of(now);
        }
        return started.stream().flatMap(t -> t.endedAt().stream()).max(Comparator.naturalOrder());
    }
}
