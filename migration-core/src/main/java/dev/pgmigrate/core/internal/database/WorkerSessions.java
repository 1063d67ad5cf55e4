package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SessionTimeouts;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.EngineOptions;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.DumpScript;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each worker's pair of sessions on a database: the source's, ready to join the snapshot, and the target's, with
 * the dump's session settings. Opened once per worker thread and database, ahead of the copy when possible, and
 * closed as soon as the database's part ends.
 */
public final class WorkerSessions {
    private static final Logger log = LoggerFactory.getLogger(WorkerSessions.class);

    private static final java.util.regex.Pattern MEMORY = java.util.regex.Pattern.compile("(\\d+)\\s*(kB|MB|GB|TB)?");

    private final MigrationSettings settings;
    private final Endpoint source;
    private final Endpoint target;
    private final WorkerPool pool;

    WorkerSessions(MigrationSettings settings, Endpoint source, Endpoint target, WorkerPool pool) {
        this.settings = settings;
        this.source = source;
        this.target = target;
        this.pool = pool;
    }

    /**
     * Has each worker open its pair of connections while the coordinator restores the schema, so the copies start
     * on sessions that are ready: a worker's two logins cost 20-40 ms each on a cold JVM. A pair that fails here is
     * opened again, and its error reported, by the copy that needs it.
     */
    void openAhead(DatabaseRun db) {
        for (int i = 0; i < settings.parallelism(); i++) {
            pool.submit(() -> {
                try {
                    of(db);
                } catch (SQLException e) {
                    log.debug("Opening a worker's connections ahead of the copy failed", e);
                }
                return null;
            }, WorkerPool.PRIORITY_POST_DATA + 2);
        }
    }

    /**
     * How values are written and read as text, alike on both sides of a copy in text (a table of user types): the
     * source database's own {@code IntervalStyle}, {@code DateStyle} or {@code lc_monetary} would write values the
     * target, whose database settings come last, reads otherwise ({@code -1 day -02:03} as {@code -1 day +02:03}).
     */
    private static final String TEXT_FORMS = "SET IntervalStyle = postgres; SET DateStyle = 'ISO, MDY'; "
            + "SET lc_monetary = 'C'";

    /** This worker thread's pair on {@code db}, opened on first use and kept until the database's part ends. */
    public Connection[] of(DatabaseRun db) throws SQLException {
        Connection[] pair = db.connections.get(Thread.currentThread());
        if (pair != null && !pair[0].isClosed() && !pair[1].isClosed()) {
            return pair;
        }
        Connection src = source.connector().open(db.name);
        Connection dst = null;
        try {
            Sql.execute(src, SessionTimeouts.off(src) + "; SET search_path = pg_catalog");
            // A policy that would hide rows from the login fails the copy by name, as pg_dump does, instead of
            // leaving those rows behind.
            Sql.execute(src, "SET row_security = off");
            // A TRUNCATE or DDL queued behind the snapshot's locks would hold every later reader of its table, this
            // copy included, until the migration ends: wait a bounded time, then say who waits.
            Sql.execute(src, "SET lock_timeout = '" + EngineOptions.lockTimeoutSeconds(settings) + "s'; "
                    + TEXT_FORMS);
            src.setAutoCommit(false);
            dst = target.connector().open(db.working);
            Sql.execute(dst, SessionTimeouts.off(dst) + "; SET synchronous_commit = off; " + TEXT_FORMS);
            Sql.execute(dst, "SET maintenance_work_mem = " + Sql.literal(buildMemory()));
            if (parallelBuilds()) {
                // The pool already builds as many indexes at once as it has workers; parallel workers of each
                // build on top of that only contend for the same cores (0.2 s of 4.8 lost on 2 cores). A build
                // that starts while workers are idle gets them (idleWorkersForBuild).
                Sql.execute(dst, "SET max_parallel_maintenance_workers = " + EngineOptions.parallelIndexWorkers(settings));
            }
            for (String statement : sessionHeader(postHeader(db))) {
                Sql.execute(dst, statement);
            }
        } catch (SQLException | RuntimeException e) { // the post-data dump failed or the wait was interrupted
            for (Connection opened : new Connection[] {src, dst}) {
                if (opened != null) {
                    try {
                        opened.close();
                    } catch (SQLException closing) {
                        e.addSuppressed(closing);
                    }
                }
            }
            throw e;
        }
        pair = new Connection[] {src, dst};
        db.connections.put(Thread.currentThread(), pair);
        return pair;
    }

    /** Threads for what a worker's task runs beside itself ({@link WorkerPool#beside}). */
    public java.util.concurrent.Executor beside() {
        return pool.beside();
    }

    /**
     * How many parallel maintenance workers an index build starting now on this worker may have: as many as the
     * pool has workers with nothing to do, so that the last large key of a database, which often builds alone at
     * the end while the other workers wait, uses their share of the target's cores instead of one. 0 when the
     * target is older than 11 (no parallel builds) or when {@code options.indexes.parallelWorkers} fixes the
     * number for every build.
     */
    public int idleWorkersForBuild() {
        return parallelBuilds() && !EngineOptions.parallelIndexWorkersFixed(settings) ? pool.idleWorkers() : 0;
    }

    /**
     * The {@code maintenance_work_mem} of a build given {@code helpers} idle workers as parallel workers: their
     * share of memory as well as of cores, {@code settings.maintenanceWorkMem} for each process of the build.
     * PostgreSQL divides a build's {@code maintenance_work_mem} among its processes, so a lone key built by two
     * with the setting's 512 MB sorted in 256 MB each, spilled to disk and took 12% longer at 10 million rows than
     * with 1 GB. The memory the workers may use at once stays {@code parallelism} times the setting while the idle
     * workers stay idle; one that starts a build of its own meanwhile adds its share, as its cores do.
     */
    public String buildMemory(int helpers) {
        long kilobytes = memoryKilobytes(settings.maintenanceWorkMem()) * (1 + Math.max(0, helpers));
        return Math.min(kilobytes, Integer.MAX_VALUE) + "kB"; // the setting's maximum
    }

    /** The session's {@code maintenance_work_mem} as the settings give it. */
    public String buildMemory() {
        return settings.maintenanceWorkMem();
    }

    /** A memory setting in PostgreSQL's form ({@code 512MB}, {@code 65536}: kB when unitless) in kilobytes. */
    static long memoryKilobytes(String value) {
        java.util.regex.Matcher m = MEMORY.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a memory setting: " + value);
        }
        long number = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "kB" : m.group(2);
        return switch (unit) {
            case "MB" -> number * 1024;
            case "GB" -> number * 1024 * 1024;
            case "TB" -> number * 1024 * 1024 * 1024;
            default -> number;
        };
    }

    /** The target's {@code server_version_num}, 0 while its facts are not read. */
    public int targetVersionNum() {
        return target.facts().map(ServerFacts::versionNum).orElse(0);
    }

    /** The name or address the target's connections go to. */
    public String targetHost() {
        return target.connector().spec().connectHost();
    }

    private boolean parallelBuilds() {
        return target.facts().map(ServerFacts::versionNum).orElse(0) >= 110000;
    }

    /** The post-data dump's session header (none when only completion remains); waits for a dump still running. */
    private static List<String> postHeader(DatabaseRun db) throws SQLException {
        java.util.concurrent.Future<DumpScript> running = db.postScript;
        if (running == null) {
            return List.of();
        }
        try {
            return running.get().header();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("The post-data dump failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while waiting for the post-data dump", e);
        }
    }

    /** Closes the database's worker sessions; a source transaction left open after small tables ends with it. */
    void closeWorkers(DatabaseRun db) {
        db.sourceTransactions.clear();
        closeAll(db.connections);
    }

    static void closeAll(Map<Thread, Connection[]> connections) {
        List<Connection[]> pairs = new ArrayList<>(connections.values());
        connections.clear();
        for (Connection[] pair : pairs) {
            for (Connection c : pair) {
                try {
                    c.close();
                } catch (SQLException e) {
                    log.debug("Closing a worker connection failed", e);
                }
            }
        }
    }

    /**
     * Ends a worker's manual-commit block. On a connection the failure broke this throws too, and must not
     * replace the exception that says what broke it.
     */
    public static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("Cannot restore autocommit; the connection is likely broken", e);
        }
    }

    public static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            log.debug("Rollback failed; the connection is likely broken", e);
        }
    }

    /**
     * The dump's session settings, less {@code client_encoding}: the driver speaks UTF-8 and the server
     * converts to the database's encoding.
     */
    public static List<String> sessionHeader(List<String> header) {
        return header.stream().filter(st -> !st.matches("(?is)^SET\\s+client_encoding\\b.*")).toList();
    }
}
