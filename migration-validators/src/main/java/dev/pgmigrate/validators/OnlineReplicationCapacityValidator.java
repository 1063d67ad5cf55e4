package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * O3: the source has a free replication slot and a free WAL sender for each selected database: the migration
 * keeps one logical slot per database, and one replication connection per database streams from it.
 */
public final class OnlineReplicationCapacityValidator extends OnlineInstanceValidator {
    public OnlineReplicationCapacityValidator() {
        super("online-replication-capacity", "Online: the source has a free replication slot and WAL sender per "
                + "database.", Needs.SOURCE);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        record Counts(long maxSlots, long slots, long maxSenders, long senders) { }
        Counts n;
        try (Connection connection = maintenance(context.source())) {
            n = Sql.list(connection, "SELECT current_setting('max_replication_slots')::bigint,"
                    + " (SELECT count(*) FROM pg_replication_slots), current_setting('max_wal_senders')::bigint,"
                    + " (SELECT count(*) FROM pg_stat_replication)",
                    rs -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))).get(0);
        }
        long maxSlots = n.maxSlots();
        long slots = n.slots();
        long maxSenders = n.maxSenders();
        long senders = n.senders();
        int needed = context.spec().databases().size();
        long freeSlots = Math.max(0, maxSlots - slots);
        long freeSenders = Math.max(0, maxSenders - senders);
        String found = "The source has " + freeSlots + " free replication slot" + (freeSlots == 1 ? "" : "s")
                + " (max_replication_slots = " + maxSlots + ", " + slots + " in use) and " + freeSenders
                + " free WAL sender" + (freeSenders == 1 ? "" : "s") + " (max_wal_senders = " + maxSenders + ", "
                + senders + " active); the migration needs " + needed + " of each, one per database.";
        List<String> lacking = new ArrayList<>();
        List<String> remedies = new ArrayList<>();
        if (freeSlots < needed) {
            lacking.add("replication slots: " + freeSlots + " free, " + needed + " needed");
            remedies.add("drop slots no longer used (SELECT pg_drop_replication_slot('name'), see "
                    + "pg_replication_slots) or raise max_replication_slots to at least " + (slots + needed));
        }
        if (freeSenders < needed) {
            lacking.add("WAL senders: " + freeSenders + " free, " + needed + " needed");
            remedies.add("raise max_wal_senders to at least " + (senders + needed) + " or stop replicas or "
                    + "consumers no longer needed");
        }
        if (lacking.isEmpty()) {
            return List.of(context.succeeded(found));
        }
        return List.of(context.failed(found, "Each database of an Online migration keeps a logical replication "
                + "slot on the source from the copy to the cutover and streams from it over a replication "
                + "connection, which takes a WAL sender; without one the migration cannot start.",
                capitalized(Text.and(remedies)) + " (max_replication_slots and max_wal_senders take effect at a "
                + "restart; on a managed service they are server parameters), or migrate fewer databases at once.",
                lacking));
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
