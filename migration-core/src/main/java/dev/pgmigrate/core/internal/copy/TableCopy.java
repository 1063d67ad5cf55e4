package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.spi.CopyColumn;
import dev.pgmigrate.api.spi.CopyContext;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.SourceLocks;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table's copy: cut into parts where that shortens the copy ({@link CopyRanges}), each part moved by the first
 * data mover that supports it on a worker's sessions from the snapshot, its progress reported a few times a
 * second, and a failure named with its table, database, mover and SQLSTATE.
 *
 * <p>Longer than our usual classes: the movers' {@link CopyContext} ({@code Progress}) is the engine's side of one
 * copy and reads the same run state (cancel signals, counters, sessions), so it stays beside the copy it serves.
 */
public final class TableCopy {
    private static final Logger log = LoggerFactory.getLogger(TableCopy.class);

    private final MigrationSettings settings;
    private final RecordKeeper keeper;
    private final Plugins plugins;
    private final Endpoint source;
    private final CancelSignal cancel;
    private final WorkerSessions sessions;

    public TableCopy(MigrationSettings settings, RecordKeeper keeper, Plugins plugins, Endpoint source, CancelSignal cancel,
            WorkerSessions sessions) {
        this.settings = settings;
        this.keeper = keeper;
        this.plugins = plugins;
        this.source = source;
        this.cancel = cancel;
        this.sessions = sessions;
    }

    /** One range of a table (or the whole table, as part 1 of 1), with its share of the table's bytes. */
    record Part(Table table, int part, int parts, Optional<String> filter, long estimatedBytes) {
    }

    /**
     * Splits a table in ranges only where that shortens the copy: when it is above the split setting and so much
     * larger than one worker's share of the database ({@code share}) that it would still be copying after the
     * others are done. A table copied whole keeps {@code COPY FREEZE}, which spares the target from setting hint
     * bits on every page later (index builds, ANALYZE, verification); on 2 cores that was worth 0.4 s of 5.
     */
    List<Part> split(DatabaseRun db, Table table, long share) throws SQLException {
        int parts = table.columns().isEmpty() ? 1 : CopyRanges.parts(table.bytes(),
                settings.splitTablesLargerThanBytes(), share);
        if (parts > 1 && !rangesPay()) {
            log.info("Table {} in database {} ({} MiB) is copied whole: the target runs PostgreSQL {} on this host's "
                    + "{} cores, where sessions loading one table wait on its extension lock ({} workers)",
                    table.qualifiedName(), db.name, table.bytes() / (1024 * 1024), sessions.targetVersionNum() / 10000,
                    Runtime.getRuntime().availableProcessors(), settings.parallelism());
            parts = 1;
        }
        if (parts == 1) {
            return List.of(new Part(table, 1, 1, Optional.empty(), table.bytes()));
        }
        List<String> filters = null;
        if (byTid(db)) {
            filters = CopyRanges.byTid(table.bytes() / db.catalog.blockSize, parts);
        } else if (table.intKey().isPresent()) {
            String column = Sql.ident(table.intKey().get());
            String[] bounds = Sql.rows(db.snapshotConnection, "SELECT min(" + column + "), max(" + column + ") FROM ONLY "
                    + Sql.qualified(table.schema(), table.name())).get(0);
            if (bounds[0] != null) {
                filters = CopyRanges.byKey(column, new java.math.BigInteger(bounds[0]),
                        new java.math.BigInteger(bounds[1]), parts);
            }
        }
        if (filters == null) {
            keeper.note(MessageCode.TABLE_NOT_SPLIT,
                    "Table " + table.qualifiedName() + " in database " + db.name + " (" + table.bytes()
                    / (1024 * 1024) + " MiB) is copied by one worker: the source is older than 14 (no TID range "
                    + "scans) and the table has no single-column integer key to split on.");
            return List.of(new Part(table, 1, 1, Optional.empty(), table.bytes()));
        }
        List<Part> result = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            result.add(new Part(table, i + 1, parts, Optional.of(filters.get(i)), table.bytes() / parts));
        }
        return result;
    }

    /**
     * Whether ranges pay on this target ({@link SplitPolicy}); always where the split setting is not its default,
     * which the user chose.
     */
    private boolean rangesPay() {
        int targetVersion = sessions.targetVersionNum();
        return settings.splitTablesLargerThanBytes() != MigrationSettings.DEFAULT_SPLIT_BYTES || targetVersion == 0
                || SplitPolicy.rangesPay(targetVersion, SplitPolicy.onThisHost(sessions.targetHost()),
                        Runtime.getRuntime().availableProcessors(), settings.parallelism());
    }

    /**
     * Whether a table is split by TID: ranges that cover every row by construction (open-ended at both ends, each
     * starting where the last stopped), so that their COPYs' counts add up to the table's.
     */
    private static boolean byTid(DatabaseRun db) {
        return db.catalog.versionNum >= 140000;
    }

    /** How many small tables one worker copies in one source transaction at most. */
    static final int TABLES_PER_SOURCE_TRANSACTION = 100;

    /** Tables at least this large, copied whole, are emptied and filled with {@code COPY FREEZE}. */
    static final long FREEZE_FROM_BYTES = 16L * 1024 * 1024;

    /**
     * Copies one part in one transaction on each side, from the snapshot; a table of at least
     * {@link #FREEZE_FROM_BYTES} copied whole uses COPY FREEZE.
     */
    void copy(DatabaseRun db, Part part, CopyCounters counters) throws Exception {
        Table table = part.table();
        Connection[] pair = sessions.of(db);
        Connection src = pair[0];
        Connection dst = pair[1];
        // Data only fills the user's own tables: no TRUNCATE (their keys may refer to them), so no FREEZE either.
        // Nor for a small table: TRUNCATE scans all of the target's shared buffers (4 ms at 256 MB, more with
        // more), which costs more than the hint bits FREEZE spares; with 10,000 small tables it was a third of
        // the target's time. A small table the target already holds is emptied by a resume (DataPhase).
        boolean freeze = part.parts() == 1 && table.bytes() >= FREEZE_FROM_BYTES
                && settings.selection().content() != Selection.Content.DATA_ONLY;
        // A SQL_ASCII database's text goes in text COPY: binary COPY converts it from the driver's UTF-8 on the
        // target, which refuses bytes that are not UTF-8 where a text COPY in the database's encoding keeps them.
        List<CopyColumn> columns = db.copyEncoding == null ? table.columns() : table.columns().stream()
                .map(c -> new CopyColumn(c.name(), c.type(), false)).toList();
        CopyTask task = new CopyTask(db.name, table.schema(), table.name(), columns, part.filter(),
                part.part(), part.parts(), part.estimatedBytes(), freeze);
        DataMover mover = moverFor(task);
        synchronized (counters) { // two parts of a table may start at once: one TableStarted, before any progress
            if (counters.started == null) {
                counters.started = keeper.now();
                counters.moverId = mover.id();
                keeper.tableChanged(db.name, table.qualifiedName(), t -> t.loading(mover.id(), counters.started),
                        new MigrationEvent.TableStarted(keeper.name(), keeper.now(), db.name, table.schema(),
                                table.name(), part.part(), part.parts(), mover.id()));
            }
        }
        cancel.register(src);
        cancel.register(dst);
        db.abort.register(src);
        db.abort.register(dst);
        try {
            Integer inTransaction = db.sourceTransactions.remove(src);
            if (inTransaction == null) {
                Sql.execute(src, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION "
                        + "SNAPSHOT " + Sql.literal(db.snapshot));
                inTransaction = 0;
            }
            // A single COPY is applied whole or not at all by itself: without a transaction of the engine's, a
            // small table costs two round trips fewer (BEGIN and COMMIT), which over a network are most of its time.
            boolean ownTransaction = freeze || !mover.runsOneStatement(task);
            if (ownTransaction) {
                dst.setAutoCommit(false);
            }
            if (freeze) {
                Sql.execute(dst, "TRUNCATE ONLY " + task.qualifiedName());
            }
            Progress progress = new Progress(db, table, counters, src, dst);
            MoveResult result = mover.move(task, progress);
            if (ownTransaction) {
                dst.commit();
            }
            if (db.checksumCopy) {
                counters.addChecksum(mover, result, part.filter().isEmpty() || byTid(db));
            }
            keepOrCommit(db, src, inTransaction + 1, part.parts() > 1 || table.bytes() >= FREEZE_FROM_BYTES);
            counters.rows.addAndGet(result.rows());
            progress.finish(result.rows(), result.bytes());
        } catch (SQLException | RuntimeException e) {
            WorkerSessions.rollbackQuietly(src);
            WorkerSessions.rollbackQuietly(dst);
            if (cancel.isCanceled() || db.abort.isCanceled()) {
                throw new MigrationCanceledException("Copy of " + task.displayName() + " stopped", e);
            }
            if (e instanceof MigrationException) {
                throw e;
            }
            String state = e instanceof SQLException sql ? " (SQLState " + sql.getSQLState() + ")" : "";
            keeper.tableChanged(db.name, table.qualifiedName(), t -> t.errored(keeper.now(),
                    Sql.firstLine(e.getMessage())), null);
            String locked = e instanceof SQLException sql && "55P03".equals(sql.getSQLState())
                    ? " Another session waits for an exclusive lock on it (" + SourceLocks.holders(source.connector(),
                            db.name) + "): it waits for this migration, which keeps every table as its snapshot has "
                            + "them until it is done, and every reader of the table waits behind it. An offline "
                            + "migration's source takes no TRUNCATE or DDL: end that session and migrate again."
                    : "";
            throw new MigrationException(MessageCode.COPY_FAILED,
                    "Cannot copy table " + task.displayName() + " of database " + db.name
                    + " with mover " + mover.id() + ": " + e.getMessage() + state + locked, e);
        } catch (Error e) { // a vendor's mover out of memory: its rows must not be committed by the finally below
            WorkerSessions.rollbackQuietly(src);
            WorkerSessions.rollbackQuietly(dst);
            throw e;
        } finally {
            WorkerSessions.restoreAutoCommit(dst);
            cancel.unregister(src);
            cancel.unregister(dst);
            db.abort.unregister(src);
            db.abort.unregister(dst);
        }
    }

    /**
     * Ends the source's transaction after a large table, or after {@link #TABLES_PER_SOURCE_TRANSACTION} small ones
     * (each leaves an ACCESS SHARE lock until then: bounded, so thousands of tables do not fill the lock table),
     * or keeps it open for this worker's next small table. A session left so is committed by whoever uses it
     * next for something else ({@link #endSourceTransaction}).
     */
    private static void keepOrCommit(DatabaseRun db, Connection src, int tables, boolean large) throws SQLException {
        if (large || tables >= TABLES_PER_SOURCE_TRANSACTION) {
            src.commit();
        } else {
            db.sourceTransactions.put(src, tables);
        }
    }

    /** Commits the snapshot's transaction a worker's source session was left in after small tables, if it was. */
    public static void endSourceTransaction(DatabaseRun db, Connection src) throws SQLException {
        if (db.sourceTransactions.remove(src) != null) {
            src.commit();
        }
    }

    private DataMover moverFor(CopyTask task) {
        for (DataMover mover : plugins.movers()) {
            if (mover.supports(task)) {
                return mover;
            }
        }
        throw new MigrationException(MessageCode.COPY_FAILED,
                "No data mover supports table " + task.displayName() + " (movers: "
                + plugins.moverIds() + "). Put migration-copy, or a mover that supports it, on the class path.");
    }

    /** The engine's side of a mover's progress reports: aggregated per table, sent a few times a second. */
    private final class Progress implements CopyContext {
        private final DatabaseRun db;
        private final Table table;
        private final CopyCounters counters;
        private final Connection src;
        private final Connection dst;
        private long reportedBytes;
        private long reportedRows;
        private long lastReport;

        Progress(DatabaseRun db, Table table, CopyCounters counters, Connection src, Connection dst) {
            this.db = db;
            this.table = table;
            this.counters = counters;
            this.src = src;
            this.dst = dst;
        }

        @Override
        public Connection source() {
            return src;
        }

        @Override
        public Connection target() {
            return dst;
        }

        @Override
        public void progress(long rows, long bytes) {
            long delta = bytes - reportedBytes;
            if (delta <= 0) {
                return;
            }
            reportedBytes = bytes;
            counters.bytes.addAndGet(delta);
            // The table's rows, this part's and those of its other parts copying beside it: this part's own count
            // alone went back and forth between the parts' events.
            if (rows > reportedRows) {
                counters.rowsSeen.addAndGet(rows - reportedRows);
                reportedRows = rows;
            }
            long now = System.nanoTime();
            if (now - lastReport > 250_000_000L) {
                lastReport = now;
                // Read and sent under one lock: two parts reporting at once otherwise sent their sums out of order.
                synchronized (counters) {
                    long allRows = counters.rowsSeen.get();
                    long total = counters.bytes.get();
                    keeper.tableChanged(db.name, table.qualifiedName(), t -> t.progressed(Math.max(t.rows(), allRows),
                            total), new MigrationEvent.TableProgressed(keeper.name(), keeper.now(), db.name,
                                    table.schema(), table.name(), allRows, total));
                }
            }
        }

        void finish(long finalRows, long finalBytes) {
            long allRows = finalRows > reportedRows ? counters.rowsSeen.addAndGet(finalRows - reportedRows)
                    : counters.rowsSeen.get();
            long delta = finalBytes - reportedBytes;
            if (delta > 0) {
                counters.bytes.addAndGet(delta);
            }
            keeper.tableChanged(db.name, table.qualifiedName(), t -> t.partDone(Math.max(t.rows(), allRows),
                    counters.bytes.get()), null);
        }

        @Override
        public boolean isCanceled() {
            return cancel.isCanceled() || db.abort.isCanceled() || Thread.currentThread().isInterrupted();
        }

        @Override
        public MigrationSettings settings() {
            return settings;
        }

        @Override
        public boolean checksumRows() {
            return db.checksumCopy;
        }

        @Override
        public boolean checksumLikeServer() {
            return db.checksumLikeServer;
        }

        @Override
        public boolean targetColumnsMatchSource() {
            return db.columnsMatchSource && !db.catalog.extensionTables.contains(table.oid());
        }

        @Override
        public Optional<String> textEncoding() {
            return Optional.ofNullable(db.copyEncoding);
        }

        @Override
        public java.util.concurrent.Executor beside() {
            return sessions.beside();
        }
    }

    /** Marks a table whose every part is in as copied. */
    void copied(DatabaseRun db, Table table, CopyCounters counters) {
        if (db.checksumCopy) {
            counters.copiedRows().ifPresent(copied -> db.copiedRows.put(table.oid(), copied));
        }
        Instant end = keeper.now();
        Duration elapsed = Duration.between(counters.started, end);
        keeper.tableChanged(db.name, table.qualifiedName(), t -> t.completed(counters.rows.get(),
                counters.bytes.get(), end),
                new MigrationEvent.TableFinished(keeper.name(), end, db.name, table.schema(), table.name(),
                        counters.rows.get(), counters.bytes.get(), elapsed));
        log.debug("Copied {} rows of {}.{} in {} ms", counters.rows.get(), table.schema(), table.name(),
                elapsed.toMillis());
    }
}
