package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.Sql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.replication.ReplicationSlotInfo;

/**
 * One source database's start of an online migration: a publication for the selected tables and a logical slot
 * whose exported snapshot the copy reads, so that the copy holds exactly what precedes the slot's consistent
 * point and the stream exactly what follows it. The snapshot lives while this object holds the replication
 * connection that made it: {@link #releaseSnapshot()} once every reader has imported it.
 *
 * <p>The slot and the publication are named after the migration and the database ({@link #name}), so a cancel or
 * resume from another process finds what a dead one left and {@link #drop} removes it: no migration, however it
 * ends, leaves a slot filling the source's disk with WAL.
 */
public final class SourceSlot implements AutoCloseable {
    private final Connection replication;
    private final String name;
    private final String snapshot;
    private final long consistentPoint;

    private SourceSlot(Connection replication, String name, String snapshot, long consistentPoint) {
        this.replication = replication;
        this.name = name;
        this.snapshot = snapshot;
        this.consistentPoint = consistentPoint;
    }

    /**
     * The slot's and the publication's name for one migration's database: {@code pgmigrate_} and a hash, lower
     * case and short enough for a slot name (63 bytes), the same in every process.
     */
    public static String name(String migration, String database) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((migration + "\0" + database)
                    .getBytes(StandardCharsets.UTF_8));
            return "pgmigrate_" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Publishes {@code tables} (qualified, quoted) of {@code database} and creates the slot {@code name} on a
     * replication connection, its snapshot exported.
     */
    public static SourceSlot create(ServerConnector source, String database, String name, List<String> tables)
            throws SQLException {
        try (Connection c = source.open(database)) {
            Sql.execute(c, "CREATE PUBLICATION " + Sql.ident(name) + (tables.isEmpty() ? "" : " FOR TABLE "
                    + tables.stream().collect(Collectors.joining(", "))));
        }
        Connection replication = source.openReplication(database);
        try {
            ReplicationSlotInfo slot = replication.unwrap(PGConnection.class).getReplicationAPI()
                    .createReplicationSlot().logical().withSlotName(name).withOutputPlugin("pgoutput").make();
            return new SourceSlot(replication, name, slot.getSnapshotName(), slot.getConsistentPoint().asLong());
        } catch (SQLException | RuntimeException e) {
            replication.close();
            try (Connection c = source.open(database)) {
                drop(c, name);
            }
            throw e;
        }
    }

    /** The slot's and the publication's name. */
    public String name() {
        return name;
    }

    /** The exported snapshot, for {@code SET TRANSACTION SNAPSHOT} and {@code pg_dump --snapshot}. */
    public String snapshot() {
        return snapshot;
    }

    /** The WAL position the snapshot is consistent with: the stream starts after it. */
    public long consistentPoint() {
        return consistentPoint;
    }

    /** Ends the snapshot (the slot stays): readers must have imported it before. */
    public void releaseSnapshot() throws SQLException {
        replication.close();
    }

    @Override
    public void close() throws SQLException {
        releaseSnapshot();
    }

    /**
     * Drops the slot {@code name} (ending the session streaming from it first) and the publication of that name
     * on the database {@code source} is connected to; what does not exist is skipped, so it can run again.
     */
    public static void drop(Connection source, String name) throws SQLException {
        Sql.rows(source, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                + "WHERE slot_name = ? AND active_pid IS NOT NULL", name);
        whileActive(50, () -> Sql.rows(source, "SELECT pg_drop_replication_slot(slot_name) FROM "
                + "pg_replication_slots WHERE slot_name = ?", name));
        Sql.execute(source, "DROP PUBLICATION IF EXISTS " + Sql.ident(name));
    }

    /**
     * How many row changes (inserts, updates, deletes, truncates) the slot {@code name} holds that its consumer has
     * not confirmed, read without consuming them; the slot must be idle, which it becomes a moment after its stream
     * ended.
     */
    public static String changesPending(Connection source, String name) throws SQLException {
        flushWal(source);
        // pgoutput's messages start with their kind: 'I', 'U', 'D' and 'T' change rows.
        return whileActive(101, () -> Sql.one(source, "SELECT count(*) FROM "
                + "pg_catalog.pg_logical_slot_peek_binary_changes(?, NULL, NULL, 'proto_version', '1', "
                + "'publication_names', ?) WHERE get_byte(data, 0) IN (73, 85, 68, 84)", name, name));
    }

    /** A statement on a slot. */
    private interface SlotCall<T> {
        T run() throws SQLException;
    }

    /** Runs {@code call}, up to {@code attempts} times 100 ms apart while the slot is still active (55006). */
    private static <T> T whileActive(int attempts, SlotCall<T> call) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState()) || attempt >= attempts) { // its walsender is ending
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Has the source's WAL flushed up to now: decoding reads flushed WAL only, and a transaction committed with
     * {@code synchronous_commit = off} may not be yet. A logical message committed synchronously flushes all before
     * it; a login that may not write one waits, a few seconds at most, for the WAL writer.
     */
    private static void flushWal(Connection source) throws SQLException {
        Sql.execute(source, "SET synchronous_commit = on");
        try {
            Sql.one(source, "SELECT pg_catalog.pg_logical_emit_message(true, 'pgmigrate', 'cutover check')::text");
            return;
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
        }
        String now = Sql.one(source, "SELECT pg_catalog.pg_current_wal_insert_lsn()::text");
        for (int wait = 0; wait < 50 && "f".equals(Sql.one(source, "SELECT pg_catalog.pg_current_wal_flush_lsn() "
                + ">= ?::pg_lsn", now)); wait++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The slots of pgmigrate on the server {@code source} is connected to, each with the database it is in. */
    public static List<String[]> leftovers(Connection source) throws SQLException {
        return Sql.rows(source, "SELECT slot_name, database FROM pg_replication_slots "
                + "WHERE slot_name LIKE 'pgmigrate\\_%' ORDER BY 1");
    }
}
