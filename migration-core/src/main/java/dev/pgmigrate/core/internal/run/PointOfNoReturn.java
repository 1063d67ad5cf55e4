package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.core.StoredMigration.JournalEntry;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.ServerDatabases;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What follows a migration's point of no return ({@link JournalKind#COMMITTED}): every database is in place and
 * verified, so the originals set aside are dropped and nothing is rolled back. A run that ends early past it (a
 * failure or a cancel then, or its process killed and canceled from another) is finished here instead, and ends
 * Succeeded: its databases are the migrated ones, and a rollback would have nothing of the user's to give back.
 */
public final class PointOfNoReturn {
    private PointOfNoReturn() {
    }

    /**
     * Drops each original of {@code journal} set aside that is still on the target {@code c} is connected to;
     * {@code notes} learns of each as it goes, dropped ({@code ORIGINAL_DROPPED}) or kept with the statement that
     * drops it ({@code ORIGINAL_KEPT}).
     *
     * @throws SQLException when the session is lost ({@link Sql#sessionLost}): what is left can be dropped on another
     */
    public static void dropOriginals(Connection c, List<JournalEntry> journal, Consumer<MigrationMessage> notes)
            throws SQLException {
        for (JournalEntry entry : originals(journal)) {
            dropOriginal(c, entry, notes);
        }
    }

    private static void dropOriginal(Connection c, JournalEntry entry, Consumer<MigrationMessage> notes)
            throws SQLException {
        if (!ServerDatabases.exists(c, entry.detail())) {
            return;
        }
        try {
            ServerDatabases.drop(c, entry.detail());
            notes.accept(new MigrationMessage(MessageCode.ORIGINAL_DROPPED, "Dropped the original database "
                    + entry.name() + " (set aside as " + entry.detail() + ") now that the migration has succeeded."));
        } catch (SQLException e) {
            if (Sql.sessionLost(e)) {
                throw e; // the caller connects again, or says what is left
            }
            notes.accept(kept(entry, true, Sql.firstLine(e.getMessage())));
        }
    }

    private static List<JournalEntry> originals(List<JournalEntry> journal) {
        return journal.stream().filter(e -> e.kind().equals(JournalKind.SET_ASIDE_DATABASE.label())).toList();
    }

    /**
     * Finishes a migration past its point of no return: drops the originals still set aside, waiting for a target
     * that restarts as a rollback does, and what an online migration made on the source. Returns the notes for the
     * record; a target that cannot be reached leaves each original not yet dropped with a note saying how to.
     */
    public static List<MigrationMessage> finish(ServerConnector source, ServerConnector target,
            String maintenanceDatabase, List<JournalEntry> journal) {
        List<MigrationMessage> notes = new ArrayList<>();
        List<JournalEntry> originals = originals(journal);
        int next = 0;
        SQLException failed = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (Connection c = RollbackSession.open(target, maintenanceDatabase)) {
                for (; next < originals.size(); next++) {
                    dropOriginal(c, originals.get(next), notes::add);
                }
                failed = null;
                break;
            } catch (SQLException e) {
                failed = e;
                if (!Sql.sessionLost(e)) {
                    break;
                }
            }
        }
        if (failed != null) {
            String why = "the target could not be reached (" + Sql.firstLine(failed.getMessage()) + ", SQLState "
                    + failed.getSQLState() + ")" + RollbackSession.loginHint(failed);
            originals.subList(next, originals.size()).forEach(e -> notes.add(kept(e, false, why)));
        }
        Rollback.undoOnSource(source, target, maintenanceDatabase, journal).forEach(problem -> notes.add(
                new MigrationMessage(MessageCode.ROLLBACK_INCOMPLETE, "Left after the point of no return: "
                        + problem)));
        return notes;
    }

    /**
     * Ends {@code keeper}'s run, stopped past its point of no return by {@code what} (a cancel, a failure): finishes
     * it ({@link #finish}), notes that {@code what} came too late to roll it back, and ends it Succeeded.
     */
    static void endRun(RecordKeeper keeper, ServerConnector source, ServerConnector target, String maintenanceDatabase,
            String what) {
        finish(source, target, maintenanceDatabase, keeper.journal()).forEach(n -> keeper.note(n.code(), n.text()));
        keeper.note(MessageCode.PAST_POINT_OF_NO_RETURN, "Warning: " + what + " came after the migration's point of "
                + "no return (every database in place and verified): it was completed, not rolled back.");
        keeper.finish(MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED, List.of());
    }

    /** {@code there}: whether the original is known to be there, not only set aside when the target went away. */
    private static MigrationMessage kept(JournalEntry entry, boolean there, String why) {
        return new MigrationMessage(MessageCode.ORIGINAL_KEPT, "The original database " + entry.name() + " "
                + (there ? "is still" : "may still be") + " on the target as " + entry.detail()
                + ": dropping it failed (" + why + "). The migration has succeeded; drop it by hand (DROP DATABASE "
                + "IF EXISTS " + Sql.ident(entry.detail()) + ") once you no longer need it.");
    }
}
