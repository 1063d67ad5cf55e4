package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.SelectionDependencies;
import dev.pgmigrate.core.internal.pg.SelectionOutputs;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceSelection;
import dev.pgmigrate.core.internal.pg.SessionTimeouts;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.EngineOptions;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a source database's tables as the snapshot has them, as pg_dump and pgcopydb do: {@code ACCESS SHARE} on
 * every table, taken in the snapshot's transaction before the snapshot itself (so no {@code TRUNCATE} or DDL can
 * slip in between) and held until the copy and its verification are done. A {@code TRUNCATE} or an {@code ALTER
 * TABLE} then waits for the migration, as it would for pg_dump; plain writes do not, and are reported by name
 * afterwards from the statistics ({@link #writtenSince}).
 *
 * <p>A table another session holds is never waited for silently: the wait is noted with the session that holds
 * it, lasts at most {@code source.lockTimeoutSeconds}, and a cancel ends it.
 */
public final class SourceLocks {
    private static final Logger log = LoggerFactory.getLogger(SourceLocks.class);
    private static final int BATCH = 1000;
    /** The tables of the user's schemas, as relation names the LOCK statement takes. */
    private static final String TABLES = "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.oid FROM "
            + "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND "
            + SourceCatalog.USER_SCHEMAS + " ORDER BY 1";
    private static final String WRITES = "SELECT quote_ident(schemaname) || '.' || quote_ident(relname), "
            + "n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables";

    private final Map<String, Long> writesAtStart;

    private SourceLocks(Map<String, Long> writesAtStart) {
        this.writesAtStart = writesAtStart;
    }

    /**
     * Opens {@code db}'s snapshot, the one every copy reads, once every table is locked against TRUNCATE and DDL;
     * then resolves the spec's selection inside it, once: pg_dump, the copy and the verification all follow that.
     * An include pattern that matches nothing, or a moved object that needs one left out, fails here, before
     * anything is made on the target.
     */
    static void openSnapshot(DatabaseRun db, Endpoint source, MigrationSettings settings, CancelSignal cancel,
            RecordKeeper keeper) throws SQLException {
        openSnapshot(db, source, settings, cancel, keeper, null);
    }

    /**
     * As {@link #openSnapshot(DatabaseRun, Endpoint, MigrationSettings, CancelSignal, RecordKeeper)}, the
     * transaction importing {@code slotSnapshot} (an online migration's slot's) when it is not null, and exporting
     * it again for the copy's other sessions: the slot's own lives only until its connection does more.
     */
    static void openSnapshot(DatabaseRun db, Endpoint source, MigrationSettings settings, CancelSignal cancel,
            RecordKeeper keeper, String slotSnapshot) throws SQLException {
        Connection c = source.connector().open(db.name);
        db.snapshotConnection = c;
        // Its transaction sits idle while the copies run: an idle_in_transaction_session_timeout would end it.
        Sql.execute(c, SessionTimeouts.off(c) + "; SET search_path = pg_catalog");
        db.locks = lockAndBegin(c, db.name, settings, cancel, keeper, source.connector());
        if (slotSnapshot != null) {
            Sql.execute(c, "SET TRANSACTION SNAPSHOT " + Sql.literal(slotSnapshot));
        }
        db.snapshot = Sql.one(c, "SELECT pg_export_snapshot()");
        log.debug("Database {}: snapshot {}", db.name, db.snapshot);
        db.selection = SourceSelection.resolve(c, settings.selection());
        db.selection.requireMatches(db.name);
        SelectionDependencies.require(c, db.selection, db.name);
        if (!db.selection.isEverything() && keeper.record().notes().stream().noneMatch(n -> n.is(
                MessageCode.SELECTION_APPLIED) && n.text().startsWith("Database " + db.name + ":"))) {
            keeper.note(MessageCode.SELECTION_APPLIED, SelectionOutputs.describe(db.selection, db.name));
            if (!db.selection.extensionSchemas().isEmpty()) {
                keeper.note(MessageCode.EXTENSION_SCHEMA_CREATED,
                        SelectionOutputs.describeExtensionSchemas(db.selection, db.name));
            }
        }
    }

    /** Ends {@code db}'s snapshot, and with it the locks; does nothing when none is open. */
    static void closeSnapshot(DatabaseRun db) {
        if (db.snapshotConnection != null) {
            try {
                // Closed without a ROLLBACK first, which would wait for an answer from a server that may have stopped
                // answering (a cancel's case): the server ends the transaction with the session.
                db.snapshotConnection.close();
            } catch (SQLException e) {
                log.debug("Closing the snapshot connection of {} failed", db.name, e);
            }
            db.snapshotConnection = null;
        }
    }

    /**
     * Opens the snapshot's transaction on {@code c} (in autocommit mode, in the database) with every table locked,
     * before any statement takes the transaction's snapshot: the caller exports it next. A lock table too small
     * for every table (max_locks_per_transaction) leaves them unlocked, and says so.
     */
    static SourceLocks lockAndBegin(Connection c, String database, MigrationSettings settings, CancelSignal cancel,
            RecordKeeper keeper, ServerConnector source) throws SQLException {
        List<String> tables = new ArrayList<>();
        // Only what the selection takes, as pg_dump locks only what it dumps: a table left out may be one the login
        // cannot read. Resolved here before the snapshot, and again inside it for everything else.
        SourceSelection selected = SourceSelection.resolve(c, settings.selection());
        Sql.rows(c, TABLES).stream().filter(r -> selected.moves(Long.parseLong(r[1]))).forEach(r -> tables.add(r[0]));
        Map<String, Long> writes = counters(c);
        c.setAutoCommit(false);
        Sql.execute(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        if (tables.isEmpty()) {
            return new SourceLocks(writes);
        }
        long started = System.nanoTime();
        cancel.register(c);
        try {
            Sql.execute(c, "SAVEPOINT pgmigrate_locks");
            try {
                lock(c, tables, " NOWAIT");
            } catch (SQLException e) {
                if ("53200".equals(e.getSQLState())) { // out of shared memory: the lock table is full
                    Sql.execute(c, "ROLLBACK TO SAVEPOINT pgmigrate_locks");
                    keeper.note(MessageCode.SOURCE_NOT_LOCKED,
                            "Database " + database + ": its " + tables.size() + " tables were not locked for the "
                            + "migration's duration: the source's lock table is too small (" + Sql.firstLine(
                            e.getMessage()) + "). A TRUNCATE or ALTER TABLE on the source during the migration would "
                            + "not wait and could be copied wrong: keep the source idle, or raise "
                            + "max_locks_per_transaction.");
                    return new SourceLocks(writes);
                }
                if (!"55P03".equals(e.getSQLState())) {
                    throw e;
                }
                Sql.execute(c, "ROLLBACK TO SAVEPOINT pgmigrate_locks");
                int timeout = EngineOptions.lockTimeoutSeconds(settings);
                String holders = holders(source, database);
                keeper.note(MessageCode.SOURCE_LOCK_WAIT,
                        "Database " + database + ": waiting, at most " + timeout + " s (source.lockTimeoutSeconds), "
                        + "for tables another session holds: " + holders + ".");
                Sql.execute(c, "SET LOCAL lock_timeout = '" + timeout + "s'");
                try {
                    cancel.check();
                    lock(c, tables, "");
                } catch (SQLException waited) {
                    cancel.check();
                    if (!"55P03".equals(waited.getSQLState())) {
                        throw waited;
                    }
                    throw new MigrationException(MessageCode.SOURCE_NOT_CONSISTENT,
                            "Cannot read database " + database + " on the source as one "
                            + "snapshot: a table stayed locked by another session for longer than "
                            + "source.lockTimeoutSeconds = " + timeout + " s (" + holders(source, database) + "). "
                            + "End that session or let it finish, or raise settings.options.source.lockTimeoutSeconds.",
                            waited);
                }
                Sql.execute(c, "SET LOCAL lock_timeout = DEFAULT");
            }
            Sql.execute(c, "RELEASE SAVEPOINT pgmigrate_locks");
        } finally {
            cancel.unregister(c);
        }
        log.debug("Database {}: {} tables locked in {} ms", database, tables.size(),
                (System.nanoTime() - started) / 1_000_000);
        return new SourceLocks(writes);
    }

    private static void lock(Connection c, List<String> tables, String mode) throws SQLException {
        for (int from = 0; from < tables.size(); from += BATCH) {
            List<String> batch = tables.subList(from, Math.min(tables.size(), from + BATCH));
            Sql.execute(c, "LOCK TABLE " + String.join(", ", batch) + " IN ACCESS SHARE MODE" + mode);
        }
    }

    /** Who holds a lock on a table of {@code database} that ACCESS SHARE waits for, read on a session of its own. */
    public static String holders(ServerConnector source, String database) {
        try (Connection c = source.open(database)) {
            List<String> held = new ArrayList<>();
            for (String[] r : Sql.rows(c, "SELECT (SELECT quote_ident(n.nspname) || '.' || quote_ident(r.relname) "
                    + "FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.oid = l.relation), a.pid, coalesce(a.usename, ''), "
                    + "coalesce(a.application_name, ''), coalesce(a.state, ''), left(regexp_replace(coalesce(a.query, "
                    + "''), '\\s+', ' ', 'g'), 80), coalesce(extract(epoch FROM now() - a.xact_start)::bigint, 0) "
                    + ", l.granted FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = "
                    + "'relation' AND l.mode = 'AccessExclusiveLock' AND l.database = (SELECT oid FROM pg_database "
                    + "WHERE datname = current_database()) AND l.pid <> pg_backend_pid() ORDER BY 1")) {
                // A session still waiting for ACCESS EXCLUSIVE queues every later request too.
                held.add(r[0] + ("t".equals(r[7]) ? " held" : " waited for") + " by session " + r[1] + " (user " + r[2]
                        + ", application '" + r[3] + "', " + r[4] + " for " + r[6] + " s: " + r[5] + ")");
            }
            return held.isEmpty() ? "the holder ended meanwhile" : String.join("; ", held);
        } catch (SQLException e) {
            return "the holder could not be read: " + Sql.firstLine(e.getMessage());
        }
    }

    private static Map<String, Long> counters(Connection c) throws SQLException {
        Map<String, Long> writes = new HashMap<>();
        for (String[] r : Sql.rows(c, WRITES)) {
            writes.put(r[0], r[1] == null ? 0 : Long.parseLong(r[1]));
        }
        return writes;
    }

    /**
     * The tables written since the locks were taken, by the source's statistics, read on {@code c} (another
     * session than the snapshot's, whose statistics stay as they were when its transaction first read them).
     * Statistics arrive up to about a second after a commit, so a write in the last moment may be missed.
     */
    public List<String> writtenSince(Connection c) throws SQLException {
        TreeSet<String> written = new TreeSet<>();
        counters(c).forEach((table, count) -> {
            if (count > writesAtStart.getOrDefault(table, 0L)) {
                written.add(table);
            }
        });
        return new ArrayList<>(written);
    }
}
