package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import dev.pgmigrate.core.internal.schema.DumpScript;
import dev.pgmigrate.core.internal.schema.Grantors;
import dev.pgmigrate.core.internal.schema.RoleFilter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code pg_dump --create} writes about a database itself, beside its schema: its comment and security
 * labels, its settings ({@code ALTER DATABASE ... SET}), connection limit and template flag, its roles' settings
 * in it ({@code ALTER ROLE ... IN DATABASE ... SET}) and its privileges ({@code GRANT}/{@code REVOKE ... ON
 * DATABASE}). Applied at completion, after the copy and its verification, so that none of them (a
 * {@code REVOKE CONNECT}, {@code default_transaction_read_only}) gets in the migration's way; each statement names
 * the working database, which keeps them when it takes its final name.
 *
 * <p>A privilege that cannot be revoked fails the migration: the copy would let in whom the source keeps out.
 * Anything else that cannot be applied (a role the target lacks, a label provider it has not loaded, a setting it
 * does not know) is noted.
 */
public final class DatabaseProperties {
    private final String database;
    private final List<Entry> entries;

    private DatabaseProperties(String database, List<Entry> entries) {
        this.database = database;
        this.entries = List.copyOf(entries);
    }

    /** The database's own entries of a {@code --create} pre-data dump, and the schema without them. */
    record Split(DatabaseProperties properties, DumpScript schema) {
    }

    static Split split(DumpScript preData, String database) {
        List<Entry> own = new ArrayList<>();
        List<Entry> schema = new ArrayList<>();
        for (Entry entry : preData.entries()) {
            if (entry.type().equals("DATABASE")) {
                continue; // CREATE DATABASE: the engine creates the database itself, under a working name
            }
            boolean aboutDatabase = entry.type().equals("DATABASE PROPERTIES") || (entry.schema().equals("-")
                    && entry.tag().startsWith("DATABASE ") && (entry.type().equals("COMMENT")
                    || entry.type().equals("SECURITY LABEL") || entry.type().equals("ACL")));
            (aboutDatabase ? own : schema).add(entry);
        }
        return new Split(new DatabaseProperties(database, own), preData.withEntries(schema));
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Applies every property to {@code working} on its own session of the target's maintenance database. The
     * privileges are granted by their grantors on the source, as the schema's are ({@link Grantors}): the session
     * switches to the owner, or to a holder of the grant option, for their grants.
     */
    void apply(ServerConnector target, String maintenanceDatabase, String working, RoleFilter roles,
            RecordKeeper keeper, CancelSignal cancel) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        List<String> notApplied = new ArrayList<>();
        Set<String> lostGrantors = new TreeSet<>();
        try (Connection c = target.open(maintenanceDatabase)) {
            // Registered, so that a cancel ends a statement waiting for a lock instead of waiting behind it.
            cancel.register(c);
            try {
                cancel.check();
                // The owner on the target, who makes the owner's grants, and the admin, who may act as it.
                String[] who = Sql.rows(c, "SELECT pg_catalog.pg_get_userbyid(datdba), current_user FROM "
                        + "pg_catalog.pg_database WHERE datname = ?", working).get(0);
                for (Entry entry : entries) {
                    List<Grantors.Step> steps = entry.type().equals("ACL")
                            ? roles.grantors().steps(entry, roles.grantors().actingAs(who[0]))
                            : entry.statements().stream().map(st -> new Grantors.Step(st, false, Optional.empty()))
                                    .toList();
                    for (Grantors.Step step : steps) {
                        if (step.isSwitch()) {
                            Sql.execute(c, step.statement());
                            continue;
                        }
                        Optional<String> problem = apply(c, step.statement(), working, roles, cancel);
                        problem.ifPresent(notApplied::add);
                        if (problem.isEmpty()) {
                            step.lostGrantor().ifPresent(lostGrantors::add);
                        }
                    }
                }
                for (String grantor : lostGrantors) {
                    roles.noteGrantorChanged(keeper, database, who[1], grantor, List.of("DATABASE " + database));
                }
            } finally {
                cancel.unregister(c);
            }
        }
        if (!notApplied.isEmpty()) {
            keeper.note(MessageCode.DATABASE_SETTINGS_NOT_APPLIED,
                    "Not applied to database " + database + " on the target (" + notApplied.size() + "): "
                    + String.join("; ", notApplied) + ".");
        }
    }

    /** Applies one statement; what was not applied, and why. */
    private Optional<String> apply(Connection c, String statement, String working, RoleFilter roles,
            CancelSignal cancel) throws SQLException {
        Optional<String> retargeted = retarget(statement, working);
        if (retargeted.isEmpty()) {
            return Optional.empty(); // the session settings pg_dump repeats after \connect
        }
        Optional<String> missing = roles.missingRole(statement);
        if (missing.isPresent()) {
            // Nothing to take away from a role that does not exist.
            return statement.startsWith("REVOKE") ? Optional.empty()
                    : Optional.of(Sql.shown(statement) + " (no role " + missing.get() + " on the target)");
        }
        try {
            Sql.execute(c, retargeted.get());
            return Optional.empty();
        } catch (SQLException e) {
            cancel.check();
            if (statement.startsWith("REVOKE")) {
                throw new MigrationException(MessageCode.OBJECT_NOT_CREATED,
                        "Cannot revoke a privilege on database " + database + " that the "
                        + "source revokes: " + e.getMessage() + " (SQLState " + e.getSQLState() + "). Statement: "
                        + Sql.shown(statement) + ". Without it the copy would admit roles the source keeps out; "
                        + "migrate with a target login that may revoke it (the database's owner, or a superuser).", e);
            }
            return Optional.of(Sql.shown(statement) + " (" + Sql.firstLine(e.getMessage()) + ")");
        }
    }

    /**
     * The statement about the working database instead of the source's name: the first {@code DATABASE "name"} it
     * holds is the database clause (a quoted role name before it doubles its quotes, so it cannot match); empty
     * for a statement about no database.
     */
    Optional<String> retarget(String statement, String working) {
        String clause = "DATABASE " + Sql.ident(database);
        int at = statement.indexOf(clause);
        boolean property = statement.startsWith("ALTER DATABASE ") || statement.startsWith("ALTER ROLE ")
                || statement.startsWith("COMMENT ON DATABASE ") || statement.startsWith("SECURITY LABEL ")
                || statement.startsWith("GRANT ") || statement.startsWith("REVOKE ");
        if (at < 0 || !property) {
            return Optional.empty();
        }
        return Optional.of(statement.substring(0, at) + "DATABASE " + Sql.ident(working)
                + statement.substring(at + clause.length()));
    }
}
