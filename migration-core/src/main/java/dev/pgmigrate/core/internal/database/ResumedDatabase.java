package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.core.internal.copy.DataPhase;
import dev.pgmigrate.core.internal.copy.TableBuilds;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.ServerDatabases;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.Checkpoint;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.BuiltBefore;
import dev.pgmigrate.core.internal.schema.DumpScript;
import dev.pgmigrate.core.internal.schema.PgTools;
import dev.pgmigrate.core.internal.schema.PostDataPlan;
import dev.pgmigrate.core.internal.verify.KeptTables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
    private final WorkerPool pool;

    ResumedDatabase(MigrationSettings settings, RecordKeeper keeper, Endpoint source, Endpoint target,
            CancelSignal cancel, Checkpoint checkpoint, TargetDatabase targetDatabase, WorkerSessions sessions,
            SourceDumps dumps, DataPhase dataPhase, TableBuilds builds, WorkerPool pool) {
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
        this.pool = pool;
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
     * Removes from {@code kept} the tables whose rows differ from the resume's snapshot (compared by count and
     * checksum on both servers): copied from the dead process's snapshot, they would sit beside tables copied from
     * this one. Each is queued to be copied again; returns them, each with its counts. A table that matches is
     * verified already, when the migration verifies and nothing later can write it.
     */
    private List<String> changedSinceInterruption(DatabaseRun db, Set<String> kept) throws Exception {
        List<Table> tables = db.catalog.tables.values().stream()
                .filter(t -> t.copiesRows() && kept.contains(t.qualifiedName())).toList();
        Map<Long, TableVerification> compared = KeptTables.compare(db, tables, source.connector(),
                target.connector(), target.requireFacts().versionNum(), pool, cancel);
        List<String> changed = new ArrayList<>();
        for (Table table : tables) {
            TableVerification v = compared.get(table.oid());
            if (v.matches()) {
                if (settings.verify() && !db.writtenLate) {
                    db.verified.put(table.oid(), v); // the verification need not read it again
                }
                continue;
            }
            kept.remove(table.qualifiedName());
            keeper.tableChanged(db.name, table.qualifiedName(), TableProgress::requeued, null);
            changed.add(table.qualifiedName() + " (" + v.targetRows() + " rows copied before, " + v.sourceRows()
                    + " in the snapshot" + (v.sourceRows() == v.targetRows() ? ", their contents differ)" : ")"));
        }
        return changed;
    }

    /**
     * Continues a database whose schema was restored before the interruption: tables committed then are kept,
     * the rest are emptied and copied again, and what post-data already exists on the target is not rebuilt.
     * The snapshot is new: a kept table whose rows differ in it is copied again ({@link #changedSinceInterruption}).
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
        db.columnsMatchSource = true;
        PostDataPlan plan = PostDataPlan.of(post.entries(), db.catalog, !target.requireFacts().superuser());
        db.writtenLate = plan.mayWriteTablesLate();
        Set<String> kept = new HashSet<>();
        for (TableProgress t : keeper.record().database(db.name).map(d -> d.tables()).orElse(List.of())) {
            if (t.state() == TableState.COMPLETED) {
                kept.add(t.qualifiedName());
            } else {
                keeper.tableChanged(db.name, t.qualifiedName(), TableProgress::requeued, null);
            }
        }
        List<String> changed = changedSinceInterruption(db, kept);
        long keptRows = keeper.record().database(db.name).map(d -> d.tables()).orElse(List.of()).stream()
                .filter(t -> kept.contains(t.qualifiedName())).mapToLong(TableProgress::rows).sum();
        db.builtBefore = BuiltBefore.read(target, db);
        db.restDone = checkpoint.postDataDone(db.name);
        keeper.note(MessageCode.RESUMED,
                "Resumed database " + db.name + ": kept " + kept.size() + " table(s) with " + keptRows
                + " rows copied before the interruption, each the same in the resume's snapshot; "
                + db.builtBefore.indexCount() + " index(es) and " + db.builtBefore.constraintCount()
                + " constraint(s) already built are not built again.");
        if (!changed.isEmpty()) {
            keeper.note(MessageCode.SOURCE_WRITTEN_DURING_COPY, "Warning: " + changed.size() + " table(s) of "
                    + "database " + db.name + " changed on the source between the interruption and the resume, so "
                    + "were copied again from the resume's snapshot, with every other table: " + String.join(", ",
                    changed) + ". An offline migration needs a source that takes no writes: stop its applications.");
        }
        dataPhase.run(db, plan, kept);
        builds.analyzeRest(db);
        targetDatabase.noteRoleChanges(db);
        checkpoint.stage(db.name, Checkpoint.Stage.DATA);
        sessions.closeWorkers(db);
    }
}
