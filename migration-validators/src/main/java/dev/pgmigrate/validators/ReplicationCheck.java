package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.ServerAccess;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The standbys and replication slots of one server, as report lines. */
final class ReplicationCheck {
    private ReplicationCheck() {
    }

    static List<String> standbysAndSlots(ServerAccess server) throws SQLException {
        List<String> items = new ArrayList<>();
        try (Connection connection = InstanceValidator.maintenance(server)) {
            items.addAll(Sql.strings(connection, "SELECT 'standby ' || coalesce(nullif(application_name, ''), 'pid '"
                    + " || pid::text) || coalesce(' from ' || host(client_addr), '') FROM pg_stat_replication"));
            items.addAll(Sql.strings(connection, "SELECT slot_type || ' slot ' || slot_name || coalesce(' ('"
                    + " || plugin || ')', '') FROM pg_replication_slots ORDER BY slot_name"));
        }
        return items;
    }
}
