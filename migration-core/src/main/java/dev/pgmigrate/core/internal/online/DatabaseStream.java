package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.ReplicationProgress;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database's stream, on a thread of its own: the source's changes after the copy's snapshot, read from the
 * database's slot and applied on its copy by a {@link ChangeApplier}, until {@link #stopAt} a source position.
 * A position is confirmed to the source only once the target committed it. A server that restarts or a connection
 * that breaks is waited for and the stream taken up again from the target's own record of what it applied.
 */
public final class DatabaseStream implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseStream.class);
    private static final Duration FIGURES_EVERY = Duration.ofSeconds(1);
    /** How often the source is asked for tables the migration takes that its publication lacks. */
    private static final Duration NEW_TABLES_EVERY = Duration.ofSeconds(10);

    private final String database;
    private final String working;
    private final String slot;
    private final ServerConnector source;
    private final ServerConnector target;
    private final RecordKeeper keeper;
    private final int groupStatements;
    private final Selection selection;
    private final StreamInterruption interruption;
    /** How long a broken connection is retried before the stream gives up and the migration fails. */
    private final Duration reconnectFor;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile long stopAt = Long.MAX_VALUE;
    private volatile boolean abort;
    private volatile long position; // what the target has: applied, or everything sent while nothing of ours came
    private long transactions;
    private long changes;
    private long openCommitMicros = -1; // the source commit time of the transaction being received, if any
    private Instant lastFigures = Instant.EPOCH;
    private Instant lastNewTables = Instant.now();

    public DatabaseStream(String database, String working, String slot, ServerConnector source,
            ServerConnector target, RecordKeeper keeper, int groupStatements, Duration reconnectFor,
            Selection selection) {
        this.database = database;
        this.working = working;
        this.slot = slot;
        this.source = source;
        this.target = target;
        this.keeper = keeper;
        this.groupStatements = groupStatements;
        this.reconnectFor = reconnectFor;
        this.selection = selection;
        this.interruption = new StreamInterruption(database, slot, source, keeper);
    }

    /** Completes when the stream stopped at its position, or exceptionally when it failed. */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    /** Asks the stream to end once the target has everything up to the source position {@code lsn}. */
    public void stopAt(long lsn) {
        stopAt = lsn;
    }

    /** Ends the stream as soon as possible, leaving an open group uncommitted (the source sends it again). */
    public void abort() {
        abort = true;
    }

    /** Whether {@link #stream} started its replication stream since the run loop last saw it break. */
    private boolean streamStarted;

    @Override
    public void run() {
        Instant brokenSince = null;
        try {
            while (!abort) {
                try {
                    stream();
                    break;
                } catch (SQLException e) {
                    if (!brokenConnection(e) || abort) {
                        throw interruption.lostOr(e);
                    }
                    // A stream that was taken up again since it broke counts its time to give up afresh.
                    brokenSince = brokenSince == null || streamStarted ? Instant.now() : brokenSince;
                    streamStarted = false;
                    if (Duration.between(brokenSince, Instant.now()).compareTo(reconnectFor) > 0) {
                        throw interruption.lostOr(e);
                    }
                    log.warn("Database {}: the stream's connection broke ({}, SQLState {}); taking it up again",
                            database, Sql.firstLine(String.valueOf(e.getMessage())), e.getSQLState());
                    interruption.retrying(e, brokenSince, brokenSince.plus(reconnectFor));
                    Thread.sleep(1000);
                }
            }
            ended.complete(null);
        } catch (Exception | Error e) {
            ended.completeExceptionally(e instanceof MigrationException ? e : new MigrationException(
                    MessageCode.REPLICATION_FAILED, "Database " + database + ": the stream of the source's changes "
                    + "failed: " + withoutFullStop(String.valueOf(e.getMessage())) + ". " + (appliesAlike(e) ? "The target refused a change, and "
                    + "would refuse it again: a resume would stop at the same change. Cancel the migration, change "
                    + "what the error names, and start it again." : "Resume the migration: it continues from the "
                    + "last change the target committed."), e));
        }
    }

    private static String withoutFullStop(String message) {
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    /**
     * Whether the target refused a change for what the change is (its data, a constraint, the table's definition, a
     * row not found), so that applying it again from a resume fails alike; not for a lost connection or a crash.
     */
    private static boolean appliesAlike(Throwable e) {
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? sql.getSQLState() : "";
        return state.startsWith("22") || state.startsWith("23") || state.startsWith("42") || state.startsWith("0A")
                || state.equals("P0002");
    }

    private static boolean brokenConnection(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.startsWith("57P");
    }

    private void stream() throws Exception {
        try (Connection apply = target.open(working); Connection probe = source.open(database);
                Connection replication = source.openReplication(database)) {
            ChangeApplier applier = new ChangeApplier(apply, slot, groupStatements);
            try {
                position = Math.max(position, applier.appliedLsn());
                PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                        .replicationStream().logical().withSlotName(slot)
                        .withStartPosition(LogSequenceNumber.valueOf(applier.appliedLsn()))
                        .withSlotOption("proto_version", "1").withSlotOption("publication_names", slot)
                        .withStatusInterval(1, TimeUnit.SECONDS).start();
                streamStarted = true;
                interruption.resumed();
                follow(stream, applier, apply, probe);
                stream.close();
            } finally {
                try {
                    applier.close();
                } catch (SQLException e) {
                    log.debug("Closing the apply session of {} failed", database, e);
                }
            }
        }
    }

    private void follow(PGReplicationStream stream, ChangeApplier applier, Connection apply, Connection probe)
            throws Exception {
        boolean open = false;
        while (!abort) {
            figures(probe, false); // at most once a second, also while a large transaction streams in
            newTables(probe, false);
            ByteBuffer message = stream.readPending();
            if (message == null) {
                if (!open) {
                    applier.commitGroup().ifPresent(lsn -> confirm(stream, lsn));
                    long sent = stream.getLastReceiveLSN().asLong(); // the server's end, from its keepalives
                    if (sent > position) {
                        confirm(stream, sent); // nothing of ours before it: the slot may let that WAL go
                    }
                    if (position >= stopAt) {
                        stream.forceUpdateStatus(); // the slot confirms it now: the cutover reads the slot next
                        figures(probe, true);
                        newTables(probe, true);
                        return;
                    }
                }
                Thread.sleep(open ? 1 : 5);
                continue;
            }
            Change change = PgOutputDecoder.decode(message);
            if (change instanceof Change.Begin b) {
                open = true;
                openCommitMicros = b.commitMicros();
            } else if (change instanceof Change.Commit) {
                open = false;
                openCommitMicros = -1;
                transactions++;
            } else if (change instanceof Change.Relation r) {
                change = RelationCheck.checked(database, apply, probe, r);
            } else if (change instanceof Change.Insert || change instanceof Change.Update
                    || change instanceof Change.Delete || change instanceof Change.Truncate) {
                changes++;
            }
            applier.apply(change).ifPresent(lsn -> confirm(stream, lsn));
        }
    }

    private void confirm(PGReplicationStream stream, long lsn) {
        position = Math.max(position, lsn);
        stream.setFlushedLSN(LogSequenceNumber.valueOf(position));
        stream.setAppliedLSN(LogSequenceNumber.valueOf(position));
    }

    /** The lag, read from the source about once a second, into the record and out as an event. */
    private void figures(Connection probe, boolean now) throws SQLException {
        Instant at = Instant.now();
        if (!now && Duration.between(lastFigures, at).compareTo(FIGURES_EVERY) < 0) {
            return;
        }
        lastFigures = at;
        long current = LogSequenceNumber.valueOf(Sql.one(probe, "SELECT pg_current_wal_lsn()")).asLong();
        long lagBytes = Math.max(0, current - position);
        Duration lag = openCommitMicros < 0 ? Duration.ZERO : Duration.between(Instant.EPOCH.plusSeconds(946_684_800L)
                .plus(openCommitMicros, java.time.temporal.ChronoUnit.MICROS), at);
        keeper.replication(database, new ReplicationProgress(lagBytes, lag.isNegative() ? Duration.ZERO : lag,
                transactions, changes, LogSequenceNumber.valueOf(position).asString(), at));
    }

    /**
     * Stops the stream when the source has a table the selection takes that its publication lacks (created, or made
     * logged, after the migration began): logical replication carries none of its rows, and the cutover's
     * verification would find them missing only at the end.
     */
    private void newTables(Connection probe, boolean now) throws SQLException {
        Instant at = Instant.now();
        if (!now && Duration.between(lastNewTables, at).compareTo(NEW_TABLES_EVERY) < 0) {
            return;
        }
        lastNewTables = at;
        List<String> unpublished = OnlineStart.unpublished(probe, slot, selection);
        if (!unpublished.isEmpty()) {
            throw new MigrationException(MessageCode.SOURCE_SCHEMA_CHANGED, "Database " + database + ": "
                    + unpublished.size() + " table(s) the migration takes appeared on the source during the online "
                    + "migration: " + String.join(", ", unpublished.subList(0, Math.min(10, unpublished.size())))
                    + (unpublished.size() > 10 ? " and " + (unpublished.size() - 10) + " more" : "") + ". Logical "
                    + "replication does not carry a new table, so its rows would be missing from the target. "
                    + "Create tables before an online migration starts, or leave them out of its selection, and "
                    + "start it again.");
        }
    }
}
