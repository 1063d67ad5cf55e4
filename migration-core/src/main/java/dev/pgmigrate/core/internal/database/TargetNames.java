package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.MaintenanceDatabase;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * The engine's own look, before it creates anything, at the names its copies will take on the target: validation
 * may have been skipped ({@code Migrate}), and a conflict found only at the final rename would come after the whole
 * copy. A database that appears on the target later is still caught there ({@link TargetDatabase#finalName}).
 */
public final class TargetNames {
    private TargetNames() {
    }

    /**
     * Fails with {@link MessageCode#TARGET_CONFLICT}, having changed nothing, when a database the migration creates
     * already exists on the target and overwriteDbsInTarget is off, or when one it would replace is the only
     * database the target's login can connect to besides those replaced, and so holds the engine's own session.
     * Data only fills the target's own databases, and a resume finds its own copies under their names: neither is
     * checked.
     */
    public static void refuseConflicts(MigrationSpec spec, Endpoint target) throws SQLException {
        ServerFacts facts = target.requireFacts();
        String address = target.spec().address();
        Set<String> replaced = MaintenanceDatabase.replacedOnTarget(spec);
        if (replaced.contains(facts.maintenanceDatabase())) {
            String db = facts.maintenanceDatabase();
            throw new MigrationException(MessageCode.TARGET_CONFLICT, "Cannot replace database " + db + " on the "
                    + "target server " + address + " (overwriteDbsInTarget): it is the only database there that "
                    + facts.currentUser() + " can connect to besides those migrated (neither template1 nor another "
                    + "database takes its login), so pgmigrate's own session has to sit in it, and PostgreSQL "
                    + "renames no database a session is in. Nothing was created or copied. Let the login connect to "
                    + "template1 (ALTER "
                    + "DATABASE template1 ALLOW_CONNECTIONS true) or to another database of the target (an empty "
                    + "one will do), or leave " + db + " out of dbsToMigrate.");
        }
        if (spec.settings().overwriteDbsInTarget()) {
            return;
        }
        List<String> present = Sql.rows(target.maintenance(), "SELECT datname FROM pg_database").stream()
                .map(row -> row[0]).filter(spec.databases()::contains).toList();
        if (present.isEmpty()) {
            return;
        }
        String names = String.join(", ", present);
        throw new MigrationException(MessageCode.TARGET_CONFLICT, (present.size() == 1 ? "Database " + names
                + " already exists" : "Databases " + names + " already exist") + " on the target server " + address
                + ", and overwriteDbsInTarget is off; nothing was created or copied. Set overwriteDbsInTarget to "
                + "have the target's database set aside and replaced (dropped once the migration has succeeded), "
                + "drop or rename it on the target, or leave it out of dbsToMigrate.");
    }
}
