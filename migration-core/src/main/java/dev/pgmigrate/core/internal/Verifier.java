package dev.pgmigrate.core.internal;

import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.VerificationReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compares a source database (on the migration's snapshot) with its copy: every table's row count and an
 * order-independent checksum computed server-side on both at once, object counts per schema and kind, and
 * sequence values.
 */
public final class Verifier {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Verifier.class);
    /** Pinned on both sides, because a row's text form depends on them. */
    private static final List<String> SESSION = List.of("SET DateStyle = 'ISO, MDY'", "SET IntervalStyle = 'postgres'",
            "SET TimeZone = 'UTC'", "SET extra_float_digits = 3", "SET bytea_output = 'hex'", "SET lc_monetary = 'C'",
            "SET xmloption = content", "SET search_path = pg_catalog",
            // A policy that would hide rows from the login fails the comparison by name, as pg_dump fails, instead
            // of comparing only the rows it lets the login see.
            "SET row_security = off");
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
        return verify(source, sourceDb, snapshot, target, targetDb, catalog, pool, cancel, Map.of());
    }

    /**
     * Verifies {@code sourceDb} against {@code targetDb}, taking the tables in {@code done} (by OID) as already
     * compared: a migration compares each table while others still copy.
     */
    static VerificationReport verify(ServerConnector source, String sourceDb, String snapshot,
            ServerConnector target, String targetDb, SourceCatalog catalog, WorkerPool pool, CancelSignal cancel,
            Map<Long, TableVerification> done) throws Exception {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        RowChecksums.HashMode mode;
        try (Connection s = source.open(sourceDb); Connection t = target.open(targetDb)) {
            mode = RowChecksums.HashMode.of(Math.min(version(s), version(t)));
        }
        Map<String, Map<String, String>> targetColumns;
        try (Connection t = target.open(targetDb)) {
            Sql.execute(t, "SET search_path = pg_catalog"); // type names qualified as the source's catalog has them
            targetColumns = columnsByTable(t);
        }
        Map<Thread, Connection[]> connections = new ConcurrentHashMap<>();
        List<TableVerification> tables = Collections.synchronizedList(new ArrayList<>(done.values()));
        CancelSignal abort = new CancelSignal();
        java.util.concurrent.ExecutorService targetSide = targetSideThreads();
        try {
            TaskTracker tracker = new TaskTracker(pool, cancel, abort);
            for (SourceCatalog.Table table : catalog.tables.values()) {
                if (!table.hasData() || done.containsKey(table.oid())) {
                    continue;
                }
                Optional<String> difference = RowChecksums.structuralDifference(table, targetColumns);
                tracker.submit(() -> {
                    Connection[] pair = connections.computeIfAbsent(Thread.currentThread(), k -> open(source, sourceDb,
                            target, targetDb));
                    tables.add(difference.isPresent() ? countOnly(pair, sourceDb, snapshot, table, difference.get())
                            : verifyTable(pair, sourceDb, snapshot, table, mode, cancel, abort, targetSide));
                    return null;
                }, WorkerPool.PRIORITY_DEFAULT);
            }
            tracker.await();
        } finally {
            targetSide.shutdownNow();
            for (Connection[] pair : connections.values()) {
                for (Connection c : pair) {
                    c.close();
                }
            }
        }
        List<ObjectCount> objects;
        try (Connection s = source.open(sourceDb); Connection t = target.open(targetDb)) {
            if (snapshot != null) {
                s.setAutoCommit(false);
                Sql.execute(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                Sql.execute(s, "SET TRANSACTION SNAPSHOT " + Sql.literal(snapshot));
            }
            objects = compareObjects(s, t, sourceDb, catalog);
            if (snapshot != null) {
                s.rollback();
            }
        }
        tables.sort((a, b) -> (a.schema() + "." + a.table()).compareTo(b.schema() + "." + b.table()));
        return new VerificationReport(started, Duration.ofNanos(System.nanoTime() - t0), tables, objects);
    }

    /** Verifies two databases outside a migration, from a snapshot of the source taken now. */
    public static VerificationReport standalone(ServerConnector source, String sourceDb, ServerConnector target,
            String targetDb, int parallelism) {
        try (Connection snapshotHolder = source.open(sourceDb);
                WorkerPool pool = new WorkerPool(parallelism, "verify")) {
            Sql.execute(snapshotHolder, "SET search_path = pg_catalog");
            snapshotHolder.setAutoCommit(false);
            Sql.execute(snapshotHolder, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            String snapshot = Sql.one(snapshotHolder, "SELECT pg_export_snapshot()");
            SourceCatalog catalog = SourceCatalog.read(snapshotHolder);
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

    /** A source and a target connection with the session settings both sides' hashing depends on. */
    static Connection[] open(ServerConnector source, String sourceDb, ServerConnector target, String targetDb) {
        try {
            Connection s = source.open(sourceDb);
            Connection t = target.open(targetDb);
            for (String set : SESSION) {
                Sql.execute(s, set);
                Sql.execute(t, set);
            }
            // Behind a TRUNCATE queued for the migration's locks, a read waits for ever: wait a bounded time.
            Sql.execute(s, "SET lock_timeout = '" + EngineOptions.lockTimeoutSeconds(source.settings()) + "s'");
            s.setAutoCommit(false);
            return new Connection[] {s, t};
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect for verification: " + e.getMessage(), e);
        }
    }

    static TableVerification verifyTable(Connection[] pair, String database, String snapshot,
            SourceCatalog.Table table, RowChecksums.HashMode mode, CancelSignal cancel, CancelSignal abort,
            java.util.concurrent.Executor targetThreads) throws Exception {
        String query = RowChecksums.query(table, mode);
        Connection s = pair[0];
        Connection t = pair[1];
        cancel.register(s);
        cancel.register(t);
        abort.register(s);
        abort.register(t);
        try {
            if (snapshot != null) {
                Sql.execute(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                Sql.execute(s, "SET TRANSACTION SNAPSHOT " + Sql.literal(snapshot));
            }
            // Both sides scan at once: the target's query runs on another thread of the same pool task.
            java.util.concurrent.CompletableFuture<String[]> targetSide = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return Sql.rows(t, query).get(0);
                        } catch (SQLException e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    }, targetThreads);
            String[] src;
            try {
                src = Sql.rows(s, query).get(0);
            } catch (SQLException e) {
                stopTargetSide(t, targetSide);
                if ("55P03".equals(e.getSQLState())) {
                    throw new dev.pgmigrate.api.MigrationException("Cannot compare table " + table.qualifiedName()
                            + " of database " + database + ": another session waits for an exclusive lock on it on "
                            + "the source, for longer than source.lockTimeoutSeconds, and every reader waits behind it: "
                            + e.getMessage() + ". An offline migration's source takes no TRUNCATE or DDL: end that "
                            + "session and migrate again.", e);
                }
                throw e;
            }
            String[] dst;
            try {
                dst = targetSide.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
            s.commit();
            return new TableVerification(database, table.schema(), table.name(), Long.parseLong(src[0]),
                    Long.parseLong(dst[0]), src[1], dst[1]);
        } finally {
            cancel.unregister(s);
            cancel.unregister(t);
            abort.unregister(s);
            abort.unregister(t);
        }
    }

    /**
     * Every table's columns on one side, by {@code schema.table}, as name to type; generated columns are left out
     * as the catalog leaves them out of the copy.
     */
    static Map<String, Map<String, String>> columnsByTable(Connection c) throws SQLException {
        boolean generated = version(c) >= 120000;
        Map<String, Map<String, String>> tables = new java.util.HashMap<>();
        for (String[] r : Sql.rows(c, "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON "
                + "a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped" + (generated ? " AND a.attgenerated = ''"
                        : "") + " WHERE c.relkind IN ('r', 'p', 'm', 'f') AND " + SourceCatalog.USER_SCHEMAS)) {
            Map<String, String> columns = tables.computeIfAbsent(r[0] + "." + r[1], k -> new java.util.LinkedHashMap<>());
            if (r[2] != null) {
                columns.put(r[2], r[3]);
            }
        }
        return tables;
    }

    /** Row counts alone, for a table whose columns differ: its rows cannot be hashed alike on both sides. */
    private static TableVerification countOnly(Connection[] pair, String database, String snapshot,
            SourceCatalog.Table table, String difference) throws SQLException {
        Connection s = pair[0];
        if (snapshot != null) {
            Sql.execute(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            Sql.execute(s, "SET TRANSACTION SNAPSHOT " + Sql.literal(snapshot));
        }
        String count = "SELECT count(*) FROM ONLY " + Sql.qualified(table.schema(), table.name());
        long sourceRows = Long.parseLong(Sql.one(s, count));
        s.commit();
        long targetRows = difference.startsWith("the target has no table") ? 0 : Long.parseLong(Sql.one(pair[1],
                count));
        return new TableVerification(database, table.schema(), table.name(), sourceRows, targetRows, "", "",
                Optional.of(difference));
    }

    /** Ends the target side's scan when the source side failed, instead of leaving it running on the server. */
    private static void stopTargetSide(Connection t, java.util.concurrent.CompletableFuture<String[]> targetSide) {
        try {
            t.unwrap(org.postgresql.PGConnection.class).cancelQuery();
        } catch (SQLException e) {
            log.debug("Canceling the target side of a comparison failed", e);
        }
        try {
            targetSide.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // Canceled, as asked; the source side's failure is the one reported.
            log.debug("The target side of a comparison ended with {}", e.toString());
        }
    }

    /**
     * Threads for the target side of comparisons, owned by whoever compares (a migration, a verify command) and
     * shut down by it: each comparison runs its target query beside its source query.
     */
    static java.util.concurrent.ExecutorService targetSideThreads() {
        return java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "pgmigrate-verify-target");
            thread.setDaemon(true);
            return thread;
        });
    }

    private static final String NOT_EXTENSION = " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = o.oid "
            + "AND d.deptype = 'e')";

    static List<ObjectCount> compareObjects(Connection s, Connection t, String database, SourceCatalog catalog)
            throws SQLException {
        Map<String, Long> sourceCounts = countMap(Sql.rows(s, objectCounts(s)));
        Map<String, Long> targetCounts = countMap(Sql.rows(t, objectCounts(t)));
        List<ObjectCount> result = new ArrayList<>();
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(sourceCounts.keySet());
        keys.addAll(targetCounts.keySet());
        for (String key : keys) {
            String[] parts = key.split("\u0000", 2);
            result.add(new ObjectCount(database, parts[0], parts[1], sourceCounts.getOrDefault(key, 0L),
                    targetCounts.getOrDefault(key, 0L)));
        }
        for (SourceCatalog.Sequence seq : catalog.sequences) {
            String q = "SELECT CASE WHEN is_called THEN last_value END FROM " + Sql.qualified(seq.schema(), seq.name());
            String sv = Sql.one(s, q);
            String tv = Sql.one(t, q);
            result.add(new ObjectCount(database, seq.schema(), "sequence " + seq.name(), sv == null ? 0
                    : Long.parseLong(sv), tv == null ? 0 : Long.parseLong(tv)));
        }
        return result;
    }

    /** Counts user objects per schema and kind; extended statistics where the server has them (10+). */
    private static String objectCounts(Connection c) throws SQLException {
        boolean statistics = Integer.parseInt(Sql.one(c, "SELECT current_setting('server_version_num')")) >= 100000;
        return "SELECT n.nspname, k.kind, count(*) FROM ("
                + "SELECT o.relnamespace AS ns, CASE o.relkind WHEN 'r' THEN 'tables' WHEN 'p' THEN 'tables' "
                + "WHEN 'i' THEN 'indexes' WHEN 'I' THEN 'indexes' WHEN 'v' THEN 'views' WHEN 'm' THEN "
                + "'materialized views' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'foreign tables' END AS kind FROM "
                + "pg_class o WHERE o.relkind IN ('r','p','i','I','v','m','S','f')" + NOT_EXTENSION
                + " UNION ALL SELECT o.pronamespace, 'functions' FROM pg_proc o WHERE true" + NOT_EXTENSION
                + " UNION ALL SELECT o.connamespace, 'constraints' FROM pg_constraint o WHERE o.contype IN "
                + "('p','u','f','c','x','t')" + NOT_EXTENSION
                + " UNION ALL SELECT c.relnamespace, 'triggers' FROM pg_trigger o JOIN pg_class c ON c.oid = o.tgrelid "
                + "WHERE NOT o.tgisinternal"
                + " UNION ALL SELECT c.relnamespace, 'policies' FROM pg_policy o JOIN pg_class c ON c.oid = o.polrelid"
                + (statistics ? " UNION ALL SELECT o.stxnamespace, 'extended statistics' FROM pg_statistic_ext o "
                        + "WHERE true" + NOT_EXTENSION : "")
                + " UNION ALL SELECT o.typnamespace, 'types' FROM pg_type o WHERE o.typtype IN ('e','c','d','r') AND "
                + "(o.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = o.typrelid) = 'c')" + NOT_EXTENSION
                + ") k JOIN pg_namespace n ON n.oid = k.ns WHERE " + SourceCatalog.USER_SCHEMAS + " GROUP BY 1, 2 "
                + "UNION ALL SELECT '-', 'large objects', count(*) FROM pg_largeobject_metadata ORDER BY 1, 2";
    }

    private static Map<String, Long> countMap(List<String[]> rows) {
        Map<String, Long> map = new java.util.HashMap<>();
        for (String[] row : rows) {
            map.put(row[0] + "\u0000" + row[1], Long.parseLong(row[2]));
        }
        return map;
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
            sb.append(" Table ").append(t.schema()).append('.').append(t.table()).append(": ").append(t.sourceRows())
                    .append(" rows on the source, ").append(t.targetRows()).append(" on the target; checksums ")
                    .append(t.sourceChecksum()).append(" and ").append(t.targetChecksum()).append('.');
        }
        for (ObjectCount o : report.objectMismatches()) {
            sb.append(" ").append(o.schema()).append(' ').append(o.kind()).append(": ").append(o.source())
                    .append(" on the source, ").append(o.target()).append(" on the target.");
        }
        return sb.append(" Run 'pgmigrate verify' to compare again; the migration was rolled back.").toString();
    }
}
