package dev.pgmigrate.core.internal.schema;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.Checkpoint;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pg_dump's script run on the target, entry by entry, under one error policy ({@link RestorePolicy}): the
 * pre-data on a session of its own, post-data entries on the workers' sessions, and on resume, what a dead process
 * already built is not built again.
 *
 * <p>Longer than our usual classes: the three ways an entry is run (alone, in a batch, again one by one after a
 * failed batch) share one policy and one account of what was left out, which is easier to keep right in one place.
 */
public final class SchemaRestore {
    private static final Logger log = LoggerFactory.getLogger(SchemaRestore.class);

    private final RecordKeeper keeper;
    private final Endpoint target;
    private final WorkerPool pool;
    private final CancelSignal cancel;
    private final boolean resume;
    private final WorkerSessions sessions;
    private final Checkpoint checkpoint;

    public SchemaRestore(RecordKeeper keeper, Endpoint target, WorkerPool pool, CancelSignal cancel, boolean resume,
            WorkerSessions sessions, Checkpoint checkpoint) {
        this.keeper = keeper;
        this.target = target;
        this.pool = pool;
        this.cancel = cancel;
        this.resume = resume;
        this.sessions = sessions;
        this.checkpoint = checkpoint;
    }

    /**
     * Opens the session the pre-data script is restored on, ahead of the script: the login overlaps pg_dump's run
     * instead of following it.
     */
    public Connection preDataSession(DatabaseRun db) throws SQLException {
        return target.connector().open(db.working);
    }

    /**
     * Restores the pre-data script on {@code session} (from {@link #preDataSession}, closed here), in batches
     * ({@link PreDataRestore}); {@code committed} learns the entries of each batch but the last once they are in.
     */
    public void preData(DatabaseRun db, Connection session, DumpScript pre, Consumer<List<Entry>> committed)
            throws SQLException {
        new PreDataRestore(this, target, cancel).restore(db, session, pre, committed);
    }

    /** Runs one dump entry's statements under the one error policy of pre- and post-data. */
    void executeEntry(Connection c, DatabaseRun db, Entry entry) throws SQLException {
        executeStatements(c, db, entry, runnable(db, entry));
    }

    /** The statements of {@code entry} to run: those the roles allow, less what a dead process already built. */
    public List<String> runnable(DatabaseRun db, Entry entry) {
        List<String> kept = new ArrayList<>();
        for (String statement : db.roles.filter(entry)) {
            if (!(resume && db.builtBefore.contains(entry, statement))) {
                kept.add(statement);
            }
        }
        return kept;
    }

    void executeStatements(Connection c, DatabaseRun db, Entry entry, List<String> statements)
            throws SQLException {
        boolean superuser = target.requireFacts().superuser();
        for (String statement : statements) {
            try {
                db.roles.privilegeWarnings(List.of(entry), executeWithRetry(c, statement));
            } catch (SQLException e) {
                if (cancel.isCanceled() || db.abort.isCanceled()) {
                    throw new MigrationCanceledException("Stopped restoring " + entry.tag(), e);
                }
                if (Sql.sessionLost(e)) {
                    throw PreDataRestore.sessionEnded(target, "Cannot create " + entry.type() + " " + entry.tag()
                            + " in database " + db.name, e);
                }
                if (entry.type().equals("MATERIALIZED VIEW DATA") && refreshWithFunctionSearchPath(c, db, entry, e)) {
                    continue;
                }
                if (!RestorePolicy.tolerable(entry, statement, superuser, e.getSQLState())) {
                    throw new MigrationException(MessageCode.OBJECT_NOT_CREATED,
                            "Cannot create " + entry.type() + " " + entry.tag() + " in database "
                            + db.name + ": " + e.getMessage() + " (SQLState " + e.getSQLState() + "). Statement: "
                            + Sql.shown(statement), e);
                }
                keeper.note(MessageCode.OBJECT_SKIPPED,
                        "Skipped in database " + db.name + ": " + entry.type() + " " + entry.tag() + " ("
                        + Sql.firstLine(e.getMessage()) + ")");
                if (entry.type().equals("EVENT TRIGGER") || entry.type().equals("SUBSCRIPTION")) {
                    return; // its owner and state follow in the same entry, about an object that does not exist
                }
            }
        }
    }

    private static List<SQLWarning> executeWithRetry(Connection c, String statement) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Sql.executeForWarnings(c, statement);
            } catch (SQLException e) {
                // Foreign keys built in parallel may lock the same two tables in opposite orders.
                if (!"40P01".equals(e.getSQLState()) || attempt >= 4) {
                    throw e;
                }
                log.debug("Deadlock on {}; retrying", Sql.shown(statement));
            }
        }
    }

    /**
     * PostgreSQL 17 refreshes materialized views under a safe {@code search_path}, so a view whose functions
     * name tables without their schema stops refreshing. Refresh once with the database's default search_path
     * set on those functions, in one transaction that also takes it off again: the definitions end as they
     * were, the data as the source had it.
     */
    private boolean refreshWithFunctionSearchPath(Connection c, DatabaseRun db, Entry entry, SQLException failure)
            throws SQLException {
        String state = failure.getSQLState();
        if (!("42P01".equals(state) || "42883".equals(state)) || !target.requireFacts().atLeast(170000)) {
            return false;
        }
        String view = entry.statements().get(0).replaceFirst("(?is)^REFRESH MATERIALIZED VIEW\\s+", "");
        List<String[]> functions = Sql.rows(c, "SELECT DISTINCT d.refobjid::regprocedure::text FROM pg_rewrite r "
                + "JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid "
                + "AND d.refclassid = 'pg_proc'::regclass JOIN pg_proc p ON p.oid = d.refobjid "
                + "WHERE r.ev_class = ?::regclass AND p.oid >= 16384 AND p.proconfig IS NULL", view);
        if (functions.isEmpty()) {
            return false;
        }
        String path = Sql.one(c, "SELECT boot_val FROM pg_settings WHERE name = 'search_path'");
        c.setAutoCommit(false);
        try {
            for (String[] f : functions) {
                Sql.execute(c, "ALTER FUNCTION " + f[0] + " SET search_path = " + quotePath(path));
            }
            Sql.execute(c, entry.statements().get(0));
            for (String[] f : functions) {
                Sql.execute(c, "ALTER FUNCTION " + f[0] + " RESET search_path");
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            return false;
        } finally {
            c.setAutoCommit(true);
        }
        keeper.note(MessageCode.MATERIALIZED_VIEW_SEARCH_PATH,
                "In database " + db.name + ", materialized view " + view + " was refreshed with search_path "
                + path + " set on its functions for the refresh only: PostgreSQL 17 refreshes under a safe "
                + "search_path, and " + functions.stream().map(f -> f[0]).toList() + " name tables without their "
                + "schema. Qualify those names, or give the functions SET search_path, or the next REFRESH fails.");
        return true;
    }

    private static String quotePath(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split(",")) {
            String p = part.trim();
            parts.add(p.startsWith("\"") ? p : Sql.ident(p));
        }
        return String.join(", ", parts);
    }

    /** Runs one post-data entry on this worker's target session. */
    public void entry(DatabaseRun db, Entry entry) throws SQLException {
        entry(db, entry, 0);
    }

    /**
     * Runs one post-data entry on this worker's target session, an index build with up to {@code parallelWorkers}
     * parallel maintenance workers and their share of memory (the session's settings are back afterwards).
     */
    public void entry(DatabaseRun db, Entry entry, int parallelWorkers) throws SQLException {
        Connection dst = sessions.of(db)[1];
        cancel.register(dst);
        db.abort.register(dst);
        try {
            if (parallelWorkers > 0) {
                Sql.execute(dst, "SET max_parallel_maintenance_workers = " + parallelWorkers + "; SET "
                        + "maintenance_work_mem = " + Sql.literal(sessions.buildMemory(parallelWorkers)));
            }
            boolean defaultPath = entry.type().equals("MATERIALIZED VIEW DATA");
            if (defaultPath) {
                // A view's functions may use unqualified names: refresh under the database's own search_path.
                Sql.execute(dst, "RESET search_path");
            }
            try {
                long started = System.nanoTime();
                executeEntry(dst, db, entry);
                log.debug("Database {}: {} {} in {} ms", db.name, entry.type(), entry.tag(),
                        (System.nanoTime() - started) / 1_000_000);
            } finally {
                if (defaultPath) {
                    Sql.execute(dst, "SELECT pg_catalog.set_config('search_path', '', false)");
                }
            }
            if (parallelWorkers > 0) { // after a failure the run ends, and the session with it
                Sql.execute(dst, "SET max_parallel_maintenance_workers = 0; SET maintenance_work_mem = "
                        + Sql.literal(sessions.buildMemory()));
            }
        } finally {
            cancel.unregister(dst);
            db.abort.unregister(dst);
        }
    }

    /**
     * Runs one entry as {@link #entry} does, unless its one statement's lock is not granted within
     * {@code lockWaitMillis}: then nothing changed, and it returns false. An entry of several statements, or a
     * statement that fails for another reason, runs as {@link #entry} runs it, waiting.
     */
    public boolean entryUnlessLocked(DatabaseRun db, Entry entry, int lockWaitMillis) throws SQLException {
        List<String> statements = runnable(db, entry);
        if (statements.size() != 1) {
            entry(db, entry);
            return true;
        }
        Connection dst = sessions.of(db)[1];
        cancel.register(dst);
        db.abort.register(dst);
        try {
            Sql.execute(dst, "SET lock_timeout = " + lockWaitMillis);
            try {
                Sql.execute(dst, statements.get(0));
                return true;
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState()) && !cancel.isCanceled() && !db.abort.isCanceled()) {
                    return false;
                }
            } finally {
                Sql.execute(dst, "RESET lock_timeout");
            }
        } finally {
            cancel.unregister(dst);
            db.abort.unregister(dst);
        }
        entry(db, entry); // under the error policy, which names the failure or notes what it skips
        return true;
    }

    /**
     * Runs {@code statements} on this worker's target session in one round trip, which the server runs as one
     * transaction.
     *
     * @param entries what the statements create, named when the session is lost on the way
     * @return whether they ran; when not, the server rolled them all back and the caller runs them again one by one,
     *     under the error policy, which then names what failed
     */
    public boolean inOneTransaction(DatabaseRun db, List<Entry> entries, List<String> statements)
            throws SQLException {
        Connection dst = sessions.of(db)[1];
        cancel.register(dst);
        db.abort.register(dst);
        try {
            Sql.execute(dst, StatementBatch.script(statements));
            return true;
        } catch (SQLException e) {
            if (cancel.isCanceled() || db.abort.isCanceled()) {
                throw new MigrationCanceledException("Stopped restoring the schema", e);
            }
            if (dst.isClosed()) { // nothing to run them again on
                throw new MigrationException(MessageCode.OBJECT_NOT_CREATED, "Cannot create " + named(entries)
                        + " in database " + db.name + ": " + e.getMessage() + " (SQLState " + e.getSQLState() + ")",
                        e);
            }
            log.debug("Database {}: {} statements in one transaction failed ({}); running them one by one", db.name,
                    statements.size(), Sql.firstLine(e.getMessage()));
            return false;
        } finally {
            cancel.unregister(dst);
            db.abort.unregister(dst);
        }
    }

    /** The first few of {@code entries} by type and name, for a message about all of them. */
    static String named(List<Entry> entries) {
        if (entries.isEmpty()) {
            return "the tables' statistics (ANALYZE)";
        }
        int shown = Math.min(entries.size(), 5);
        String first = String.join(", ", entries.subList(0, shown).stream().map(en -> en.type() + " " + en.tag())
                .toList());
        return shown == entries.size() ? first : first + " and " + (entries.size() - shown) + " more";
    }

    /**
     * Runs the post-data entries that follow the table-bound ones, in order, foreign keys side by side, remembering
     * how far they got: they are not all idempotent.
     */
    public void remainingPostData(DatabaseRun db, List<Entry> rest) throws Exception {
        int i = db.restDone;
        while (i < rest.size()) {
            cancel.check();
            if (rest.get(i).type().equals("FK CONSTRAINT")) {
                TaskTracker tracker = new TaskTracker(pool, cancel, db.abort);
                while (i < rest.size() && rest.get(i).type().equals("FK CONSTRAINT")) {
                    Entry fk = rest.get(i++);
                    tracker.submit(() -> {
                        entry(db, fk);
                        return null;
                    }, WorkerPool.PRIORITY_POST_DATA);
                }
                tracker.await();
            } else {
                entry(db, rest.get(i++));
            }
            // Entries after the table-bound ones are not all idempotent: remember how far they got.
            checkpoint.postDataDone(db.name, i);
        }
    }
}
