package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.report.Sizes;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What a replication slot keeps of the source's WAL, read while its stream is interrupted: the slot holds every
 * segment from its {@code restart_lsn} on, and a source of 13 or later with {@code max_slot_wal_keep_size} set
 * drops the slot ({@code wal_status = 'lost'}) once it would keep more.
 *
 * @param slot the slot's name
 * @param retainedBytes the WAL written since the slot's {@code restart_lsn}; empty once the slot is lost
 * @param limit {@code max_slot_wal_keep_size} as the source shows it ({@code -1}: no limit); empty before 13
 * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}; empty before 13
 * @param safeBytes what the source may still write before the slot is in danger of being lost; empty without a limit
 */
record SlotRetention(String slot, Optional<Long> retainedBytes, Optional<String> limit, Optional<String> walStatus,
        Optional<Long> safeBytes) {

    /** The slot {@code slot} on the server {@code source} is connected to; empty when there is no such slot. */
    static Optional<SlotRetention> read(Connection source, String slot) throws SQLException {
        boolean limits = source.getMetaData().getDatabaseMajorVersion() >= 13;
        List<String[]> rows = Sql.rows(source, "SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), "
                + "restart_lsn)::bigint, " + (limits ? "pg_catalog.current_setting('max_slot_wal_keep_size'), "
                + "wal_status, safe_wal_size" : "NULL, NULL, NULL") + " FROM pg_catalog.pg_replication_slots "
                + "WHERE slot_name = ?", slot);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        String[] r = rows.get(0);
        return Optional.of(new SlotRetention(slot, Optional.ofNullable(r[0]).map(Long::parseLong),
                Optional.ofNullable(r[1]), Optional.ofNullable(r[2]), Optional.ofNullable(r[3]).map(Long::parseLong)));
    }

    /** Whether the source removed WAL the slot needs: the stream can never be taken up again. */
    boolean lost() {
        return walStatus.filter("lost"::equals).isPresent();
    }

    /**
     * For people: {@code slot pgmigrate_ab12 keeps 48 MB of the source's WAL (max_slot_wal_keep_size = 64MB,
     * wal_status extended: the source drops the slot once 16 MB more is written)}.
     */
    String describe() {
        String kept = "slot " + slot + " keeps " + retainedBytes.map(Sizes::bytes).orElse("none") + " of the "
                + "source's WAL";
        if (limit.isEmpty()) {
            return kept + " (a source before 13 has no max_slot_wal_keep_size: nothing limits it but the source's "
                    + "disk)";
        }
        if (limit.get().equals("-1")) {
            return kept + " (max_slot_wal_keep_size = -1, wal_status " + walStatus.orElse("unknown") + ": nothing "
                    + "limits it but the source's disk)";
        }
        String danger = walStatus.filter("unreserved"::equals).isPresent()
                ? "the source drops the slot at its next checkpoint"
                : safeBytes.map(b -> "the source drops the slot once " + Sizes.bytes(Math.max(0, b))
                        + " more is written").orElse("the source may drop the slot");
        return kept + " (max_slot_wal_keep_size = " + limit.get() + ", wal_status " + walStatus.orElse("unknown")
                + ": " + (lost() ? "the source dropped the WAL the slot needs" : danger) + ")";
    }
}
