package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.MaintenanceDatabase;
import java.sql.SQLException;
import java.util.Set;

/**
 * The engine's own look, before it creates anything, at the names its copies will take on the target: validation
 * may have been skipped ({@code Migrate}), and a conflict found only at the final rename would come after the whole
 * copy.
 */
public final class TargetNames {
    private TargetNames() {
    }

    /**
     * Fails with {@link MessageCode#TARGET_CONFLICT}, having changed nothing, when a database the migration would
     * replace is the only database the target's login can connect to besides those replaced, and so holds the
     * engine's own session. Data only fills the target's own databases, and a resume finds its own copies under
     * their names: neither is checked.
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
    }
}
