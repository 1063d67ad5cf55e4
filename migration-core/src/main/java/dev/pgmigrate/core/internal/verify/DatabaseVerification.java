package dev.pgmigrate.core.internal.verify;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.api.spi.CopyChecksum;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.EngineOptions;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.WorkerPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database's verification: each table compared as soon as it is in while others still copy, the rest and the
 * object counts at the end of the database's part, a mismatch failing the migration; then what only follows a
 * verified copy (row-level security on a managed target) and the source tables written meanwhile, named.
 */
public final class DatabaseVerification implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseVerification.class);

    private final MigrationSettings settings;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final WorkerPool pool;
    private final CancelSignal cancel;
    /** The target side of each comparison while the copy goes on; shut down with this. */
    private final ExecutorService targetSide = TableComparison.targetSideThreads();

    public DatabaseVerification(MigrationSettings settings, RecordKeeper keeper, Endpoint source, Endpoint target,
            WorkerPool pool, CancelSignal cancel) {
        this.settings = settings;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.pool = pool;
        this.cancel = cancel;
    }

    /** Compares what the copy did not, adds it to the record, and fails the migration on a mismatch. */
    public void verifyRest(DatabaseRun db) throws Exception {
        if (!settings.verify()) {
            return;
        }
        VerificationReport report = compareRest(db);
        keeper.setVerification(merge(keeper.record().verification(), report));
        if (!report.matches()) {
            throw new MigrationException(MessageCode.VERIFICATION_MISMATCH, Verifier.describeMismatch(db.name, report));
        }
    }

    /**
     * Queues the comparison of a table whose data is in, below every copy and build: it takes a worker only when
     * none of those waits, so it fills the gaps of the copy's tail, beside the table's own index builds, instead of
     * following them. Only when nothing later in the migration can change a table's rows: triggers and rules come
     * after the data and fire on nothing, event triggers come last, but a materialized view's refresh runs functions
     * that may write any table, so a database with one compares its tables at completion, after the refresh.
     */
    public void early(DatabaseRun db, Table table) {
        if (!settings.verify() || db.snapshot == null || !EngineOptions.verifyDuringCopy(settings) || db.writtenLate
                || table.rowsLeftOut()) {
            return; // a table whose rows stayed behind is checked at the end, with the columns of every table
        }
        CopiedRows copied = db.copiedRows.get(table.oid());
        List<String> ranges = copied == null ? List.of() : readBackRanges(db, table);
        if (ranges.size() > 1) {
            RangedComparison ranged = new RangedComparison(ranges.size(), copied.sourceRows().orElse(0));
            for (int i = 0; i < ranges.size(); i++) {
                Optional<String> range = Optional.of(ranges.get(i));
                boolean countSource = i == 0 && copied.sourceRows().isEmpty();
                submit(db, table, pair -> {
                    TableComparison.CopiedSides sides = TableComparison.readCopied(pair, db.name, db.snapshot, table,
                            copied, range, countSource, cancel, db.abort, targetSide);
                    if (ranged.add(sides)) {
                        db.verified.put(table.oid(), TableComparison.confirmed(TableComparison.copiedVerification(
                                db.name, table, copied, ranged.sourceRows, ranged.target), pair, db.name,
                                db.snapshot, table, copied, hashMode(), cancel, db.abort, targetSide));
                    }
                });
            }
            return;
        }
        submit(db, table, pair -> db.verified.put(table.oid(), copied != null
                ? TableComparison.compareCopied(pair, db.name, db.snapshot, table, copied, hashMode(), cancel,
                        db.abort, targetSide)
                : TableComparison.compare(pair, db.name, db.snapshot, table, hashMode(), cancel, db.abort,
                        targetSide)));
    }

    /** One comparison task of {@code table}, below every copy, on this worker's pair of verification sessions. */
    private void submit(DatabaseRun db, Table table, Comparison comparison) {
        db.comparing.merge(table.oid(), 1, Integer::sum);
        db.verifications.submit(() -> {
            try {
                if (db.abort.isCanceled()) {
                    return null; // the copy failed; the migration is ending
                }
                long t0 = System.nanoTime();
                if (db.verifyStarted == null) {
                    db.verifyStarted = keeper.now();
                }
                SessionPair pair = db.verifyConnections.computeIfAbsent(Thread.currentThread(),
                        k -> SessionPair.open(source.connector(), db.name, db.catalog.versionNum, target.connector(),
                                db.working));
                comparison.run(pair);
                db.verifyNanos.addAndGet(System.nanoTime() - t0);
                return null;
            } finally {
                db.comparing.computeIfPresent(table.oid(), (oid, left) -> left > 1 ? left - 1 : null);
            }
        }, WorkerPool.PRIORITY_VERIFY);
    }

    /**
     * Whether a comparison of {@code table} during the copy is queued or running: its reads hold the table's
     * ACCESS SHARE lock, which a key's {@code ADD CONSTRAINT ... USING INDEX} waits for.
     */
    public boolean comparing(DatabaseRun db, Table table) {
        return db.comparing.containsKey(table.oid());
    }

    private interface Comparison {
        void run(SessionPair pair) throws Exception;
    }

    /**
     * How a large copied table's read-back is cut so that the pool's workers share it, as its copy was shared: one
     * range per {@code splitTablesLargerThanBytes} up to the pool's size, by TID range (a scan of only those pages from
     * 14 on; the first and last ranges are open-ended, so the cut need not match the target's pages exactly).
     * Without it the largest table's comparison ran alone at the end of the copy, one worker idle.
     */
    private List<String> readBackRanges(DatabaseRun db, Table table) {
        int targetVersion = target.facts().map(ServerFacts::versionNum).orElse(0);
        int ranges = (int) Math.min(settings.parallelism(), table.bytes() / settings.splitTablesLargerThanBytes());
        if (ranges < 2 || targetVersion < 140000 || db.catalog.blockSize <= 0) {
            return List.of();
        }
        return dev.pgmigrate.core.internal.copy.CopyRanges.byTid(table.bytes() / db.catalog.blockSize, ranges);
    }

    /** The ranges of one table's read-back as they end; the last to end completes the comparison. */
    private static final class RangedComparison {
        private int left;
        private long sourceRows;
        private CopyChecksum.Sum target = CopyChecksum.Sum.EMPTY;

        /** {@code sourceRows}: the source's own count of a table copied whole, else 0 until a range counts it. */
        RangedComparison(int ranges, long sourceRows) {
            this.left = ranges;
            this.sourceRows = sourceRows;
        }

        /** Adds one range's sides; true when it was the last. */
        synchronized boolean add(TableComparison.CopiedSides sides) {
            sourceRows += sides.sourceRows();
            target = target.plus(sides.target());
            return --left == 0;
        }
    }

    /**
     * Whether an offline copy checksums the rows it reads, so that verification reads only the target's rows back
     * and counts the source's: when verifying, unless {@code verify.rereadSource} asks to hash the source's rows
     * again, and only between servers of the same major version, where the target sends a value's binary form
     * exactly as the source did.
     */
    public boolean checksumsCopy() {
        int sourceVersion = source.facts().map(ServerFacts::versionNum).orElse(0);
        int targetVersion = target.facts().map(ServerFacts::versionNum).orElse(-1);
        return settings.verify() && !EngineOptions.verifyRereadSource(settings)
                && majorVersion(sourceVersion) == majorVersion(targetVersion);
    }

    /**
     * Whether the copy's checksums can be made as the target hashes its rows ({@link CopyChecksum#likeServer}), for
     * the target to sum its own rows instead of sending them back: a target of 14 or later, when the copy checksums,
     * unless {@code verify.targetHashes} is off.
     */
    public boolean checksumsLikeServer() {
        return checksumsCopy() && EngineOptions.verifyTargetHashes(settings)
                && target.facts().map(ServerFacts::versionNum).orElse(0) >= 140000;
    }

    /** 90624 is 9.6, 150018 is 15. */
    private static int majorVersion(int versionNum) {
        return versionNum >= 100000 ? versionNum / 10000 : versionNum / 100;
    }

    private RowChecksums.HashMode hashMode() {
        return RowChecksums.HashMode.of(Math.min(source.facts().map(ServerFacts::versionNum).orElse(0),
                target.facts().map(ServerFacts::versionNum).orElse(0)));
    }

    /**
     * Enables row-level security where the source has it, after the comparison, when the target admin is no
     * superuser (a managed service's): under a policy, it would compare only the rows the policy shows it, and fail
     * a good copy. Such an admin creates no event trigger, so none fires on this. Idempotent, so a resumed
     * migration runs it again; the database is not under its final name yet.
     */
    public void enableRowSecurity(DatabaseRun db) throws SQLException {
        if (db.catalog.rowSecurity.isEmpty() || target.requireFacts().superuser()) {
            return; // a superuser reads past every policy: enabled in pg_dump's order, before the event triggers
        }
        try (Connection dst = target.connector().open(db.working)) {
            cancel.register(dst);
            try {
                for (long oid : db.catalog.rowSecurity) {
                    Table table = db.catalog.tables.get(oid);
                    Sql.execute(dst, "ALTER TABLE ONLY " + Sql.qualified(table.schema(), table.name())
                            + " ENABLE ROW LEVEL SECURITY");
                }
            } finally {
                cancel.unregister(dst);
            }
        }
    }

    /**
     * Offline means the source takes no writes: names the tables its statistics saw written since the snapshot
     * was taken. Their writes are not in the copy, which is the source as of the snapshot.
     */
    public void noteSourceWrites(DatabaseRun db) {
        if (db.locks == null) {
            return;
        }
        try {
            List<String> written = writtenSince(db);
            if (!written.isEmpty()) {
                keeper.note(MessageCode.SOURCE_WRITTEN_DURING_COPY,
                        "Warning: " + written.size() + " table(s) of database " + db.name + " were written on the "
                        + "source during the migration: " + String.join(", ", written) + ". The target is the source "
                        + "as of the migration's snapshot, without those writes. An offline migration needs a source "
                        + "that takes no writes: stop its applications and migrate again, or copy those changes.");
            }
        } catch (SQLException e) {
            log.warn("Could not read the source's write statistics of {}", db.name, e);
        }
    }

    /**
     * Read on the snapshot's session instead of on a login of its own, the snapshot's transaction ended first (its
     * work is done; the session closes next), so that the statistics are read afresh: within one transaction they
     * stay those of its first read.
     */
    private List<String> writtenSince(DatabaseRun db) throws SQLException {
        Connection snapshot = db.snapshotConnection;
        if (snapshot != null && !snapshot.isClosed()) {
            snapshot.rollback();
            return db.locks.writtenSince(snapshot);
        }
        try (Connection c = source.connector().open(db.name)) {
            return db.locks.writtenSince(c);
        }
    }

    /**
     * Compares what was not compared while the copy went on. The report's time is how long completion waited for
     * verification; the checks made during the copy are logged.
     */
    private VerificationReport compareRest(DatabaseRun db) throws Exception {
        Instant waitStarted = keeper.now();
        long t0 = System.nanoTime();
        if (db.verifications != null) {
            db.verifications.await();
        }
        Map<Long, TableVerification> early = Map.copyOf(db.verified);
        VerificationReport rest = Verifier.verify(source.connector(), db.name, db.snapshot, target.connector(),
                db.working, db.catalog, pool, cancel, early, db.copiedRows, db.verifyConnections,
                db.snapshotConnection);
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
        log.info("Database {}: verified {} table(s) while others still copied ({} ms of checks), {} more and the "
                + "object counts in {} ms after", db.name, early.size(), db.verifyNanos.get() / 1_000_000,
                rest.tables().size() - early.size(), waited.toMillis());
        Instant started = db.verifyStarted != null ? db.verifyStarted : waitStarted;
        return new VerificationReport(started, waited, rest.tables(), rest.objects());
    }

    private static VerificationReport merge(Optional<VerificationReport> earlier, VerificationReport now) {
        if (earlier.isEmpty()) {
            return now;
        }
        List<TableVerification> tables = new ArrayList<>(earlier.get().tables());
        tables.addAll(now.tables());
        List<dev.pgmigrate.api.ObjectCount> objects = new ArrayList<>(earlier.get().objects());
        objects.addAll(now.objects());
        return new VerificationReport(earlier.get().startedAt(), earlier.get().elapsed().plus(now.elapsed()), tables,
                objects);
    }

    /** Closes the sessions {@code db}'s comparisons opened; idempotent. */
    public static void closeSessions(DatabaseRun db) {
        List<SessionPair> pairs = List.copyOf(db.verifyConnections.values());
        db.verifyConnections.clear();
        pairs.forEach(SessionPair::close);
    }

    @Override
    public void close() {
        targetSide.shutdownNow();
    }
}
