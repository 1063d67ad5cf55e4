package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.core.internal.copy.DataPhase;
import dev.pgmigrate.core.internal.copy.TableBuilds;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.ServerDatabases;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.Checkpoint;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.schema.BuiltBefore;
import dev.pgmigrate.core.internal.schema.DumpScript;
import dev.pgmigrate.core.internal.schema.PgTools;
import dev.pgmigrate.core.internal.schema.PostDataPlan;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A database of a resumed migration, continued from the stage its checkpoint reached: with its schema restored, the
 * data phase for the tables not committed before the interruption; with its data in, only its verification; once
 * verified, only its completion. A database that had not reached its schema starts again from nothing, as a fresh
 * one does ({@link DatabaseMigrations}).
 */
final class ResumedDatabase {
    private final MigrationSettings settings;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final CancelSignal cancel;
    private final Checkpoint checkpoint;
    private final TargetDatabase targetDatabase;
    private final WorkerSessions sessions;
    private final SourceDumps dumps;
    private final DataPhase dataPhase;
    private final TableBuilds builds;

    ResumedDatabase(MigrationSettings settings, RecordKeeper keeper, Endpoint source, Endpoint target,
            CancelSignal cancel, Checkpoint checkpoint, TargetDatabase targetDatabase, WorkerSessions sessions,
            SourceDumps dumps, DataPhase dataPhase, TableBuilds builds) {
        this.settings = settings;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.cancel = cancel;
        this.checkpoint = checkpoint;
        this.targetDatabase = targetDatabase;
        this.sessions = sessions;
        this.dumps = dumps;
        this.dataPhase = dataPhase;
        this.builds = builds;
    }

    /** Copied and verified: only its properties and its final name remain, and need no snapshot. */
    void completionOnly(DatabaseRun db, PgTools.PgDump pgDump) throws Exception {
        targetDatabase.readRoles(db);
        db.properties = dumps.properties(db, pgDump);
        keeper.note(MessageCode.RESUMED, "Resumed: database " + db.name + " was copied and verified; only "
                + "completion remains.");
    }

    /** Its data, indexes and constraints are in: a new snapshot and catalog for the verification that remains. */
    void verificationOnly(DatabaseRun db, PgTools.PgDump pgDump) throws Exception {
        SourceLocks.openSnapshot(db, source, settings, cancel, keeper);
        targetDatabase.readRoles(db);
        db.properties = dumps.properties(db, pgDump);
        db.catalog = SourceCatalog.read(db.snapshotConnection);
        db.catalog.retain(db.selection);
        keeper.note(MessageCode.RESUMED, "Resumed: database " + db.name + " had all its data, indexes and "
                + "constraints; only its verification and completion remain.");
    }

    /**
     * Continues a database whose schema was restored before the interruption: tables committed then are kept,
     * the rest are emptied and copied again, and what post-data already exists on the target is not rebuilt.
     * The snapshot is new; the engine checked before resuming that the kept tables still have their row counts.
     */
    void dataPhase(DatabaseRun db, PgTools.PgDump pgDump) throws Exception {
        keeper.databaseStarted(db.name);
        // The dead process's sessions may still be building an index or copying: end them before reading what
        // the target has, or their work lands after that and collides with ours.
        ServerDatabases.terminateSessionsAndWait(target.maintenance(), db.working);
        SourceLocks.openSnapshot(db, source, settings, cancel, keeper);
        DumpScript post = dumps.postData(db, pgDump);
        db.postScript = CompletableFuture.completedFuture(post);
        targetDatabase.readRoles(db);
        db.properties = dumps.properties(db, pgDump);
        db.catalog = SourceCatalog.read(db.snapshotConnection);
        db.catalog.retain(db.selection);
        db.copyEncoding = DatabaseRun.copyEncodingFor(Sql.one(db.snapshotConnection,
                "SELECT pg_catalog.pg_encoding_to_char(encoding) FROM pg_catalog.pg_database "
                + "WHERE datname = pg_catalog.current_database()"));
        Set<String> kept = new HashSet<>();
        long keptRows = 0;
        for (TableProgress t : keeper.record().database(db.name).map(d -> d.tables()).orElse(List.of())) {
            if (t.state() == TableState.COMPLETED) {
                kept.add(t.qualifiedName());
                keptRows += t.rows();
            } else {
                keeper.tableChanged(db.name, t.qualifiedName(), TableProgress::requeued, null);
            }
        }
        db.builtBefore = BuiltBefore.read(target, db);
        db.restDone = checkpoint.postDataDone(db.name);
        keeper.note(MessageCode.RESUMED,
                "Resumed database " + db.name + ": kept " + kept.size() + " table(s) with " + keptRows
                + " rows copied before the interruption; " + db.builtBefore.indexCount() + " index(es) and "
                + db.builtBefore.constraintCount() + " constraint(s) already built are not built again.");
        PostDataPlan plan = PostDataPlan.of(post.entries(), db.catalog, !target.requireFacts().superuser());
        db.writtenLate = plan.mayWriteTablesLate();
        dataPhase.run(db, plan, kept);
        builds.analyzeRest(db);
        targetDatabase.noteRoleChanges(db);
        checkpoint.stage(db.name, Checkpoint.Stage.DATA);
        sessions.closeWorkers(db);
    }
}
