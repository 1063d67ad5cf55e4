package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.core.StoredMigration.JournalEntry;
import dev.pgmigrate.core.internal.online.ReplicaIdentity;
import dev.pgmigrate.core.internal.online.SourceSlot;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.ServerDatabases;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Undoes what an online migration made outside the target's databases: its slot and publication and the replica
 * identities it set on the source, and its replication origin on the target (a server-wide object that dropping
 * the database leaves behind).
 */
final class SourceUndo {
    private SourceUndo() {
    }

    /** Undoes one source entry; what is gone already is skipped, so it can run again. */
    static Optional<String> undo(ServerConnector source, JournalKind kind, JournalEntry entry) throws SQLException {
        String database = kind == JournalKind.SOURCE_SLOT ? entry.detail() : entry.name();
        if (source == null) {
            return Optional.of("The source was not reachable from here to undo " + Rollback.describe(entry)
                    + ": cancel again with the source's password at hand");
        }
        try (Connection c = source.open(database)) {
            switch (kind) {
                case SOURCE_SLOT -> SourceSlot.drop(c, entry.name());
                case SOURCE_REPLICA_IDENTITY -> {
                    for (String line : entry.detail().lines().toList()) {
                        String[] parts = line.split("\t", 2);
                        if (Sql.one(c, "SELECT to_regclass(?) IS NOT NULL", parts[0]).equals("t")) {
                            ReplicaIdentity.set(c, parts[0], parts[1], EngineOptions.lockTimeoutSeconds(
                                    source.settings()));
                        }
                    }
                }
                default -> throw new IllegalStateException("not a source entry: " + kind);
            }
        } catch (SQLException e) {
            if ("3D000".equals(e.getSQLState())) {
                return Optional.empty(); // the database is gone from the source, and what was made in it with it
            }
            throw e;
        }
        return Optional.empty();
    }

    /** Drops the target's replication origin {@code origin} once the sessions on {@code database} ended. */
    static void dropOrigin(Connection target, String origin, String database) throws SQLException {
        if (Sql.one(target, "SELECT count(*) FROM pg_replication_origin WHERE roname = ?", origin).equals("0")) {
            return;
        }
        ServerDatabases.terminateSessionsAndWait(target, database); // a session still applying holds the origin
        Sql.one(target, "SELECT pg_replication_origin_drop(?)", origin);
    }
}
