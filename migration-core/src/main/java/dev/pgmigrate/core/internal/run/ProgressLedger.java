package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ReplicationProgress;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Each database's and each table's progress in a running migration, the part of its record that changes with
 * every table. Not thread-safe: its {@link RecordKeeper} holds its own lock around every call.
 */
public final class ProgressLedger {
    /** What a database does first: lock its tables on the source and take the snapshot they are copied from. */
    static final String TAKING_SNAPSHOT = "locking its tables and taking the source's snapshot";

    private final Map<String, Map<String, TableProgress>> tables = new LinkedHashMap<>();
    private final Map<String, DatabaseProgress> databases = new LinkedHashMap<>();
    /** What runs now on each table after its copy, by database and table; several builds may run at once. */
    private final Map<String, Map<String, List<String>>> building = new HashMap<>();
    /**
     * Whether the record's per-database part is stale. Rebuilding it walks every table, so it happens only when
     * the record is read or written (at most once a second), never once per table change: with thousands of
     * tables a rebuild per change would cost quadratic time.
     */
    private boolean changed;
    /**
     * The sums behind {@link #overall}, kept as tables change: summing every table at every table's end would
     * cost quadratic time with thousands of tables.
     */
    private long totalBytes;
    private long doneBytes;
    private long rows;
    private Instant firstStart;

    /** A ledger that goes on from {@code recorded}, the record's databases as stored. */
    ProgressLedger(List<DatabaseProgress> recorded) {
        for (DatabaseProgress db : recorded) {
            databases.put(db.database(), db);
            Map<String, TableProgress> byName = new LinkedHashMap<>();
            db.tables().forEach(t -> {
                byName.put(t.qualifiedName(), t);
                count(t, 1);
            });
            tables.put(db.database(), byName);
        }
    }

    void databaseStarted(String database, Instant now) {
        DatabaseProgress db = databases.get(database);
        databases.put(database, new DatabaseProgress(database, MigrationStatus.IN_PROGRESS,
                db != null && db.startedAt().isPresent() ? db.startedAt() : Optional.of(now), Optional.empty(),
                List.of(), Optional.empty(), Optional.of(TAKING_SNAPSHOT), Optional.empty()));
        tables.computeIfAbsent(database, k -> new LinkedHashMap<>());
        changed = true;
    }

    /** Registers the tables of a database as queued (keeping those already known, as on resume). */
    void tablesQueued(String database, List<TableProgress> queued) {
        Map<String, TableProgress> byName = tables.computeIfAbsent(database, k -> new LinkedHashMap<>());
        for (TableProgress t : queued) {
            if (byName.putIfAbsent(t.qualifiedName(), t) == null) {
                count(t, 1);
            }
        }
        changed = true;
    }

    /** Changes a table; one the ledger does not know (a partitioned parent, which holds no rows) is left alone. */
    void tableChanged(String database, String qualifiedName, UnaryOperator<TableProgress> change) {
        Map<String, TableProgress> byName = tables.get(database);
        TableProgress current = byName == null ? null : byName.get(qualifiedName);
        if (current == null) {
            return;
        }
        TableProgress next = change.apply(current);
        byName.put(qualifiedName, next);
        count(current, -1);
        count(next, 1);
        changed = true;
    }

    /** Adds a table's figures to the sums behind {@link #overall} ({@code sign} 1), or takes them out (-1). */
    private void count(TableProgress t, int sign) {
        long size = Math.max(t.estimatedBytes(), t.bytes());
        totalBytes += sign * size;
        doneBytes += sign * (t.state() == TableState.COMPLETED ? size : Math.min(t.bytes(), size));
        rows += sign * t.rows();
        if (sign > 0 && t.startedAt().isPresent()
                && (firstStart == null || t.startedAt().get().isBefore(firstStart))) {
            firstStart = t.startedAt().get();
        }
    }

    /** Says what the database's migration does now, when no table is copying and no build runs. */
    void activity(String database, Optional<String> activity) {
        DatabaseProgress db = databases.get(database);
        if (db != null && !db.status().isFinal()) {
            databases.put(database, db.withActivity(activity));
            changed = true;
        }
    }

    /**
     * An online migration's stream into the database moved on; the database waits for the cutover trigger (or
     * runs it) from its first figures on.
     */
    void replication(String database, ReplicationProgress figures, MigrationStatus status) {
        DatabaseProgress db = databases.get(database);
        if (db != null && !db.status().isFinal()) {
            databases.put(database, new DatabaseProgress(database, status, db.startedAt(), db.endedAt(), List.of(),
                    db.message(), db.activity(), Optional.of(figures)));
            changed = true;
        }
    }

    /** A build of a table began: {@code what}, such as "index orders_pkey", shows as what is being built. */
    void buildStarted(String database, String qualifiedName, String what) {
        List<String> running = building.computeIfAbsent(database, k -> new HashMap<>())
                .computeIfAbsent(qualifiedName, k -> new ArrayList<>());
        running.add(what);
        tableChanged(database, qualifiedName, t -> t.building(Optional.of(String.join(", ", running))));
    }

    /** A build of a table stopped undone, to be run again: it is no longer shown, nor counted. */
    void buildStopped(String database, String qualifiedName, String what) {
        List<String> running = building.getOrDefault(database, Map.of()).getOrDefault(qualifiedName,
                new ArrayList<>());
        running.remove(what);
        Optional<String> still = running.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", running));
        tableChanged(database, qualifiedName, t -> t.building(still));
    }

    /** A build of a table ended after {@code took}; an {@code ANALYZE} counts as the table's analyze time. */
    void buildEnded(String database, String qualifiedName, String what, Duration took, boolean analyze) {
        List<String> running = building.getOrDefault(database, Map.of()).getOrDefault(qualifiedName,
                new ArrayList<>());
        running.remove(what);
        Optional<String> still = running.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", running));
        tableChanged(database, qualifiedName, t -> (analyze ? t.analyzed(took) : t.built(took)).building(still));
    }

    void databaseFinished(String database, MigrationStatus status, Optional<String> message, Instant now) {
        DatabaseProgress db = databases.get(database);
        databases.put(database, new DatabaseProgress(database, status,
                db == null ? Optional.of(now) : db.startedAt(), Optional.of(now), List.of(), message, Optional.empty(),
                db == null ? Optional.empty() : db.replication()));
        building.remove(database);
        changed = true;
    }

    /**
     * Gives every database the run's final status where it has none of its own yet: a database is never left
     * InProgress by a run that ended.
     *
     * @return the databases whose status this changed
     */
    List<String> end(MigrationStatus status, Instant now) {
        List<String> finished = new ArrayList<>();
        building.clear();
        tables.values().forEach(byName -> byName.replaceAll((name, t) -> t.building().isPresent()
                ? t.building(Optional.empty()) : t));
        for (DatabaseProgress db : ended(List.copyOf(databases.values()), status, now)) {
            DatabaseProgress was = databases.put(db.database(), db);
            if (was != null && was.status() != db.status()) {
                finished.add(db.database());
            }
        }
        changed = true;
        return finished;
    }

    /** Whether anything changed since the last call; the caller then takes {@link #databases()} anew. */
    boolean takeChanged() {
        boolean was = changed;
        changed = false;
        return was;
    }

    /** Every database with its tables, as the record holds them. */
    List<DatabaseProgress> databases() {
        List<DatabaseProgress> all = new ArrayList<>();
        for (DatabaseProgress db : databases.values()) {
            List<TableProgress> dbTables = new ArrayList<>(tables.getOrDefault(db.database(), Map.of()).values());
            all.add(new DatabaseProgress(db.database(), db.status(), db.startedAt(), db.endedAt(), dbTables,
                    db.message(), db.activity(), db.replication()));
        }
        return all;
    }

    /**
     * The databases of a run that ended with {@code status}, each with a final status: those still InProgress take
     * the run's, and one that had succeeded before the run failed or was canceled was rolled back with the rest
     * and says so. Tables are kept as they are.
     */
    static List<DatabaseProgress> ended(List<DatabaseProgress> databases, MigrationStatus status, Instant now) {
        boolean rolledBack = status == MigrationStatus.FAILED || status == MigrationStatus.CANCELED;
        List<DatabaseProgress> result = new ArrayList<>();
        for (DatabaseProgress db : databases) {
            boolean open = !db.status().isFinal();
            boolean undone = rolledBack && db.status() == MigrationStatus.SUCCEEDED;
            if (!open && !undone) {
                result.add(db);
                continue;
            }
            Optional<String> message = undone ? Optional.of("Rolled back: the migration " + (status
                    == MigrationStatus.FAILED ? "failed" : "was canceled") + " after this database was copied.")
                    : db.message().or(() -> endMessage(status, db.startedAt().isPresent()));
            // A build that ran when the run stopped was ended with it.
            List<TableProgress> tables = db.tables().stream()
                    .map(t -> t.building().isPresent() ? t.building(Optional.empty()) : t).toList();
            result.add(new DatabaseProgress(db.database(), status, db.startedAt(),
                    db.startedAt().isPresent() ? db.endedAt().or(() -> Optional.of(now)) : Optional.empty(),
                    tables, message, Optional.empty(), db.replication()));
        }
        return result;
    }

    private static Optional<String> endMessage(MigrationStatus status, boolean started) {
        return switch (status) {
            case SUCCEEDED -> Optional.of("Validated; not migrated (migration option Validate).");
            case VALIDATION_FAILED -> Optional.of("Not migrated: a premigration check failed.");
            case FAILED -> Optional.of(started ? "Failed; every change on the target was rolled back."
                    : "Not migrated: the migration failed before this database.");
            case CANCELED -> Optional.of(started ? "Canceled; every change on the target was rolled back."
                    : "Not migrated: the migration was canceled before this database.");
            default -> Optional.empty();
        };
    }

    /**
     * The migration's progress: bytes done of the bytes to copy (a table's estimate, or what it copied when that
     * is more), rows copied, and the time left at the pace since the first table started.
     */
    MigrationEvent.MigrationProgressed overall(String migration, Instant now) {
        Optional<Duration> left = Optional.empty();
        if (firstStart != null && doneBytes > 0 && totalBytes > doneBytes) {
            long elapsedMs = Duration.between(firstStart, now).toMillis();
            left = Optional.of(Duration.ofMillis((long) (elapsedMs * (double) (totalBytes - doneBytes) / doneBytes)));
        }
        return new MigrationEvent.MigrationProgressed(migration, now, doneBytes, totalBytes, rows, left);
    }
}
