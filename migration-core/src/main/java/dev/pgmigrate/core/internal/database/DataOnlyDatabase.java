package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.core.internal.copy.DataOnlyPhase;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.Checkpoint;
import dev.pgmigrate.core.internal.run.RecordKeeper;

/**
 * A database's part of a data-only migration ({@link DataOnlyPhase}): filled under its own name on the target,
 * where it already is, from the snapshot; no pg_dump, nothing created or renamed, and no resume.
 */
final class DataOnlyDatabase {
    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Checkpoint checkpoint;
    private final WorkerSessions sessions;
    private final CancelSignal cancel;
    private final DataOnlyPhase phase;

    private DataOnlyDatabase(MigrationSpec spec, RecordKeeper keeper, Endpoint source, Checkpoint checkpoint,
            WorkerSessions sessions, CancelSignal cancel, DataOnlyPhase phase) {
        this.spec = spec;
        this.keeper = keeper;
        this.source = source;
        this.checkpoint = checkpoint;
        this.sessions = sessions;
        this.cancel = cancel;
        this.phase = phase;
    }

    /** The data-only part of {@code spec}'s migration, or {@code null} when its selection is not data only. */
    static DataOnlyDatabase of(MigrationSpec spec, RecordKeeper keeper, Endpoint source, Checkpoint checkpoint,
            WorkerSessions sessions, CancelSignal cancel, DataOnlyPhase phase) {
        return spec.settings().selection().content() == Selection.Content.DATA_ONLY
                ? new DataOnlyDatabase(spec, keeper, source, checkpoint, sessions, cancel, phase) : null;
    }

    /** A data-only migration is not resumed: a cancel undoes it at once, and it starts again from nothing. */
    static void refuseResume(MigrationSpec spec) {
        throw new MigrationException(MessageCode.RESUME_REFUSED, "Migration " + spec.name() + " is data only, "
                + "which is not resumed: cancel it (its rollback empties the tables it filled and sets the sequences "
                + "back), then start it again.");
    }

    /** Fills {@code db}, whose working name is its name: the target's own database. */
    void fill(DatabaseRun db) throws Exception {
        keeper.databaseStarted(db.name);
        db.working = db.name;
        SourceLocks.openSnapshot(db, source, spec.settings(), cancel, keeper);
        checkpoint.workingName(db.name, db.working);
        db.columnsMatchSource = true; // the phase checks each table's columns before the first row moves
        phase.run(db);
        checkpoint.stage(db.name, Checkpoint.Stage.DATA);
        sessions.closeWorkers(db);
    }
}
