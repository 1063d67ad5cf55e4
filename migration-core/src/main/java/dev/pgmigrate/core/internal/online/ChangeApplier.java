package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.util.PSQLException;

/**
 * Applies decoded source transactions on one target database exactly once, in commit order.
 *
 * <p>Progress is a replication origin on the target, advanced in the same target transaction as the changes it
 * covers: after a crash the target's own state says which source transaction was applied last, and a resume
 * starts the stream after it. Small source transactions are grouped into one target transaction (at most
 * {@code groupStatements} statements) without reordering; the caller confirms a position to the source only once
 * {@link #apply} or {@link #commitGroup} reports it committed here. The session runs with
 * {@code session_replication_role = replica}, so the target's triggers and foreign keys do not act a second time
 * on rows the source already checked.
 */
public final class ChangeApplier implements AutoCloseable {
    private final Connection target;
    private final int groupStatements;
    private final Map<Integer, Change.Relation> relations = new HashMap<>();
    private long applied; // the end LSN of the last source transaction committed here
    private long pendingEnd; // the end LSN of the last source transaction in the open group
    private long pendingCommitMicros;
    private int pendingStatements;
    private boolean skipping; // a transaction the target already has, sent again after a restart
    private Change.Begin transaction; // the source transaction being received
    /** Statements of the open group not sent yet: sent together, in order, in one round trip. */
    private final List<Unsent> unsent = new ArrayList<>();
    private static final int SEND_EVERY = 256;
    private static final Pattern LAST_NUMBER = Pattern.compile("(\\d+)\\D*$");

    /**
     * Takes over {@code target} (autocommit off from here) and the replication origin {@code origin}, created if
     * it does not exist; the origin's progress is where applying resumes.
     */
    public ChangeApplier(Connection target, String origin, int groupStatements) throws SQLException {
        this.target = target;
        this.groupStatements = groupStatements;
        target.setAutoCommit(true);
        Sql.execute(target, "SET session_replication_role = replica");
        if (Sql.one(target, "SELECT count(*) FROM pg_replication_origin WHERE roname = ?", origin).equals("0")) {
            Sql.one(target, "SELECT pg_replication_origin_create(?)", origin);
        }
        takeOrigin(target, origin);
        String progress = Sql.one(target, "SELECT pg_replication_origin_progress(?, true)", origin);
        this.applied = progress == null ? 0 : LogSequenceNumber.valueOf(progress).asLong();
        target.setAutoCommit(false);
    }

    /**
     * Makes {@code origin} this session's. A target session of a stream whose connection broke can still hold it
     * (55006) until its server notices the peer is gone, which TCP keepalives may take hours to do: a holder that is
     * one of pgmigrate's own sessions in this database, under this login, is ended; any other holder is named.
     */
    private static void takeOrigin(Connection target, String origin) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            try {
                Sql.one(target, "SELECT pg_replication_origin_session_setup(?)", origin);
                return;
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState()) || attempt >= 20) {
                    throw e;
                }
                long holder = holderPid(e);
                String ended = Sql.one(target, "SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM "
                        + "pg_catalog.pg_stat_activity WHERE pid = ?::int AND datname = pg_catalog.current_database() "
                        + "AND usename = current_user AND application_name = 'pgmigrate' "
                        + "AND pid <> pg_catalog.pg_backend_pid()", String.valueOf(holder));
                if ("0".equals(ended) && attempt >= 10) {
                    throw new SQLException("The replication origin " + origin + " is held by another session (PID "
                            + holder + ") that is not one of pgmigrate's on this database; end that session "
                            + "(SELECT pg_terminate_backend(" + holder + ")) and resume the migration", "55006", e);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The PID in the server's "replication origin with ID n is already active for PID m", in any language. */
    private static long holderPid(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p && p.getServerErrorMessage() != null) {
                Matcher m = LAST_NUMBER.matcher(String.valueOf(p.getServerErrorMessage().getMessage()));
                return m.find() ? Long.parseLong(m.group(1)) : -1;
            }
        }
        return -1;
    }

    /** The end of the last source transaction committed on the target: where the stream resumes. */
    public long appliedLsn() {
        return applied;
    }

    /**
     * Applies one message; returns the source position now committed on the target when this message closed a
     * group, which the caller may confirm to the source.
     */
    public Optional<Long> apply(Change change) throws SQLException {
        if (change instanceof Change.Begin b) {
            transaction = b;
            skipping = b.finalLsn() < applied; // committed here before the restart: its changes are in already
            return Optional.empty();
        }
        if (change instanceof Change.Relation r) {
            relations.put(r.oid(), r);
            return Optional.empty();
        }
        if (skipping) {
            return Optional.empty();
        }
        if (change instanceof Change.Commit c) {
            pendingEnd = c.endLsn();
            pendingCommitMicros = c.commitMicros();
            return pendingStatements >= groupStatements ? commitGroup() : Optional.empty();
        }
        Optional<ApplyStatement> statement = statement(change);
        if (statement.isPresent()) {
            execute(statement.get());
            pendingStatements++;
        }
        return Optional.empty();
    }

    /** Commits the open group, if any, with the origin advanced to its last transaction; returns that position. */
    public Optional<Long> commitGroup() throws SQLException {
        if (pendingEnd <= applied) {
            return Optional.empty();
        }
        send();
        try (PreparedStatement ps = target.prepareStatement("SELECT pg_replication_origin_xact_setup(?::pg_lsn, "
                + "'2000-01-01 00:00:00+00'::timestamptz + ? * interval '1 microsecond')")) {
            ps.setString(1, LogSequenceNumber.valueOf(pendingEnd).asString());
            ps.setLong(2, pendingCommitMicros);
            ps.execute();
        }
        target.commit();
        applied = pendingEnd;
        pendingStatements = 0;
        return Optional.of(applied);
    }

    private Optional<ApplyStatement> statement(Change change) {
        if (change instanceof Change.Insert i) {
            return Optional.of(ApplyStatement.insert(relation(i.relationOid()), i.row()));
        }
        if (change instanceof Change.Update u) {
            return Optional.of(ApplyStatement.update(relation(u.relationOid()), u.oldRow(), u.oldIsWholeRow(),
                    u.newRow()));
        }
        if (change instanceof Change.Delete d) {
            return Optional.of(ApplyStatement.delete(relation(d.relationOid()), d.oldRow(), d.oldIsWholeRow()));
        }
        if (change instanceof Change.Truncate t) {
            List<Change.Relation> tables = new ArrayList<>();
            t.relationOids().forEach(oid -> tables.add(relation(oid)));
            return Optional.of(ApplyStatement.truncate(tables, t.cascade(), t.restartIdentity()));
        }
        return Optional.empty(); // origins, types and logical messages change no row
    }

    private Change.Relation relation(int oid) {
        Change.Relation r = relations.get(oid);
        if (r == null) {
            throw new IllegalStateException("A change of relation " + oid + " came before its description");
        }
        return r;
    }

    /** A statement of the open group and the source transaction it comes from. */
    private record Unsent(ApplyStatement statement, Change.Begin transaction) {
    }

    private void execute(ApplyStatement s) throws SQLException {
        unsent.add(new Unsent(s, transaction));
        if (unsent.size() >= SEND_EVERY) {
            send();
        }
    }

    /**
     * Sends the statements not sent yet in one batch (the driver pipelines them: one round trip, not one per row)
     * and checks that each changed exactly the one row it changed on the source.
     */
    private void send() throws SQLException {
        if (unsent.isEmpty()) {
            return;
        }
        int[] counts;
        try (Statement batch = target.createStatement()) {
            for (Unsent s : unsent) {
                batch.addBatch(s.statement().inlined());
            }
            counts = batch.executeBatch();
        } catch (java.sql.BatchUpdateException e) {
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            throw new SQLException("Applying a source transaction on the target failed: " + cause.getMessage(),
                    cause.getSQLState(), cause);
        }
        if (counts.length != unsent.size()) {
            throw new SQLException("The target answered " + counts.length + " of the " + unsent.size() + " changes "
                    + "sent to it", "XX000");
        }
        for (int i = 0; i < counts.length; i++) {
            ApplyStatement s = unsent.get(i).statement();
            if (counts[i] != 1 && !s.sql().startsWith("TRUNCATE") && !s.sql().startsWith("INSERT")) {
                Change.Begin from = unsent.get(i).transaction();
                throw new SQLException("A change the source made to one row, " + s.row() + ", found " + counts[i]
                        + " on the target: " + Sql.abbreviate(s.sql()) + ", from source transaction "
                        + Integer.toUnsignedString(from.xid()) + " committed at "
                        + LogSequenceNumber.valueOf(from.finalLsn()).asString() + " (" + rowsThere(s) + "). The "
                        + "target no longer matches the source's history: that row was changed or removed on the "
                        + "target during the migration, or its copy differs.", "P0002");
            }
        }
        unsent.clear();
    }

    /** How many rows the apply's transaction sees with the values {@code s} finds its row by, said for the error. */
    private String rowsThere(ApplyStatement s) {
        try {
            return "rows on the target with these values now: " + Sql.one(target, s.finder());
        } catch (SQLException e) {
            return "counting the rows with these values on the target failed: " + Sql.firstLine(e.getMessage());
        }
    }

    /** Rolls back an open group (the source sends it again) and gives the connection back as it was. */
    @Override
    public void close() throws SQLException {
        unsent.clear();
        target.rollback();
        target.setAutoCommit(true);
        Sql.one(target, "SELECT pg_replication_origin_session_reset()");
    }
}
