package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.ServerDatabases;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.JournalKind;
import dev.pgmigrate.core.internal.run.PointOfNoReturn;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.schema.RoleFilter;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database on the target, from its creation under a working name to its final name: created with the source's
 * encoding, locale and owner, renamed into place once verified (setting aside a database of that name when
 * overwriteDbsInTarget allows), and, at the point of no return, the originals set aside dropped. Every change is
 * journaled before it is made.
 */
public final class TargetDatabase {
    private static final Logger log = LoggerFactory.getLogger(TargetDatabase.class);

    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint target;
    private final boolean resume;

    TargetDatabase(MigrationSpec spec, RecordKeeper keeper, Endpoint target, boolean resume) {
        this.spec = spec;
        this.keeper = keeper;
        this.target = target;
        this.resume = resume;
    }

    /** How the source database was created: what its copy is created with. */
    record Creation(String encoding, String collate, String ctype, int connectionLimit, String owner,
            char localeProvider, String locale) {
        /** Read on the snapshot's connection {@code c}, in the source database {@code database}. */
        static Creation read(Connection c, ServerFacts source, String database) throws SQLException {
            String localeColumns = source.atLeast(170000) ? "d.datlocprovider, d.datlocale"
                    : source.atLeast(150000) ? "d.datlocprovider, d.daticulocale" : "'c', NULL";
            String[] row = Sql.rows(c, "SELECT pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, "
                    + "d.datconnlimit, pg_get_userbyid(d.datdba), " + localeColumns
                    + " FROM pg_database d WHERE d.datname = ?", database).get(0);
            return new Creation(row[0], row[1], row[2], Integer.parseInt(row[3]), row[4],
                    row[5] == null ? 'c' : row[5].charAt(0), row[6]);
        }
    }

    /** Creates {@code db} under its working name (journaled first), owned by the source's owner where it exists. */
    void create(DatabaseRun db, Creation source) throws SQLException {
        ServerFacts targetFacts = target.requireFacts();
        StringBuilder create = new StringBuilder("CREATE DATABASE " + Sql.ident(db.working)
                + " WITH TEMPLATE template0 ENCODING " + Sql.literal(source.encoding()));
        if (source.localeProvider() == 'i' && targetFacts.atLeast(150000)) {
            create.append(" LOCALE_PROVIDER icu ").append(targetFacts.atLeast(170000) ? "LOCALE " : "ICU_LOCALE ")
                    .append(Sql.literal(source.locale()));
        } else if (source.localeProvider() == 'b' && targetFacts.atLeast(170000)) {
            create.append(" LOCALE_PROVIDER builtin BUILTIN_LOCALE ").append(Sql.literal(source.locale()));
        }
        create.append(" LC_COLLATE ").append(Sql.literal(source.collate())).append(" LC_CTYPE ")
                .append(Sql.literal(source.ctype()));
        if (source.connectionLimit() != -1) {
            create.append(" CONNECTION LIMIT ").append(source.connectionLimit());
        }
        keeper.journal(JournalKind.CREATE_DATABASE, db.working, db.name);
        Connection c = target.maintenance();
        Sql.execute(c, create.toString());
        String owner = source.owner();
        if (Sql.one(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", owner) != null) {
            try {
                Sql.execute(c, "ALTER DATABASE " + Sql.ident(db.working) + " OWNER TO " + Sql.ident(owner));
            } catch (SQLException e) {
                keeper.note(MessageCode.DATABASE_OWNER_CHANGED, "Database " + db.name + " is owned by "
                        + targetFacts.currentUser() + " on the target: its source owner " + owner
                        + " could not be made owner (" + e.getMessage() + ").");
            }
        } else {
            keeper.note(MessageCode.DATABASE_OWNER_CHANGED, "Database " + db.name + " is owned by "
                    + targetFacts.currentUser() + " on the target: its source owner " + owner
                    + " does not exist there.");
        }
        log.info("Created database {} on the target (as {}) with encoding {}, collate {}, ctype {}", db.name,
                db.working, source.encoding(), source.collate(), source.ctype());
    }

    /** Reads the target's roles into {@code db}: which owners and grants its schema can keep. */
    void readRoles(DatabaseRun db) throws SQLException {
        db.roles = RoleFilter.read(target.maintenance()); // roles are shared by every database of the server
    }

    /** Notes the owners and grants of {@code db} that the target's roles could not keep. */
    void noteRoleChanges(DatabaseRun db) {
        db.roles.note(keeper, db.name, target.facts().map(ServerFacts::currentUser).orElse("the target admin"));
    }

    /** Drops {@code db}'s working database, as a resume does with one whose schema was not fully restored. */
    void drop(DatabaseRun db) throws SQLException {
        ServerDatabases.drop(target.maintenance(), db.working);
    }

    /**
     * Whether a resumed run finds {@code db} renamed to its final name just before the interruption, so after its
     * properties were applied to the working name, and before its stage said so.
     */
    boolean renamedBeforeInterruption(DatabaseRun db) throws SQLException {
        Connection c = target.maintenance();
        return resume && !ServerDatabases.exists(c, db.working) && ServerDatabases.exists(c, db.name)
                && keeper.journal().stream().anyMatch(j -> j.kind().equals(JournalKind.RENAME_DATABASE.label())
                        && j.name().equals(db.working));
    }

    /**
     * Gives the verified copy its final name. A database of that name that appeared meanwhile is set aside
     * (journaled, renamed back by a rollback) when overwriteDbsInTarget allows, and fails the migration otherwise.
     */
    void finalName(DatabaseRun db) throws SQLException {
        Connection c = target.maintenance();
        if (renamedBeforeInterruption(db)) {
            return;
        }
        if (ServerDatabases.exists(c, db.name)) {
            if (!spec.settings().overwriteDbsInTarget()) {
                throw appeared(db);
            }
            String aside = asideName(spec.name(), db.name);
            keeper.journal(JournalKind.SET_ASIDE_DATABASE, db.name, aside);
            renameEndingSessions(c, db.name, aside);
            keeper.note(MessageCode.DATABASE_SET_ASIDE,
                    "The existing database " + db.name + " was set aside as " + aside + " (overwriteDbsInTarget): "
                    + "it is dropped once the whole migration has succeeded, and renamed back if it fails or is "
                    + "canceled.");
        }
        // The copy's OID, which the rename keeps: a rollback run again drops the final name only while it is still
        // the copy, never the user's database renamed back by the rollback before, nor another migration's.
        keeper.journal(JournalKind.RENAME_DATABASE, db.working, db.name + "\t"
                + Sql.one(c, "SELECT oid FROM pg_database WHERE datname = ?", db.working));
        try {
            renameEndingSessions(c, db.working, db.name);
        } catch (SQLException e) {
            // Another migration renamed its copy to this name between the check above and this rename: 42P04 once
            // it has committed, 23505 on pg_database's unique index while it is still committing.
            if ("42P04".equals(e.getSQLState()) || "23505".equals(e.getSQLState())) {
                throw appeared(db);
            }
            throw e;
        }
    }

    private MigrationException appeared(DatabaseRun db) {
        return new MigrationException(MessageCode.TARGET_CONFLICT, "Database " + db.name + " appeared on the target "
                + "during the migration; the copy is kept as " + db.working + " until rollback. "
                + (spec.settings().overwriteDbsInTarget()
                        ? "Another session created it while the copy was being renamed into place: run again once "
                                + "it has finished."
                        : "Set overwriteDbsInTarget to replace it."));
    }

    /** The name a database has on the target until it is verified and renamed into place. */
    static String workingName(String migration, String database) {
        return "pgmigrate_" + Integer.toHexString((migration + "/" + database).hashCode() & 0x7fffffff) + "_"
                + Long.toHexString(System.nanoTime() & 0xffffffL);
    }

    static String asideName(String migration, String database) {
        return "pgmigrate_aside_" + Integer.toHexString((migration + "/" + database).hashCode() & 0x7fffffff) + "_"
                + Long.toHexString(System.currentTimeMillis() & 0xffffffffL);
    }

    /** Renames a database, ending its sessions first; a session that connects again in between is ended again. */
    private static void renameEndingSessions(Connection c, String from, String to) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            ServerDatabases.terminateSessions(c, from);
            try {
                Sql.execute(c, "ALTER DATABASE " + Sql.ident(from) + " RENAME TO " + Sql.ident(to));
                return;
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState()) || attempt >= 10) { // object_in_use: a session came back
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new MigrationCanceledException("Canceled while renaming " + from, interrupted);
                }
            }
        }
    }

    /**
     * The point of no return, once every database is in place and every completion step is done: journaled, so
     * that nothing is rolled back after it; then the user's databases that were set aside are dropped. A drop
     * that fails leaves the original under its set-aside name and says so: the migration itself has succeeded.
     */
    void commit() throws SQLException {
        keeper.journal(JournalKind.COMMITTED, spec.name(), "");
        PointOfNoReturn.dropOriginals(target.maintenance(), keeper.journal(),
                note -> keeper.note(note.code(), note.text()));
    }
}
