package dev.pgmigrate.core.internal.verify;

import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceSelection;
import dev.pgmigrate.core.internal.pg.SessionTimeouts;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.EngineOptions;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Compares a source database (on the migration's snapshot) with its copy: every table's row count and an
 * order-independent checksum computed server-side on both at once ({@link TableComparison}), object counts per
 * schema and kind, and sequence values ({@link ObjectCounts}).
 */
public final class Verifier {
    private Verifier() {
    }

    /**
     * Verifies {@code sourceDb} against {@code targetDb}.
     *
     * @param snapshot the snapshot the source side reads, or {@code null} for the source as it is now
     */
    public static VerificationReport verify(ServerConnector source, String sourceDb, String snapshot,
            ServerConnector target, String targetDb, SourceCatalog catalog, WorkerPool pool, CancelSignal cancel)
            throws Exception {
        Map<Thread, SessionPair> sessions = new ConcurrentHashMap<>();
        try {
            return verify(source, sourceDb, snapshot, target, targetDb, catalog, pool, cancel, Map.of(), Map.of(),
                    sessions, null);
        } finally {
            sessions.values().forEach(SessionPair::close);
        }
    }

    /**
     * Verifies {@code sourceDb} against {@code targetDb}, taking the tables in {@code done} (by OID) as already
     * compared: a migration compares each table while others still copy; and those in {@code copied} by their copy's
     * checksums ({@link TableComparison#compareCopied}). Each pool worker compares on its pair in {@code sessions}
     * (those the comparisons during the copy opened, or new ones), which the caller closes. The source's object
     * counts are read on {@code snapshotSession}, the session that exported {@code snapshot} and idles in its
     * transaction, when given; else on one of the pairs.
     */
    static VerificationReport verify(ServerConnector source, String sourceDb, String snapshot,
            ServerConnector target, String targetDb, SourceCatalog catalog, WorkerPool pool, CancelSignal cancel,
            Map<Long, TableVerification> done, Map<Long, CopiedRows> copied, Map<Thread, SessionPair> sessions,
            Connection snapshotSession) throws Exception {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        List<SourceCatalog.Table> left = catalog.tables.values().stream()
                .filter(table -> table.hasData() && !done.containsKey(table.oid())).toList();
        List<TableVerification> tables = Collections.synchronizedList(new ArrayList<>(done.values()));
        if (!left.isEmpty() || !catalog.generatedColumns.isEmpty()) {
            // The coordinator's reads run while no worker compares, on a pair a worker opened or will use.
            Connection t = anyPair(sessions, source, sourceDb, catalog.versionNum, target, targetDb).target();
            // The source's version is the catalog's. The pair's search_path is pg_catalog alone, so that the columns'
            // types are named as the source's catalog names them.
            RowChecksums.HashMode mode = RowChecksums.HashMode.of(Math.min(catalog.versionNum, version(t)));
            Map<String, Map<String, String>> targetColumns = columnsByTable(t);
            CancelSignal abort = new CancelSignal();
            ExecutorService targetSide = TableComparison.targetSideThreads();
            try {
                TaskTracker tracker = new TaskTracker(pool, cancel, abort);
                for (SourceCatalog.Table table : left) {
                    Optional<String> difference = RowChecksums.structuralDifference(table, targetColumns);
                    tracker.submit(() -> {
                        SessionPair pair = sessions.computeIfAbsent(Thread.currentThread(),
                                k -> SessionPair.open(source, sourceDb, catalog.versionNum, target, targetDb));
                        tables.add(table.rowsLeftOut()
                                ? TableComparison.rowsLeftOut(pair.target(), sourceDb, table, difference)
                                : difference.isPresent()
                                ? TableComparison.countOnly(pair, sourceDb, snapshot, table, difference.get())
                                : copied.containsKey(table.oid())
                                ? TableComparison.compareCopied(pair, sourceDb, snapshot, table,
                                        copied.get(table.oid()), mode, cancel, abort, targetSide)
                                : TableComparison.compare(pair, sourceDb, snapshot, table, mode, cancel, abort,
                                        targetSide));
                        return null;
                    }, WorkerPool.PRIORITY_DEFAULT);
                }
                tracker.await();
                compareGenerated(catalog, tables, mode, pool, cancel, abort, targetSide, sessions, source, sourceDb,
                        snapshot, target, targetDb);
            } finally {
                targetSide.shutdownNow();
            }
        }
        SessionPair counts = anyPair(sessions, source, sourceDb, catalog.versionNum, target, targetDb);
        List<ObjectCount> objects;
        if (snapshot != null && snapshotSession != null) {
            // Its transaction ends next (the source's write statistics are read afresh): the timeout ends with it.
            Sql.execute(snapshotSession, "SET LOCAL lock_timeout = '"
                    + EngineOptions.lockTimeoutSeconds(source.settings()) + "s'");
            objects = ObjectCounts.compare(snapshotSession, counts.target(), sourceDb, catalog);
        } else {
            Connection s = counts.source();
            if (snapshot != null) {
                Sql.execute(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                Sql.execute(s, "SET TRANSACTION SNAPSHOT " + Sql.literal(snapshot));
            }
            objects = ObjectCounts.compare(s, counts.target(), sourceDb, catalog);
            s.rollback();
        }
        tables.sort((a, b) -> (a.schema() + "." + a.table()).compareTo(b.schema() + "." + b.table()));
        return new VerificationReport(started, Duration.ofNanos(System.nanoTime() - t0), tables, objects);
    }

    /**
     * Compares the stored generated columns of each table in {@code tables} that matched so far, on both servers: the
     * copy sends none and the target computes them, so a function that changed since the source's rows were written
     * (or computes otherwise on the target's version, its ICU, its extensions) would go unseen. A table whose
     * generated columns differ gets both sides' checksums of them appended to its own, and so no longer matches.
     */
    private static void compareGenerated(SourceCatalog catalog, List<TableVerification> tables,
            RowChecksums.HashMode mode, WorkerPool pool, CancelSignal cancel, CancelSignal abort,
            ExecutorService targetSide, Map<Thread, SessionPair> sessions, ServerConnector source, String sourceDb,
            String snapshot, ServerConnector target, String targetDb) throws Exception {
        Map<String, TableVerification> byName = new ConcurrentHashMap<>();
        synchronized (tables) {
            tables.forEach(t -> byName.put(t.schema() + "." + t.table(), t));
        }
        TaskTracker tracker = new TaskTracker(pool, cancel, abort);
        for (SourceCatalog.Table table : catalog.tables.values()) {
            List<dev.pgmigrate.api.spi.CopyColumn> generated = catalog.generatedColumns.get(table.oid());
            TableVerification compared = byName.get(table.qualifiedName());
            if (generated == null || compared == null || !compared.matches() || compared.rowsLeftOut()) {
                continue;
            }
            SourceCatalog.Table columns = new SourceCatalog.Table(table.oid(), table.schema(), table.name(),
                    table.relkind(), table.bytes(), generated, Optional.empty());
            tracker.submit(() -> {
                SessionPair pair = sessions.computeIfAbsent(Thread.currentThread(),
                        k -> SessionPair.open(source, sourceDb, catalog.versionNum, target, targetDb));
                TableVerification g = TableComparison.compare(pair, sourceDb, snapshot, columns, mode, cancel, abort,
                        targetSide);
                if (!g.matches()) {
                    String names = generated.stream().map(dev.pgmigrate.api.spi.CopyColumn::name)
                            .collect(java.util.stream.Collectors.joining(", "));
                    byName.put(table.qualifiedName(), new TableVerification(compared.database(), compared.schema(),
                            compared.table(), compared.sourceRows(), compared.targetRows(), compared.sourceChecksum()
                            + "; generated columns " + names + ": " + g.sourceChecksum(), compared.targetChecksum()
                            + "; generated columns " + names + ": " + g.targetChecksum()));
                }
                return null;
            }, WorkerPool.PRIORITY_DEFAULT);
        }
        tracker.await();
        synchronized (tables) {
            tables.replaceAll(t -> byName.getOrDefault(t.schema() + "." + t.table(), t));
        }
    }

    /** One of {@code sessions}' pairs, or a new one kept there under this thread. */
    static SessionPair anyPair(Map<Thread, SessionPair> sessions, ServerConnector source, String sourceDb,
            int sourceVersion, ServerConnector target, String targetDb) {
        return sessions.values().stream().findAny().orElseGet(() -> sessions.computeIfAbsent(Thread.currentThread(),
                k -> SessionPair.open(source, sourceDb, sourceVersion, target, targetDb)));
    }

    /**
     * Verifies two databases outside a migration, from a snapshot of the source taken now, as far as the settings'
     * selection takes them.
     */
    public static VerificationReport standalone(ServerConnector source, String sourceDb, ServerConnector target,
            String targetDb, int parallelism) {
        try (Connection snapshotHolder = source.open(sourceDb);
                WorkerPool pool = new WorkerPool(parallelism, "verify")) {
            Sql.execute(snapshotHolder, SessionTimeouts.off(snapshotHolder) + "; SET search_path = pg_catalog");
            snapshotHolder.setAutoCommit(false);
            Sql.execute(snapshotHolder, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            String snapshot = Sql.one(snapshotHolder, "SELECT pg_export_snapshot()");
            SourceSelection selection = SourceSelection.resolve(snapshotHolder, source.settings().selection());
            selection.requireMatches(sourceDb);
            SourceCatalog catalog = SourceCatalog.read(snapshotHolder);
            catalog.retain(selection);
            VerificationReport report = verify(source, sourceDb, snapshot, target, targetDb, catalog, pool,
                    new CancelSignal());
            snapshotHolder.rollback();
            return report;
        } catch (dev.pgmigrate.api.MigrationException e) {
            throw e;
        } catch (SQLException e) {
            throw new dev.pgmigrate.api.MigrationException("Cannot verify " + sourceDb + " against " + targetDb + ": "
                    + e.getMessage() + " (SQLState " + e.getSQLState() + "). Check that both databases exist and the "
                    + "logins may read them.", e);
        } catch (Exception e) {
            throw new dev.pgmigrate.api.MigrationException("Cannot verify " + sourceDb + " against " + targetDb + ": "
                    + e.getMessage(), e);
        }
    }

    private static int version(Connection c) throws SQLException {
        return Integer.parseInt(Sql.one(c, "SELECT current_setting('server_version_num')"));
    }

    /**
     * Every table's columns on one side, by {@code schema.table}, as name to type; generated columns are left out
     * as the catalog leaves them out of the copy.
     */
    static Map<String, Map<String, String>> columnsByTable(Connection c) throws SQLException {
        boolean generated = version(c) >= 120000;
        Map<String, Map<String, String>> tables = new HashMap<>();
        for (String[] r : Sql.rows(c, "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON "
                + "a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped" + (generated ? " AND a.attgenerated = ''"
                        : "") + " WHERE c.relkind IN ('r', 'p', 'm', 'f') AND " + SourceCatalog.USER_SCHEMAS)) {
            Map<String, String> columns = tables.computeIfAbsent(r[0] + "." + r[1], k -> new LinkedHashMap<>());
            if (r[2] != null) {
                columns.put(r[2], r[3]);
            }
        }
        return tables;
    }

    /**
     * Each of {@code tables} whose columns on the target, read on {@code target}, differ from the source's (or that
     * the target lacks), by OID, with the difference. Sets {@code target}'s search_path to pg_catalog, so that types
     * are named as the source's catalog names them.
     */
    public static Map<Long, String> structuralDifferences(Connection target, java.util.Collection<SourceCatalog.Table>
            tables) throws SQLException {
        Sql.execute(target, "SET search_path = pg_catalog");
        Map<String, Map<String, String>> columns = columnsByTable(target);
        Map<Long, String> differences = new HashMap<>();
        for (SourceCatalog.Table table : tables) {
            RowChecksums.structuralDifference(table, columns).ifPresent(d -> differences.put(table.oid(), d));
        }
        return differences;
    }

    /** One message naming every table and count that differs. */
    public static String describeMismatch(String database, VerificationReport report) {
        StringBuilder sb = new StringBuilder("Verification of database " + database + " failed: the target is not an "
                + "exact copy.");
        for (TableVerification t : report.tableMismatches()) {
            if (t.difference().isPresent()) {
                sb.append(" Table ").append(t.schema()).append('.').append(t.table()).append(": ")
                        .append(t.difference().get()).append('.');
                continue;
            }
            if (t.rowsLeftOut()) {
                sb.append(" Table ").append(t.schema()).append('.').append(t.table()).append(": the selection left its "
                        + "rows on the source, but the target's table holds ").append(t.targetRows()).append('.');
                continue;
            }
            sb.append(" Table ").append(t.schema()).append('.').append(t.table()).append(": ").append(t.sourceRows())
                    .append(" rows on the source, ").append(t.targetRows()).append(" on the target; checksums ")
                    .append(t.sourceChecksum()).append(" and ").append(t.targetChecksum()).append('.');
        }
        for (ObjectCount o : report.objectMismatches()) {
            sb.append(" ").append(o.schema()).append(' ').append(o.kind()).append(": ").append(o.source())
                    .append(" on the source, ").append(o.target()).append(" on the target.");
        }
        // Not "run verify again": the rollback removed the target's copy, so there is nothing left to compare.
        return sb.append(" The migration was rolled back; find who wrote to the source or the target meanwhile, "
                + "then start it again.").toString();
    }
}
