package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.core.StoredMigration.JournalEntry;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.ServerDatabases;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.server.ServerParameters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes a migration's journal on the target, newest change first. Safe to run twice: the copy renamed into place is
 * dropped only while its OID is the one journaled, so a second run leaves the user's database it renamed back.
 *
 * <p>Longer than our usual classes: every journal kind's undo, its description and its by-hand remedy sit side by
 * side, so that a new kind cannot get one without the others.
 */
public final class Rollback {
    private static final Logger log = LoggerFactory.getLogger(Rollback.class);

    private Rollback() {
    }

    /**
     * Whether {@code journal} reached its point of no return ({@link JournalKind#COMMITTED}): the databases are in
     * place, and such a journal is not rolled back.
     */
    public static boolean committed(List<JournalEntry> journal) {
        return journal.stream().anyMatch(e -> e.kind().equals(JournalKind.COMMITTED.label()));
    }

    /**
     * Rolls back a journal that changed nothing on the source: see
     * {@link #undo(ServerConnector, ServerConnector, String, List, String)}.
     */
    public static List<String> undo(ServerConnector target, String maintenanceDatabase, List<JournalEntry> journal) {
        return undo(null, target, maintenanceDatabase, journal, "NAME");
    }

    /**
     * Rolls back; returns what could not be undone (empty when the target, and the source, are as they were).
     * {@code source} undoes what an online migration made there; without it (null) those entries are reported
     * with what to run by hand. A journal past its point of no return ({@link #committed}) is not rolled back:
     * {@link PointOfNoReturn} finishes it. A session the target ends (a restart) is opened again and the entry tried
     * again, waiting up to {@code rollback.waitSeconds}. {@code migration} is the name a later cancel takes.
     */
    public static List<String> undo(ServerConnector source, ServerConnector target, String maintenanceDatabase,
            List<JournalEntry> journal, String migration) {
        List<JournalEntry> reversed = new ArrayList<>(journal);
        Collections.reverse(reversed);
        List<String> problems = new ArrayList<>();
        Thread.interrupted(); // a rollback runs to the end whatever interrupted the work before it
        if (journal.isEmpty()) {
            return problems; // nothing was changed: the target need not even be reachable
        }
        if (committed(journal)) {
            // Callers finish such a migration instead (PointOfNoReturn); this guards the user's databases.
            problems.add("Nothing was rolled back: the migration had passed its point of no return (every database "
                    + "in place and verified). Cancel it to finish it: that drops the originals it set aside: "
                    + journal.stream().filter(e -> e.kind().equals(JournalKind.SET_ASIDE_DATABASE.label()))
                    .map(e -> e.detail() + " (was " + e.name() + ")").toList() + ".");
            return problems;
        }
        int next = 0; // the first entry of reversed not yet tried
        Connection c = null;
        try {
            c = RollbackSession.open(target, maintenanceDatabase);
            java.util.Set<String> notCreated = new java.util.HashSet<>();
            for (; next < reversed.size(); next++) {
                JournalEntry entry = reversed.get(next);
                java.util.Optional<JournalKind> kind = JournalKind.of(entry.kind());
                if (kind.isPresent() && kind.get() == JournalKind.ROLES_NOT_CREATED) {
                    notCreated.addAll(entry.detail().lines().toList());
                    continue;
                }
                if (kind.isPresent() && kind.get() == JournalKind.CREATE_ROLE && notCreated.remove(entry.name())) {
                    continue; // its transaction rolled back: a role of that name now is not this migration's
                }
                if (kind.isPresent() && kind.get().onSource()) {
                    try {
                        SourceUndo.undo(source, kind.get(), entry).ifPresent(problems::add);
                    } catch (SQLException e) {
                        problems.add("Could not undo " + entry.kind() + " of " + entry.name() + ": " + e.getMessage()
                                + " (SQLState " + e.getSQLState() + ")" + byHand(entry));
                    }
                    continue;
                }
                c = undoOnTarget(target, maintenanceDatabase, c, entry, problems);
            }
        } catch (SQLException e) {
            // The target is gone for longer than rollback.waitSeconds, before the first entry or after some. The
            // source's slot keeps WAL from being recycled for as long as it exists: it must not wait for the target.
            List<JournalEntry> left = reversed.subList(next, reversed.size());
            int before = problems.size();
            boolean onSource = undoOnSourceOnly(source, left, problems);
            List<String> leftOnTarget = left.stream().filter(entry -> JournalKind.of(entry.kind())
                    .map(kind -> !kind.onSource() && kind != JournalKind.ROLES_NOT_CREATED).orElse(true))
                    .map(Rollback::describe).toList();
            problems.add(before, "Could not connect to the target to roll back: " + e.getMessage() + " (SQLState "
                    + e.getSQLState() + ")" + RollbackSession.loginHint(e) + ". " + (next == 0
                    ? "Nothing was undone on the target" : "The rollback went through " + next + " of the journal's "
                    + reversed.size() + " changes before the target went away") + (onSource && problems.size() == before
                    ? " (on the source, the replication slot, the publication and the replica identities were: it "
                    + "keeps no WAL for this migration)" : "") + "; left on the target: "
                    + String.join("; ", leftOnTarget) + ". The journal is kept: run 'pgmigrate migration cancel "
                    + "--name " + migration + "' again once the target is reachable, as often as needed, until it says "
                    + "nothing is left.");
        } finally {
            RollbackSession.close(c);
        }
        return problems;
    }

    /**
     * Undoes one entry on the target over {@code c}; returns the session to go on with. A session the target ended
     * (a restart, a broken connection) is opened again, waiting as {@link RollbackSession#open} does, and the entry
     * tried again: every undo looks at what is there first, so running one twice is safe.
     *
     * @throws SQLException when the target cannot be reached again within {@code rollback.waitSeconds}
     */
    private static Connection undoOnTarget(ServerConnector target, String maintenanceDatabase, Connection c,
            JournalEntry entry, List<String> problems) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                undo(target, c, entry).ifPresent(problems::add);
                return c;
            } catch (SQLException e) {
                if (!Sql.sessionLost(e) || attempt == 3) {
                    problems.add("Could not undo " + entry.kind() + " of " + entry.name() + ": " + e.getMessage()
                            + " (SQLState " + e.getSQLState() + ")" + byHand(entry));
                    return c;
                }
                log.warn("The target {} ended the rollback's session ({}, SQLState {}); connecting again to undo "
                        + "{} of {}", target.spec().address(), Sql.firstLine(e.getMessage()), e.getSQLState(),
                        entry.kind(), entry.name());
                RollbackSession.close(c);
                c = RollbackSession.open(target, maintenanceDatabase);
            }
        }
    }

    /** Undoes the journal's source entries, newest first; whether it had any. */
    private static boolean undoOnSourceOnly(ServerConnector source, List<JournalEntry> reversed,
            List<String> problems) {
        boolean any = false;
        for (JournalEntry entry : reversed) {
            java.util.Optional<JournalKind> kind = JournalKind.of(entry.kind());
            if (kind.isPresent() && kind.get().onSource()) {
                any = true;
                try {
                    SourceUndo.undo(source, kind.get(), entry).ifPresent(problems::add);
                } catch (SQLException e) {
                    problems.add("Could not undo " + entry.kind() + " of " + entry.name() + ": " + e.getMessage()
                            + " (SQLState " + e.getSQLState() + ")" + byHand(entry));
                }
            }
        }
        return any;
    }

    /**
     * Undoes, after a successful cutover, only what an online migration made beside its databases: its slots,
     * publications and replica identities on the source and its replication origins on the target. Returns what
     * could not be undone.
     */
    public static List<String> undoOnSource(ServerConnector source, ServerConnector target, String maintenanceDatabase,
            List<JournalEntry> journal) {
        List<String> problems = new ArrayList<>();
        for (JournalEntry entry : journal) {
            java.util.Optional<JournalKind> kind = JournalKind.of(entry.kind());
            if (kind.isEmpty() || !(kind.get().onSource() || kind.get() == JournalKind.TARGET_ORIGIN)) {
                continue;
            }
            try {
                if (kind.get() == JournalKind.TARGET_ORIGIN) {
                    try (Connection c = target.open(maintenanceDatabase)) {
                        SourceUndo.dropOrigin(c, entry.name(), entry.detail());
                    }
                } else {
                    SourceUndo.undo(source, kind.get(), entry).ifPresent(problems::add);
                }
            } catch (SQLException e) {
                problems.add(describe(entry) + ": " + e.getMessage() + byHand(entry));
            }
        }
        return problems;
    }

    /** Undoes one entry; what it cannot undo, and what to do by hand instead. */
    private static java.util.Optional<String> undo(ServerConnector target, Connection c, JournalEntry entry)
            throws SQLException {
        java.util.Optional<JournalKind> kind = JournalKind.of(entry.kind());
        if (kind.isEmpty()) {
            return java.util.Optional.of("Could not undo a journal entry of kind '" + entry.kind() + "' for "
                    + entry.name() + " (" + entry.detail() + "): this version of pgmigrate does not know it. Undo it "
                    + "by hand, or roll back with the version that made it.");
        }
        switch (kind.get()) {
            case CREATE_DATABASE -> ServerDatabases.drop(c, entry.name());
            case RENAME_DATABASE -> {
                // Renamed from the working name to the final one: the final database is ours to drop while it is
                // the copy. A rollback run before may have dropped it and renamed the user's original back.
                String finalName = JournalKind.renamedTo(entry.detail());
                if (!ServerDatabases.exists(c, entry.name()) && ServerDatabases.exists(c, finalName)) {
                    java.util.OptionalLong copy = JournalKind.copyOid(entry.detail());
                    String oid = Sql.one(c, "SELECT oid FROM pg_database WHERE datname = ?", finalName);
                    if (copy.isEmpty() || oid != null && Long.parseLong(oid) == copy.getAsLong()) {
                        ServerDatabases.drop(c, finalName);
                    } else {
                        log.info("Database {} on the target is not the copy this migration renamed into place: kept",
                                finalName);
                    }
                }
            }
            case SET_ASIDE_DATABASE -> {
                // The user's database, renamed aside: its name is free again once the copy above is dropped.
                if (ServerDatabases.exists(c, entry.detail())) {
                    if (ServerDatabases.exists(c, entry.name())) {
                        return java.util.Optional.of("The original database " + entry.name() + " is still set aside "
                                + "as " + entry.detail() + ": a database of its name is on the target again. Drop or "
                                + "rename that one, then ALTER DATABASE " + Sql.ident(entry.detail()) + " RENAME TO "
                                + Sql.ident(entry.name()) + ".");
                    }
                    ServerDatabases.terminateSessions(c, entry.detail());
                    try (Statement s = c.createStatement()) {
                        s.execute("ALTER DATABASE " + Sql.ident(entry.detail()) + " RENAME TO "
                                + Sql.ident(entry.name()));
                    }
                    log.info("Renamed the original database {} back from {}", entry.name(), entry.detail());
                }
            }
            case CREATE_ROLE -> dropRole(c, entry.name());
            case ROLES_NOT_CREATED -> {
                // Read by the loop above: the CREATE_ROLE entries it names are skipped.
            }
            case ALTER_SYSTEM -> ServerParameters.undo(c, entry.name(), entry.detail());
            case COMMITTED -> {
                // Never reached: a committed journal is not rolled back.
            }
            case FILL_TABLES -> DataOnlyRollback.empty(target, c, entry);
            case SET_SEQUENCES -> DataOnlyRollback.setBack(target, c, entry);
            case TARGET_ORIGIN -> SourceUndo.dropOrigin(c, entry.name(), entry.detail());
            case DROPPED_DATABASE -> {
                return java.util.Optional.of("Database " + entry.name() + " was dropped to be overwritten by a "
                        + "version of pgmigrate before 0.2, which did not set it aside: it cannot be brought back. "
                        + "Restore it from a backup.");
            }
            default -> throw new IllegalStateException("journal kind " + kind.get());
        }
        return java.util.Optional.empty();
    }

    /** Whether {@code entry} is a change on the source (an online migration's slot, its replica identities). */
    public static boolean onSource(JournalEntry entry) {
        return JournalKind.of(entry.kind()).map(JournalKind::onSource).orElse(false);
    }

    /** A journal entry as a line for a person: what the migration left on the target. */
    public static String describe(JournalEntry entry) {
        return JournalKind.of(entry.kind()).map(kind -> switch (kind) {
            case CREATE_DATABASE -> "database " + entry.name() + " (created under its working name)";
            case RENAME_DATABASE -> "database " + JournalKind.renamedTo(entry.detail())
                    + " (the copy, under its final name)";
            case SET_ASIDE_DATABASE -> "database " + entry.name() + " of the user, set aside as " + entry.detail();
            case CREATE_ROLE -> "role " + entry.name() + " (created)";
            case ALTER_SYSTEM -> "server parameter " + entry.name() + " (changed with ALTER SYSTEM; was "
                    + (entry.detail().isEmpty() ? "not set" : entry.detail().substring(1)) + ")";
            case FILL_TABLES -> "rows in " + entry.detail().lines().count() + " table(s) of database " + entry.name()
                    + " (data only: " + String.join(", ", entry.detail().lines().limit(5).toList()) + ")";
            case SET_SEQUENCES -> "values of " + entry.detail().lines().count() + " sequence(s) of database "
                    + entry.name() + " (data only)";
            case SOURCE_SLOT -> "replication slot and publication " + entry.name() + " in database "
                    + entry.detail() + " on the source";
            case SOURCE_REPLICA_IDENTITY -> "REPLICA IDENTITY FULL on " + entry.detail().lines().count()
                    + " table(s) of database " + entry.name() + " on the source";
            case TARGET_ORIGIN -> "replication origin " + entry.name() + " on the target";
            default -> entry.kind() + " " + entry.name();
        }).orElse(entry.kind() + " " + entry.name());
    }

    /** What to run by hand when undoing {@code entry} failed. */
    private static String byHand(JournalEntry entry) {
        return JournalKind.of(entry.kind()).map(kind -> switch (kind) {
            case CREATE_DATABASE -> ". By hand: DROP DATABASE " + Sql.ident(entry.name());
            case RENAME_DATABASE -> ". By hand: DROP DATABASE " + Sql.ident(JournalKind.renamedTo(entry.detail()))
                    + " (the copy)";
            case SET_ASIDE_DATABASE -> ". By hand: ALTER DATABASE " + Sql.ident(entry.detail()) + " RENAME TO "
                    + Sql.ident(entry.name()) + " (the original), once the copy of that name is dropped";
            case CREATE_ROLE -> ". By hand: DROP ROLE " + Sql.ident(entry.name());
            case SOURCE_SLOT -> ". By hand, on the source in database " + entry.detail() + ": SELECT "
                    + "pg_drop_replication_slot('" + entry.name() + "'); DROP PUBLICATION IF EXISTS " + entry.name();
            case SOURCE_REPLICA_IDENTITY -> ". By hand, on the source in database " + entry.name() + ": ALTER TABLE "
                    + "... REPLICA IDENTITY as it was for each of " + String.join(", ", entry.detail().lines()
                    .map(l -> l.split("\t")[0]).toList());
            case TARGET_ORIGIN -> ". By hand, on the target: SELECT pg_replication_origin_drop('" + entry.name()
                    + "')";
            case FILL_TABLES -> ". By hand, in database " + entry.name() + ": TRUNCATE ONLY "
                    + String.join(", ", entry.detail().lines().toList());
            case SET_SEQUENCES -> ". By hand, in database " + entry.name() + ": SELECT pg_catalog.setval(...) "
                    + "for each sequence back to the value the journal holds";
            case ALTER_SYSTEM -> ". By hand: ALTER SYSTEM " + (entry.detail().isEmpty() ? "RESET "
                    + entry.name() : "SET " + entry.name() + " TO '" + entry.detail().substring(1) + "'")
                    + "; SELECT pg_reload_conf()";
            default -> "";
        }).orElse("") + "; then cancel again to finish the rollback.";
    }

    private static void dropRole(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP ROLE " + Sql.ident(role));
            log.info("Dropped role {} on the target", role);
        }
    }
}
