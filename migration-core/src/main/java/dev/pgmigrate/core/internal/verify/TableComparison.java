package dev.pgmigrate.core.internal.verify;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.spi.CopyChecksum;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One table compared on both servers: its row count and an order-independent checksum, computed by the source and
 * the target at once on a pair of sessions set alike; or its row counts alone, when its columns differ.
 */
public final class TableComparison {
    private static final Logger log = LoggerFactory.getLogger(TableComparison.class);
    private TableComparison() {
    }

    /**
     * Compares one table on {@code pair}, the source side (on {@code snapshot}, or as it is now when that is
     * {@code null}) and the target side each scanning at once, the target's on {@code targetThreads}.
     */
    static TableVerification compare(SessionPair pair, String database, String snapshot,
            SourceCatalog.Table table, RowChecksums.HashMode mode, CancelSignal cancel, CancelSignal abort,
            Executor targetThreads) throws Exception {
        String query = RowChecksums.query(table, mode);
        String[][] sides = bothSides(pair, database, snapshot, table, cancel, abort, targetThreads,
                s -> Sql.rows(s, query).get(0), t -> Sql.rows(t, query).get(0));
        return new TableVerification(database, table.schema(), table.name(), Long.parseLong(sides[0][0]),
                Long.parseLong(sides[1][0]), sides[0][1], sides[1][1]);
    }

    /**
     * Compares a table the copy checksummed ({@link CopiedRows}): the target's table read back through the same
     * mover and hashed alike (or, for a checksum made as the target hashes, summed by the target), while the
     * source's rows are counted again on the snapshot, unless the table was copied whole or in TID ranges and the
     * source's COPYs said how many rows they sent. The count, a scan without hashing (a quarter of the hashing
     * query's time on pgbench_accounts), finds rows a copy by key ranges never asked for; the checksum, any row
     * that changed, went missing or came in addition on the way.
     */
    static TableVerification compareCopied(SessionPair pair, String database, String snapshot,
            SourceCatalog.Table table, CopiedRows copied, RowChecksums.HashMode mode, CancelSignal cancel,
            CancelSignal abort, Executor targetThreads) throws Exception {
        boolean countSource = copied.sourceRows().isEmpty();
        CopiedSides sides = readCopied(pair, database, snapshot, table, copied, Optional.empty(), countSource, cancel,
                abort, targetThreads);
        TableVerification verification = copiedVerification(database, table, copied, countSource ? sides.sourceRows()
                : copied.sourceRows().getAsLong(), sides.target());
        return confirmed(verification, pair, database, snapshot, table, copied, mode, cancel, abort, targetThreads);
    }

    /**
     * {@code verification} itself, unless it found a difference between a copy's checksum made as the target hashes
     * its rows and the target's own: then the table compared again, both servers hashing on the snapshot. A server
     * that hashes otherwise than the copy did (a big-endian one, a text column stored in another encoding) so
     * costs a second comparison, never a false mismatch.
     */
    static TableVerification confirmed(TableVerification verification, SessionPair pair, String database,
            String snapshot, SourceCatalog.Table table, CopiedRows copied, RowChecksums.HashMode mode,
            CancelSignal cancel, CancelSignal abort, Executor targetThreads) throws Exception {
        if (verification.matches() || !copied.sum().likeServer()) {
            return verification;
        }
        log.info("Table {} of database {}: the copy's checksum ({} rows) and the target's ({} rows) differ; comparing "
                + "it again on both servers", table.qualifiedName(), database, verification.sourceRows(),
                verification.targetRows());
        return compare(pair, database, snapshot, table, mode, cancel, abort, targetThreads);
    }

    /** What one comparison of a copied table read: the source's row count (when counted), the target's checksum. */
    record CopiedSides(long sourceRows, CopyChecksum.Sum target) {
    }

    /**
     * Reads back the target's rows {@code targetRange} selects (all when empty) and, when {@code countSource}, counts
     * the source's on the snapshot at once: one of the ranges of a large table's comparison, or all of it. A copy
     * whose checksum was made as the target hashes its rows has the target sum them itself instead of reading them
     * back.
     */
    static CopiedSides readCopied(SessionPair pair, String database, String snapshot, SourceCatalog.Table table,
            CopiedRows copied, Optional<String> targetRange, boolean countSource, CancelSignal cancel,
            CancelSignal abort, Executor targetThreads) throws Exception {
        String count = "SELECT count(*) FROM ONLY " + Sql.qualified(table.schema(), table.name());
        CopyTask task = new CopyTask(database, table.schema(), table.name(), table.columns(), targetRange, 1, 1,
                table.bytes(), false);
        String[][] sides = bothSides(pair, database, snapshot, table, cancel, abort, targetThreads,
                countSource ? s -> new String[] {Sql.one(s, count)} : null, t -> {
                    if (copied.sum().likeServer()) {
                        String[] own = Sql.rows(t, RowChecksums.likeServerQuery(table, targetRange)).get(0);
                        return new String[] {own[0], Long.toString(new BigInteger(own[1]).longValue())};
                    }
                    CopyChecksum.Sum sum = copied.mover().checksum(task, t).orElseThrow(() -> new SQLException(
                            "Mover " + copied.mover().id() + " checksummed its copy but cannot read the table back"));
                    return new String[] {Long.toString(sum.rows()), Long.toString(sum.sum())};
                });
        return new CopiedSides(countSource ? Long.parseLong(sides[0][0]) : 0, new CopyChecksum.Sum(
                Long.parseLong(sides[1][0]), Long.parseLong(sides[1][1]), copied.sum().likeServer()));
    }

    /** The comparison of a copied table: the source's count and the copy's checksum against the target's. */
    static TableVerification copiedVerification(String database, SourceCatalog.Table table, CopiedRows copied,
            long sourceRows, CopyChecksum.Sum target) {
        return new TableVerification(database, table.schema(), table.name(), sourceRows, target.rows(),
                COPIED + copied.sum().hex(), COPIED + target.hex());
    }

    /** Marks a checksum of COPY rows, hashed by pgmigrate, apart from one the servers computed. */
    static final String COPIED = "copy:";

    /** One side's query on one session. */
    private interface Side {
        String[] run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code sourceSide} on the source session (in {@code snapshot} when given) and {@code targetSide} on the
     * target's at once; a source blocked behind a queued exclusive lock is said so, the target side then canceled.
     * Without a {@code sourceSide}, the target's alone, on this thread, its result's source side {@code null}.
     */
    private static String[][] bothSides(SessionPair pair, String database, String snapshot, SourceCatalog.Table table,
            CancelSignal cancel, CancelSignal abort, Executor targetThreads, Side sourceSide, Side targetSide)
            throws Exception {
        Connection t = pair.target();
        if (sourceSide == null) {
            cancel.register(t);
            abort.register(t);
            try {
                return new String[][] {null, targetSide.run(t)};
            } finally {
                cancel.unregister(t);
                abort.unregister(t);
            }
        }
        Connection s = pair.source();
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
            CompletableFuture<String[]> target = CompletableFuture.supplyAsync(() -> {
                try {
                    return targetSide.run(t);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, targetThreads);
            String[] src;
            try {
                src = sourceSide.run(s);
            } catch (SQLException e) {
                stopTargetSide(t, target);
                if ("55P03".equals(e.getSQLState())) {
                    throw new MigrationException(MessageCode.SOURCE_NOT_CONSISTENT,
                            "Cannot compare table " + table.qualifiedName()
                            + " of database " + database + ": another session waits for an exclusive lock on it on "
                            + "the source, for longer than source.lockTimeoutSeconds, and every reader waits behind it: "
                            + e.getMessage() + ". An offline migration's source takes no TRUNCATE or DDL: end that "
                            + "session and migrate again.", e);
                }
                throw e;
            }
            String[] dst;
            try {
                dst = target.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
            s.commit();
            return new String[][] {src, dst};
        } finally {
            cancel.unregister(s);
            cancel.unregister(t);
            abort.unregister(s);
            abort.unregister(t);
        }
    }

    /** Row counts alone, for a table whose columns differ: its rows cannot be hashed alike on both sides. */
    static TableVerification countOnly(SessionPair pair, String database, String snapshot,
            SourceCatalog.Table table, String difference) throws SQLException {
        Connection s = pair.source();
        if (snapshot != null) {
            Sql.execute(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            Sql.execute(s, "SET TRANSACTION SNAPSHOT " + Sql.literal(snapshot));
        }
        String count = "SELECT count(*) FROM ONLY " + Sql.qualified(table.schema(), table.name());
        long sourceRows = Long.parseLong(Sql.one(s, count));
        s.commit();
        long targetRows = difference.startsWith("the target has no table") ? 0 : Long.parseLong(Sql.one(pair.target(),
                count));
        return new TableVerification(database, table.schema(), table.name(), sourceRows, targetRows, "", "",
                Optional.of(difference));
    }

    /**
     * A table whose rows the selection leaves on the source: compared by its columns ({@code difference}, when
     * they differ), and its copy on the target must hold no row. The source's rows are not read.
     */
    static TableVerification rowsLeftOut(Connection target, String database, SourceCatalog.Table table,
            Optional<String> difference) throws SQLException {
        long rows = difference.filter(d -> d.startsWith("the target has no table")).isPresent() ? 0
                : Long.parseLong(Sql.one(target, "SELECT count(*) FROM ONLY "
                        + Sql.qualified(table.schema(), table.name())));
        return TableVerification.rowsLeftOut(database, table.schema(), table.name(), rows, difference);
    }

    /** Ends the target side's scan when the source side failed, instead of leaving it running on the server. */
    private static void stopTargetSide(Connection t, CompletableFuture<String[]> targetSide) {
        try {
            t.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException e) {
            log.debug("Canceling the target side of a comparison failed", e);
        }
        try {
            targetSide.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Canceled, as asked; the source side's failure is the one reported.
            log.debug("The target side of a comparison ended with {}", e.toString());
        }
    }

    /**
     * Threads for the target side of comparisons, owned by whoever compares (a migration, a verify command) and
     * shut down by it: each comparison runs its target query beside its source query.
     */
    static ExecutorService targetSideThreads() {
        return Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "pgmigrate-verify-target");
            thread.setDaemon(true);
            return thread;
        });
    }
}
