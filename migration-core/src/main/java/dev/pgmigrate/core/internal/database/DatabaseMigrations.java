package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.core.internal.copy.DataOnlyPhase;
import dev.pgmigrate.core.internal.copy.DataPhase;
import dev.pgmigrate.core.internal.copy.TableBuilds;
import dev.pgmigrate.core.internal.copy.TableCopy;
import dev.pgmigrate.core.internal.online.OnlineReplication;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.Checkpoint;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.schema.DumpScript;
import dev.pgmigrate.core.internal.schema.PgTools;
import dev.pgmigrate.core.internal.schema.PostDataPlan;
import dev.pgmigrate.core.internal.schema.SchemaRestore;
import dev.pgmigrate.core.internal.verify.DatabaseVerification;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each selected database's migration, fresh or resumed at the stage it reached, then completion and the point of
 * no return. The work itself is in units of its own: the snapshot and its locks ({@link SourceLocks}), pg_dump's
 * sections ({@link SourceDumps}), the target database ({@link TargetDatabase}), restoring the schema
 * ({@link SchemaRestore}), the data phase ({@link DataPhase}: {@link TableCopy}, {@link TableBuilds},
 * {@link dev.pgmigrate.core.internal.copy.SequencesAndLargeObjects}), the verification ({@link DatabaseVerification}),
 * the database's own properties ({@link DatabaseProperties}), a resumed database's stages ({@link ResumedDatabase})
 * and data only's part ({@link DataOnlyDatabase}); several databases run two at a time ({@link DatabasePipeline}).
 * (A little past 300 lines: wiring those units together takes 30 of them.)
 */
public final class DatabaseMigrations implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseMigrations.class);

    private final MigrationSpec spec;
    private final MigrationSettings settings;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final WorkerPool pool;
    private final CancelSignal cancel;
    private final boolean resume;
    private final Checkpoint checkpoint;
    private final TargetDatabase targetDatabase;
    private final WorkerSessions sessions;
    private final SchemaRestore restore;
    private final DatabaseVerification verification;
    private final TableBuilds builds;
    private final SourceDumps dumps;
    private final DataPhase dataPhase;
    private final DataOnlyDatabase dataOnly;
    private final ResumedDatabase resumed;
    /** An online migration's streams and cutover; null when offline. */
    private final OnlineReplication online;
    private final Map<String, DatabaseRun> databases = new LinkedHashMap<>();
    private final DatabasePipeline pipeline = new DatabasePipeline();
    private final SourceStart sourceStart;
    /** The first database, begun on the source while the premigration checks run, until its start is taken up. */
    private volatile SourceStart.Ahead ahead;

    public DatabaseMigrations(MigrationSpec spec, RecordKeeper keeper, Plugins plugins, Endpoint source, Endpoint target,
            WorkerPool pool, CancelSignal cancel, boolean resume) {
        this.spec = spec;
        this.settings = spec.settings();
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.pool = pool;
        this.cancel = cancel;
        this.resume = resume;
        this.checkpoint = new Checkpoint(keeper);
        this.targetDatabase = new TargetDatabase(spec, keeper, target, resume);
        this.sessions = new WorkerSessions(settings, source, target, pool);
        this.restore = new SchemaRestore(keeper, target, pool, cancel, resume, sessions, checkpoint);
        this.verification = new DatabaseVerification(settings, keeper, source, target, pool, cancel);
        this.builds = new TableBuilds(keeper, pool, cancel, sessions, restore, verification,
                !settings.skipAnalyze(), () -> target.facts().map(f -> f.versionNum()).orElse(0));
        this.dumps = new SourceDumps(spec, cancel);
        TableCopy tableCopy = new TableCopy(settings, keeper, plugins, source, cancel, sessions);
        this.dataPhase = new DataPhase(settings, keeper, target, pool, cancel, resume, sessions, restore, tableCopy,
                builds);
        this.resumed = new ResumedDatabase(settings, keeper, source, target, cancel, checkpoint, targetDatabase,
                sessions, dumps, dataPhase, builds, pool);
        this.online = spec.mode() == MigrationMode.ONLINE ? new OnlineReplication(spec, keeper, source, target, cancel)
                : null;
        this.sourceStart = new SourceStart(spec, keeper, source, target, pool, online);
        this.dataOnly = DataOnlyDatabase.of(spec, keeper, source, checkpoint, sessions, cancel,
                new DataOnlyPhase(settings, keeper, target, pool, cancel, sessions, tableCopy));
    }

    /**
     * Begins the first database on the source while the premigration checks run ({@link SourceStart}): a fresh
     * offline migration that copies the schema; nothing is made on the target before the checks pass.
     */
    public void beginAhead() {
        if (resume || online != null || dataOnly != null || spec.databases().isEmpty()) {
            return;
        }
        String first = spec.databases().get(0);
        ahead = sourceStart.ahead(new DatabaseRun(first, TargetDatabase.workingName(spec.name(), first)), cancel);
    }

    public void migrate() throws Exception {
        if (dataOnly != null && resume) {
            DataOnlyDatabase.refuseResume(spec);
        }
        // Looked for (a process per pg_dump found) while the first database's snapshot is taken.
        Future<PgTools.PgDump> pgDumpLookup = sourceStart.pgDump(false);
        boolean pipelined = !resume && online == null && dataOnly == null && spec.databases().size() > 1
                && DatabasePipeline.roomForTwo(source.maintenance(), target.maintenance(), settings.parallelism());
        if (spec.databases().size() > 1) {
            log.info("Databases {}", pipelined ? "two at a time: the next starts once the copies of the one before "
                    + "it are done" : "one after another");
        }
        for (String database : spec.databases()) {
            cancel.check();
            Checkpoint.Stage stage = resume ? checkpoint.stage(database) : Checkpoint.Stage.NONE;
            String working = checkpoint.workingName(database).orElse(TargetDatabase.workingName(spec.name(), database));
            SourceStart.Ahead begun = ahead;
            DatabaseRun db = begun != null && begun.db.name.equals(database) ? begun.db
                    : new DatabaseRun(database, working);
            databases.put(database, db);
            if (pipelined) {
                pipeline.start(db, d -> {
                    migrateDatabase(d);
                    verifyDatabase(d);
                });
            } else {
                migrate(db, stage, pgDumpLookup);
            }
        }
        pipeline.awaitAll();
    }

    /** One database, from the stage it reached: the whole of it when fresh, what remains when resumed. */
    private void migrate(DatabaseRun db, Checkpoint.Stage reached, Future<PgTools.PgDump> pgDumpLookup)
            throws Exception {
        String database = db.name;
        Checkpoint.Stage stage = reached;
        if (online != null && (stage == Checkpoint.Stage.SCHEMA || stage == Checkpoint.Stage.DATA)) {
            // Its copy came from a slot's snapshot, gone with the process: copied again, from a new slot.
            keeper.note(MessageCode.RESUMED, "Resumed: database " + database + " of this online migration was "
                    + "not completely copied; it is copied again from a new replication slot.");
            stage = Checkpoint.Stage.CREATED;
            requeueTables(database);
        }
        switch (stage) {
            case DONE -> log.info("Database {} was completed before the interruption", database);
            case VERIFIED -> {
                if (online != null) {
                    online.follow(database, db.working); // from what the target's origin says it applied
                }
                resumed.completionOnly(db, result(pgDumpLookup));
            }
            case DATA -> {
                resumed.verificationOnly(db, result(pgDumpLookup));
                verifyDatabase(db);
            }
            case SCHEMA -> {
                resumed.dataPhase(db, result(pgDumpLookup));
                verifyDatabase(db);
            }
            case CREATED, NONE -> {
                if (dataOnly != null) {
                    dataOnly.fill(db);
                    verifyDatabase(db);
                    return;
                }
                if (stage == Checkpoint.Stage.CREATED) {
                    // The schema was not fully restored: start this database again from nothing. Small tables copy
                    // while the schema is restored, so the record may hold some as completed: they are in the
                    // database dropped here, and a later resume must not keep them.
                    requeueTables(database);
                    targetDatabase.drop(db);
                    db.working = TargetDatabase.workingName(spec.name(), database);
                }
                migrateDatabase(db);
                verifyDatabase(db);
            }
        }
    }

    /** Marks every table the record holds for {@code database} as still to copy. */
    private void requeueTables(String database) {
        for (TableProgress t : keeper.record().database(database).map(d -> d.tables()).orElse(List.of())) {
            keeper.tableChanged(database, t.qualifiedName(), TableProgress::requeued, null);
        }
    }

    private void migrateDatabase(DatabaseRun db) throws Exception {
        keeper.databaseStarted(db.name);
        long started = System.nanoTime();
        SourceStart.Ahead begun = ahead;
        SourceStart.Started onSource;
        if (begun != null && begun.db == db) {
            onSource = begun.await();
            ahead = null; // the database's own now: closed with the others
        } else {
            // Meanwhile a worker reads the source's catalog on the snapshot's connection.
            onSource = sourceStart.begin(db, cancel, true);
        }
        keeper.activity(db.name, Optional.of("copying the schema"));
        checkpoint.workingName(db.name, db.working);
        checkpoint.stage(db.name, Checkpoint.Stage.CREATED);
        TargetDatabase.Creation properties = onSource.properties();
        // pg_dump's sections run while the target database is made; once it exists the workers open their
        // connections, so that the copies can start as soon as the schema is restored.
        Future<DumpScript> preScript = onSource.preScript();
        Future<DumpScript> postScript = onSource.postScript();
        Future<SourceCatalog> catalog = onSource.catalog();
        targetDatabase.create(db, properties);
        cancel.check();
        sessions.openAhead(db);
        // The restore's login and the roles' read overlap pg_dump's run: the session is ready when the script is.
        Connection restoreSession = restore.preDataSession(db);
        DatabaseProperties.Split pre;
        DataPhase.Copies copies;
        try {
            targetDatabase.readRoles(db);
            pre = DatabaseProperties.split(result(preScript), db.name);
            db.properties = pre.properties();
            // The copies are planned before the schema's restore, so that a small table copies as soon as it exists.
            DumpScript post = result(postScript);
            db.catalog = result(catalog);
            db.catalog.retain(db.selection);
            PostDataPlan plan = PostDataPlan.of(post.entries(), db.catalog, !target.requireFacts().superuser());
            db.writtenLate = plan.mayWriteTablesLate();
            db.checksumCopy = online == null && verification.checksumsCopy();
            // The driver speaks UTF-8: the text a copy hashes is what a UTF-8 target stores.
            db.checksumLikeServer = online == null && verification.checksumsLikeServer()
                    && "UTF8".equals(properties.encoding());
            // The copy's database is created with the source's encoding; data only fills the user's own.
            db.copyEncoding = dataOnly == null ? DatabaseRun.copyEncodingFor(properties.encoding()) : null;
            db.columnsMatchSource = true;
            copies = dataPhase.start(db, plan, Set.of());
        } catch (Exception e) {
            try {
                restoreSession.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        try {
            restore.preData(db, restoreSession, pre.schema(), copies::created);
        } catch (Exception e) {
            copies.stop(e);
        }
        // The copies and the small tables' batched post-data go on at once, not a record write later: a copy
        // ending meanwhile would build its table's keys alone.
        copies.schemaRestored();
        try {
            checkpoint.stage(db.name, Checkpoint.Stage.SCHEMA);
        } catch (RuntimeException e) { // the record cannot be written: stop what was just let go before failing
            copies.stop(e);
        }
        log.info("Database {}: schema restored in {} ms", db.name, (System.nanoTime() - started) / 1_000_000);
        copies.finish();
        builds.analyzeRest(db); // what the copy did not analyze, while the worker connections are still open
        targetDatabase.noteRoleChanges(db);
        checkpoint.stage(db.name, Checkpoint.Stage.DATA);
        log.info("Database {}: data, indexes and constraints in {} ms", db.name,
                (System.nanoTime() - started) / 1_000_000);
        sessions.closeWorkers(db);
    }

    /** A pool task's result; its failure rethrown as it was thrown. */
    private static <T> T result(Future<T> task) throws Exception {
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Ends a database's part on the source as soon as its data is in: what ANALYZE and the comparisons still have
     * to do, the tables written meanwhile, and then every connection of the database closed and its snapshot (and
     * the locks it holds) released. A migration of many databases so holds the connections of one at a time, not
     * of all of them until completion.
     */
    private void verifyDatabase(DatabaseRun db) throws Exception {
        builds.analyzeRest(db);
        keeper.activity(db.name, Optional.of("verifying"));
        verification.verifyRest(db);
        if (dataOnly == null) {
            verification.enableRowSecurity(db); // data only leaves the user's tables as they are
        }
        if (online == null) {
            verification.noteSourceWrites(db); // online, the writes are what the stream carries
        } else if (db.catalog != null && !db.catalog.largeObjects.isEmpty()) {
            keeper.note(MessageCode.LARGE_OBJECTS_NOT_REPLICATED, "Database " + db.name + ": its "
                    + db.catalog.largeObjects.size() + " large object(s) were copied from the snapshot; logical "
                    + "replication does not carry their later changes.");
        }
        sessions.closeWorkers(db);
        DatabaseVerification.closeSessions(db);
        SourceLocks.closeSnapshot(db);
        checkpoint.stage(db.name, Checkpoint.Stage.VERIFIED);
        keeper.activity(db.name, Optional.of("copied and verified; it takes its name when every database is"));
        if (online != null) {
            online.follow(db.name, db.working); // its replication figures say so from here
        }
    }

    /** Gives each verified database its own properties and its final name. */
    public void complete() throws Exception {
        for (DatabaseRun db : databases.values()) {
            cancel.check();
            if (checkpoint.stage(db.name) == Checkpoint.Stage.DONE) {
                continue;
            }
            // Data only filled the database under its own name, and leaves its properties.
            if (dataOnly == null && !targetDatabase.renamedBeforeInterruption(db)) {
                keeper.activity(db.name, Optional.of("applying its properties and taking its name"));
                db.properties.apply(target.connector(), target.requireFacts().maintenanceDatabase(), db.working,
                        db.roles, keeper, cancel);
                targetDatabase.finalName(db);
            }
            checkpoint.stage(db.name, Checkpoint.Stage.DONE);
            keeper.databaseFinished(db.name, MigrationStatus.SUCCEEDED, Optional.empty());
        }
    }

    /** An online migration's streams and cutover; empty when the migration is offline. */
    public Optional<OnlineReplication> online() {
        return Optional.ofNullable(online);
    }

    /** The point of no return: see {@link TargetDatabase#commit()}. */
    public void commit() throws SQLException {
        targetDatabase.commit();
    }

    @Override
    public void close() {
        pipeline.close(); // before the sessions close under a database still in flight
        SourceStart.Ahead begun = ahead;
        if (begun != null) { // the checks failed, or the run ended before taking it up
            begun.stop();
            SourceLocks.closeSnapshot(begun.db);
        }
        if (online != null) {
            online.close();
        }
        verification.close();
        for (DatabaseRun db : databases.values()) {
            db.abort.cancel("closed");
            sessions.closeWorkers(db);
            DatabaseVerification.closeSessions(db);
            SourceLocks.closeSnapshot(db);
        }
    }
}
