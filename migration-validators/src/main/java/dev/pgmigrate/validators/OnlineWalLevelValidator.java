package dev.pgmigrate.validators;

import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** O2: the source writes logical information into its WAL ({@code wal_level = logical}). */
public final class OnlineWalLevelValidator extends OnlineInstanceValidator {
    public OnlineWalLevelValidator() {
        super("online-wal-level", "Online: the source's wal_level is logical.", Needs.SOURCE);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        List<String[]> rows;
        try (Connection connection = maintenance(context.source())) {
            rows = Sql.list(connection, "SELECT setting, pending_restart::text FROM pg_settings"
                    + " WHERE name = 'wal_level'", rs -> new String[] {rs.getString(1), rs.getString(2)});
        }
        String level = rows.isEmpty() ? "unknown" : rows.get(0)[0];
        if (level.equals("logical")) {
            return List.of(context.succeeded("The source's wal_level is logical."));
        }
        boolean pending = !rows.isEmpty() && "true".equals(rows.get(0)[1]);
        String found = "The source's wal_level is " + level + "; online migration needs logical"
                + (pending ? " (a new value is set and waits for a restart)." : ".");
        return List.of(context.failed(found, "The source's changes are read by logical decoding, which works "
                + "only on WAL that carries logical information; creating the migration's replication slot fails "
                + "otherwise. The setting takes effect at a restart.", remedy(context.source().spec().type(), pending),
                List.of("wal_level=" + level)));
    }

    /** How to turn logical decoding on, on the kind of server the spec names. */
    static String remedy(SourceServerType type, boolean pending) {
        if (pending) {
            return "Restart the source so that the wal_level already set takes effect.";
        }
        return switch (type) {
            case AWS, AWS_RDS, AWS_AURORA -> "Set rds.logical_replication = 1 in the source's DB (cluster) parameter "
                    + "group and reboot it.";
            case POSTGRESQL_FLEXIBLE_SERVER, AZURE_FLEXIBLE_SERVER -> "Set the server parameter wal_level to logical "
                    + "on the Azure server and restart it.";
            case POSTGRESQL_SINGLE_SERVER -> "Set the server parameter azure.replication_support to logical on the "
                    + "Azure server and restart it.";
            case GCP, GCP_CLOUD_SQL -> "Set the Cloud SQL flag cloudsql.logical_decoding to on (the instance "
                    + "restarts).";
            case GCP_ALLOYDB -> "Set the AlloyDB flag alloydb.logical_decoding to on (the instance restarts).";
            default -> type.isManaged() ? "Set the provider's parameter that turns on logical replication (such as "
                    + "rds.logical_replication on AWS or the wal_level server parameter on Azure) and restart the "
                    + "source." : "Run ALTER SYSTEM SET wal_level = logical on the source as a superuser and restart "
                    + "it; on a managed service set the provider's parameter instead (rds.logical_replication on "
                    + "AWS, the wal_level server parameter on Azure).";
        };
    }
}
