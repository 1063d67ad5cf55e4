package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceSelection;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.EngineOptions;
import dev.pgmigrate.core.internal.run.JournalKind;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an online migration makes before a database's copy: each selected table given a replica identity its
 * updates and deletes can be replicated by (only when the user allowed it), then the publication and the slot
 * whose snapshot the copy reads. Everything is journaled before it is made, so a cancel or a failure, in this
 * process or from another, takes it away again.
 */
public final class OnlineStart {
    private static final Logger log = LoggerFactory.getLogger(OnlineStart.class);
    /** The selected database's permanent tables, with what their replica identity is and whether it is usable. */
    private static final String TABLES = "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.oid, "
            + "c.relreplident, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), "
            + "(SELECT quote_ident(ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
            + "WHERE i.indrelid = c.oid AND i.indisreplident AND i.indisvalid) FROM pg_class c JOIN pg_namespace n "
            + "ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND "
            + SourceCatalog.USER_SCHEMAS + " ORDER BY 1";

    private OnlineStart() {
    }

    /**
     * Prepares {@code database} on the source for migration {@code migration} and returns its slot, whose snapshot
     * the copy must import before {@link SourceSlot#releaseSnapshot()}. What a dead process of the same migration
     * left (slot, publication, the target's origin) is dropped first: a new copy starts a new stream.
     */
    public static SourceSlot begin(String migration, String database, ServerConnector source,
            Connection targetMaintenance, MigrationSettings settings, RecordKeeper keeper) throws SQLException {
        String name = SourceSlot.name(migration, database);
        List<String> published = new ArrayList<>();
        try (Connection c = source.open(database)) {
            Sql.execute(c, "SET search_path = pg_catalog");
            SourceSelection selection = SourceSelection.resolve(c, settings.selection());
            List<String[]> unusable = new ArrayList<>();
            for (String[] r : Sql.rows(c, TABLES)) {
                long oid = Long.parseLong(r[1]);
                if (!selection.moves(oid) || selection.rowsLeftOut(oid)) {
                    continue;
                }
                published.add(r[0]);
                boolean usable = r[2].equals("f") || (r[2].equals("d") && r[3].equals("t"))
                        || (r[2].equals("i") && r[4] != null);
                if (!usable) {
                    // An identity index that is gone or invalid cannot be set back: DEFAULT is what remains.
                    unusable.add(new String[] {r[0], r[2].equals("n") ? "NOTHING" : "DEFAULT"});
                }
            }
            SourceSlot.drop(c, name); // a slot of a dead process of this migration: its stream restarts here
            if (!unusable.isEmpty()) {
                giveFullIdentity(c, database, unusable, settings, keeper);
            }
        }
        dropOrigin(targetMaintenance, name);
        keeper.journal(JournalKind.SOURCE_SLOT, name, database);
        SourceSlot slot = SourceSlot.create(source, database, name, published);
        log.info("Database {}: publication and slot {} at {} for {} table(s)", database, name,
                org.postgresql.replication.LogSequenceNumber.valueOf(slot.consistentPoint()).asString(),
                published.size());
        return slot;
    }

    /**
     * The tables {@code selection} takes now that publication {@code publication} lacks, as {@code schema.table}:
     * created (or made logged) on the source after the migration began, so logical replication carries none of their
     * rows.
     */
    static List<String> unpublished(Connection c, String publication, Selection selection) throws SQLException {
        List<String[]> candidates = Sql.rows(c, "SELECT t.* FROM (" + TABLES + ") t(name, oid, replident, pkey, "
                + "identity) WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel r JOIN "
                + "pg_catalog.pg_publication p ON p.oid = r.prpubid WHERE p.pubname = ? AND r.prrelid = t.oid)",
                publication);
        if (candidates.isEmpty()) {
            return List.of();
        }
        SourceSelection resolved = SourceSelection.resolve(c, selection);
        return candidates.stream().filter(r -> resolved.moves(Long.parseLong(r[1]))
                && !resolved.rowsLeftOut(Long.parseLong(r[1]))).map(r -> r[0]).toList();
    }

    /** Drops the target's replication origin {@code name} if a run before this one left it. */
    public static void dropOrigin(Connection targetMaintenance, String name) throws SQLException {
        Sql.rows(targetMaintenance, "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin "
                + "WHERE roname = ?", name);
    }

    private static void giveFullIdentity(Connection c, String database, List<String[]> tables,
            MigrationSettings settings, RecordKeeper keeper) throws SQLException {
        List<String> names = tables.stream().map(t -> t[0]).toList();
        if (!EngineOptions.replicaIdentityFull(settings)) {
            throw new MigrationException(MessageCode.REPLICATION_FAILED, "Database " + database + ": "
                    + names.size() + " table(s) have no primary key and no replica identity, so their updates and "
                    + "deletes cannot be replicated (and would fail on the source once published): "
                    + String.join(", ", names.subList(0, Math.min(20, names.size())))
                    + (names.size() > 20 ? " and " + (names.size() - 20) + " more" : "") + ". Give each a primary "
                    + "key or ALTER TABLE ... REPLICA IDENTITY FULL, or set settings.options.online."
                    + "replicaIdentityFull = true to let pgmigrate do it for the migration and set them back after.");
        }
        StringBuilder was = new StringBuilder();
        tables.forEach(t -> was.append(t[0]).append('\t').append(t[1]).append('\n'));
        keeper.journal(JournalKind.SOURCE_REPLICA_IDENTITY, database, was.toString().strip());
        for (String table : names) {
            ReplicaIdentity.set(c, table, "FULL", EngineOptions.lockTimeoutSeconds(settings));
        }
        keeper.note(MessageCode.REPLICA_IDENTITY_SET, "Database " + database + ": " + names.size() + " table(s) "
                + "without a primary key got REPLICA IDENTITY FULL on the source for the migration, set back at its "
                + "end: " + String.join(", ", names.subList(0, Math.min(20, names.size())))
                + (names.size() > 20 ? " and " + (names.size() - 20) + " more" : "") + ".");
    }
}
