package dev.pgmigrate.core.internal;

import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.core.internal.DumpScript.Entry;
import dev.pgmigrate.core.internal.SourceCatalog.Table;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies each selected database: creates it on the target, restores the pre-data schema from the snapshot,
 * copies table data in parallel with the chosen movers, builds each table's indexes and keys as soon as its
 * data is in, then the rest of the post-data, sequences and large objects; at completion it analyzes,
 * verifies, applies database settings and gives the database its final name.
 */
final class DataMigration implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataMigration.class);
    /** Copies still waiting that a table's builds do not overtake: about a tenth of a second of one worker. */
    private static final long COPIES_AHEAD_OF_BUILDS_BYTES = 16L * 1024 * 1024;
    private final MigrationSpec spec;
    private final MigrationSettings settings;
    private final RecordKeeper keeper;
    private final Plugins plugins;
    private final Endpoint source;
    private final Endpoint target;
    private final WorkerPool pool;
    /** The target side of each comparison while the copy goes on; shut down with this. */
    private final java.util.concurrent.ExecutorService targetSide = Verifier.targetSideThreads();
    private final CancelSignal cancel;
    private final Map<String, DatabaseRun> databases = new LinkedHashMap<>();

    DataMigration(MigrationSpec spec, RecordKeeper keeper, Plugins plugins, Endpoint source, Endpoint target,
            WorkerPool pool, CancelSignal cancel, boolean resume) {
        this.spec = spec;
        this.settings = spec.settings();
        this.keeper = keeper;
        this.plugins = plugins;
        this.source = source;
        this.target = target;
        this.pool = pool;
        this.cancel = cancel;
        this.resume = resume;
        this.targetDatabase = new TargetDatabase(spec, keeper, target, resume);
        this.sessions = new WorkerSessions(settings, source, target, pool);
        this.restore = new SchemaRestore(keeper, target, pool, cancel, resume, sessions);
        this.tableCopy = new TableCopy(settings, keeper, plugins, source, cancel, sessions);
    }

    private final boolean resume;
    private final TargetDatabase targetDatabase;
    private final WorkerSessions sessions;
    private final SchemaRestore restore;
    private final TableCopy tableCopy;

    static String workingName(String migration, String database) {
        return "pgmigrate_" + Integer.toHexString((migration + "/" + database).hashCode() & 0x7fffffff) + "_"
                + Long.toHexString(System.nanoTime() & 0xffffffL);
    }

    void migrate() throws Exception {
        ServerFacts sourceFacts = source.requireFacts();
        // Looked for (a process per pg_dump found) while the first database's snapshot is taken.
        java.util.concurrent.Future<PgTools.PgDump> pgDumpLookup = pool.submit(() -> {
            PgTools.PgDump found = PgTools.pgDumpFor(sourceFacts, settings);
            log.info("Using {} ({})", found.path(), found.version());
            return found;
        }, WorkerPool.PRIORITY_POST_DATA + 2);
        for (String database : spec.databases()) {
            cancel.check();
            String stage = resume ? keeper.state(stageKey(database)).orElse("") : "";
            String working = keeper.state(workingKey(database)).orElse(workingName(spec.name(), database));
            DatabaseRun db = new DatabaseRun(database, working);
            databases.put(database, db);
            switch (stage) {
                case "done" -> log.info("Database {} was completed before the interruption", database);
                case "verified" -> {
                    // Copied and verified: only its properties and its final name remain, and need no snapshot.
                    readTargetRoles(db);
                    db.properties = dumpProperties(db, result(pgDumpLookup));
                    keeper.note("Resumed: database " + database + " was copied and verified; only completion "
                            + "remains.");
                }
                case "data" -> {
                    openSnapshot(db);
                    readTargetRoles(db);
                    db.properties = dumpProperties(db, result(pgDumpLookup));
                    db.catalog = SourceCatalog.read(db.snapshotConnection);
                    keeper.note("Resumed: database " + database + " had all its data, indexes and constraints; "
                            + "only its verification and completion remain.");
                    verifyDatabase(db);
                }
                case "schema" -> {
                    resumeDatabase(db, result(pgDumpLookup));
                    verifyDatabase(db);
                }
                default -> {
                    if (!stage.isEmpty()) {
                        // The schema was not fully restored: start this database again from nothing.
                        targetDatabase.drop(db);
                        db.working = workingName(spec.name(), database);
                    }
                    migrateDatabase(db, pgDumpLookup);
                    verifyDatabase(db);
                }
            }
        }
    }

    private static String stageKey(String database) {
        return "db." + database + ".stage";
    }

    private static String workingKey(String database) {
        return "db." + database + ".working";
    }

    static String restKey(String database) {
        return "db." + database + ".rest";
    }

    private void migrateDatabase(DatabaseRun db, java.util.concurrent.Future<PgTools.PgDump> pgDumpLookup) throws Exception {
        keeper.databaseStarted(db.name);
        long started = System.nanoTime();
        openSnapshot(db);
        PgTools.PgDump pgDump = result(pgDumpLookup);
        keeper.putState(workingKey(db.name), db.working);
        keeper.putState(stageKey(db.name), "created");
        TargetDatabase.Creation properties = TargetDatabase.Creation.read(db.snapshotConnection,
                source.requireFacts(), db.name);
        // Both sections come from the same snapshot. They are dumped and parsed at once on threads of their own,
        // which wait on pg_dump rather than use a core, while the target database is made; meanwhile a worker reads
        // the source's catalog on the snapshot's connection, and once the database exists the workers open their
        // connections, so that the copies can start as soon as the schema is restored.
        java.util.concurrent.Future<DumpScript> preScript = dumpAside(db, pgDump, "pre-data", preDataOptions());
        java.util.concurrent.Future<DumpScript> postScript = dumpAside(db, pgDump, "post-data", List.of(lockWait()));
        db.postScript = postScript;
        java.util.concurrent.Future<SourceCatalog> catalog = pool.submit(() -> SourceCatalog.read(
                db.snapshotConnection), WorkerPool.PRIORITY_POST_DATA + 3);
        targetDatabase.create(db, properties);
        cancel.check();
        sessions.openAhead(db);
        DatabaseProperties.Split pre = DatabaseProperties.split(result(preScript), db.name);
        db.properties = pre.properties();
        readTargetRoles(db);
        restore.preData(db, pre.schema());
        keeper.putState(stageKey(db.name), "schema");
        log.info("Database {}: schema restored in {} ms", db.name, (System.nanoTime() - started) / 1_000_000);
        // The post-data dump is needed only now, for the plan: the schema's restore did not wait for it.
        DumpScript post = result(postScript);

        db.catalog = result(catalog);
        PostDataPlan plan = PostDataPlan.of(post.entries(), db.catalog, !target.requireFacts().superuser());
        db.writtenLate = plan.mayWriteTablesLate();
        copyDataAndBuild(db, plan, Set.of());
        analyze(db); // what the copy did not analyze, while the worker connections are still open
        noteRoleChanges(db);
        keeper.putState(stageKey(db.name), "data");
        log.info("Database {}: data, indexes and constraints in {} ms", db.name,
                (System.nanoTime() - started) / 1_000_000);
        sessions.closeWorkers(db);
    }

    /** The pre-data section also holds the database's own properties: its comment, settings and privileges. */
    private List<String> preDataOptions() {
        List<String> options = new ArrayList<>(List.of("--create", lockWait()));
        if (EngineOptions.noToastCompression(settings)) {
            options.add("--no-toast-compression");
        }
        return options;
    }

    /** pg_dump's locks wait no longer than the copy's: a queued TRUNCATE would otherwise hold it forever. */
    private String lockWait() {
        return "--lock-wait-timeout=" + EngineOptions.lockTimeoutSeconds(settings) + "s";
    }

    /** Dumps one section from the database's snapshot and parses it, on a thread of its own. */
    private java.util.concurrent.Future<DumpScript> dumpAside(DatabaseRun db, PgTools.PgDump pgDump, String section,
            List<String> options) {
        java.util.concurrent.FutureTask<DumpScript> task = new java.util.concurrent.FutureTask<>(() -> DumpScript.parse(
                PgTools.dump(pgDump, spec.source(), settings, db.name, db.snapshot, section, options, cancel)));
        Thread thread = new Thread(task, "pgmigrate-pg_dump-" + section);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** A pool task's result; its failure rethrown as it was thrown. */
    private static <T> T result(java.util.concurrent.Future<T> task) throws Exception {
        try {
            return task.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Continues a database whose schema was restored before the interruption: tables committed then are kept,
     * the rest are emptied and copied again, and what post-data already exists on the target is not rebuilt.
     * The snapshot is new; the engine checked before resuming that the kept tables still have their row counts.
     */
    private void resumeDatabase(DatabaseRun db, PgTools.PgDump pgDump) throws Exception {
        keeper.databaseStarted(db.name);
        // The dead process's sessions may still be building an index or copying: end them before reading what
        // the target has, or their work lands after that and collides with ours.
        Rollback.terminateSessionsAndWait(target.maintenance(), db.working);
        openSnapshot(db);
        DumpScript post = DumpScript.parse(PgTools.dump(pgDump, spec.source(), settings, db.name, db.snapshot,
                "post-data", List.of(lockWait()), cancel));
        db.postScript = java.util.concurrent.CompletableFuture.completedFuture(post);
        readTargetRoles(db);
        db.properties = dumpProperties(db, pgDump);
        db.catalog = SourceCatalog.read(db.snapshotConnection);
        Set<String> kept = new HashSet<>();
        long keptRows = 0;
        for (TableProgress t : keeper.record().database(db.name).map(d -> d.tables()).orElse(List.of())) {
            if (t.state() == TableState.COMPLETED) {
                kept.add(t.qualifiedName());
                keptRows += t.rows();
            } else {
                keeper.tableChanged(db.name, t.qualifiedName(), x -> new TableProgress(x.schema(), x.table(),
                        TableState.QUEUED, 0, 0, x.estimatedBytes(), x.parts(), 0, Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty()), null);
            }
        }
        try (Connection c = target.connector().open(db.working)) {
            // Only the user's: the counts go into a note.
            String user = " AND " + SourceCatalog.USER_SCHEMAS;
            db.existingIndexes = set(Sql.rows(c, "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN "
                    + "pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('i', 'I')" + user));
            db.existingConstraints = set(Sql.rows(c, "SELECT n.nspname || '.' || c.relname || '.' || con.conname "
                    + "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = "
                    + "c.relnamespace WHERE true" + user));
            db.existingTriggers = set(Sql.rows(c, "SELECT n.nspname || '.' || c.relname || '.' || t.tgname FROM "
                    + "pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = "
                    + "c.relnamespace WHERE NOT t.tgisinternal"));
            if (!db.catalog.statisticsOwners.isEmpty()) {
                db.existingStatistics = set(Sql.rows(c, "SELECT n.nspname || '.' || x.stxname FROM pg_statistic_ext x "
                        + "JOIN pg_namespace n ON n.oid = x.stxnamespace"));
            }
        }
        db.restDone = keeper.state(restKey(db.name)).map(Integer::parseInt).orElse(0);
        keeper.note("Resumed database " + db.name + ": kept " + kept.size() + " table(s) with " + keptRows
                + " rows copied before the interruption; " + db.existingIndexes.size() + " index(es) and "
                + db.existingConstraints.size() + " constraint(s) already built are not built again.");
        PostDataPlan plan = PostDataPlan.of(post.entries(), db.catalog, !target.requireFacts().superuser());
        db.writtenLate = plan.mayWriteTablesLate();
        copyDataAndBuild(db, plan, kept);
        analyze(db);
        noteRoleChanges(db);
        keeper.putState(stageKey(db.name), "data");
        sessions.closeWorkers(db);
    }

    /** The database's own properties, dumped again from the snapshot of a resumed run. */
    private DatabaseProperties dumpProperties(DatabaseRun db, PgTools.PgDump pgDump) throws Exception {
        return DatabaseProperties.split(DumpScript.parse(PgTools.dump(pgDump, spec.source(), settings, db.name,
                db.snapshot, "pre-data", preDataOptions(), cancel)), db.name).properties();
    }

    private static Set<String> set(List<String[]> rows) {
        Set<String> out = new HashSet<>();
        rows.forEach(r -> out.add(r[0]));
        return out;
    }

    /** Whether a post-data entry already exists on the target of a resumed migration. */
    // ---- snapshot and target database

    /** The snapshot every copy reads, taken once every table is locked against TRUNCATE and DDL. */
    private void openSnapshot(DatabaseRun db) throws SQLException {
        Connection c = source.connector().open(db.name);
        db.snapshotConnection = c;
        Sql.execute(c, "SET search_path = pg_catalog");
        db.locks = SourceLocks.lockAndBegin(c, db.name, settings, cancel, keeper, source.connector());
        db.snapshot = Sql.one(c, "SELECT pg_export_snapshot()");
        log.debug("Database {}: snapshot {}", db.name, db.snapshot);
    }

    private void readTargetRoles(DatabaseRun db) throws SQLException {
        db.roles = RoleFilter.read(target.maintenance()); // roles are shared by every database of the server
    }

    // ---- pre-data

    private void noteRoleChanges(DatabaseRun db) {
        db.roles.note(keeper, db.name, target.facts().map(ServerFacts::currentUser).orElse("the target admin"));
    }

    // ---- data and post-data

    private void copyDataAndBuild(DatabaseRun db, PostDataPlan plan, Set<String> kept) throws Exception {
        List<TableCopy.Part> parts = new ArrayList<>();
        List<TableProgress> queued = new ArrayList<>();
        Map<Long, AtomicInteger> remainingParts = new HashMap<>();
        List<Table> keptTables = new ArrayList<>();
        long bytesToCopy = 0;
        for (Table table : db.catalog.tables.values()) {
            if (table.hasData() && !kept.contains(table.qualifiedName())) {
                bytesToCopy += table.bytes();
            }
        }
        long share = bytesToCopy / settings.parallelism();
        for (Table table : db.catalog.tables.values()) {
            if (!table.hasData()) {
                continue;
            }
            if (kept.contains(table.qualifiedName())) {
                keptTables.add(table);
                continue;
            }
            List<TableCopy.Part> split = tableCopy.split(db, table, share);
            parts.addAll(split);
            remainingParts.put(table.oid(), new AtomicInteger(split.size()));
            queued.add(new TableProgress(table.schema(), table.name(), TableState.QUEUED, 0, 0, table.bytes(),
                    split.size(), 0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        }
        keeper.tablesQueued(db.name, queued);
        if (resume) {
            // A table that was partly copied before the interruption starts again empty.
            try (Connection c = target.connector().open(db.working)) {
                for (TableCopy.Part part : parts) {
                    if (part.part() == 1) {
                        Sql.execute(c, "TRUNCATE ONLY " + Sql.qualified(part.table().schema(), part.table().name()));
                    }
                }
            }
        }
        parts.sort(Comparator.comparingLong(TableCopy.Part::estimatedBytes).reversed());

        TaskTracker tracker = new TaskTracker(pool, cancel, db.abort);
        // Its own stop signal: a failed comparison fails the migration at completion, without stopping the copy.
        db.verifications = new TaskTracker(pool, cancel, new CancelSignal());
        Map<Long, TableCopy.Counters> counters = new ConcurrentHashMap<>();
        AtomicLong bytesNotStarted = new AtomicLong(parts.stream().mapToLong(TableCopy.Part::estimatedBytes).sum());
        long priority = parts.size();
        for (TableCopy.Part part : parts) {
            tracker.submit(() -> {
                bytesNotStarted.addAndGet(-part.estimatedBytes());
                tableCopy.copy(db, part, counters.computeIfAbsent(part.table().oid(), k -> new TableCopy.Counters()));
                if (remainingParts.get(part.table().oid()).decrementAndGet() == 0) {
                    tableCopy.copied(db, part.table(), counters.get(part.table().oid()));
                    buildTableKeys(db, tracker, plan, part.table().oid(), buildPriority(bytesNotStarted.get()));
                }
                return null;
            }, priority--);
        }
        // Partitioned parents, kept tables and tables without data still own table-bound post-data.
        for (Table table : db.catalog.tables.values()) {
            if (!table.hasData() || !remainingParts.containsKey(table.oid())) {
                buildTableKeys(db, tracker, plan, table.oid(), WorkerPool.PRIORITY_POST_DATA);
            }
        }
        tracker.await();

        restore.remainingPostData(db, plan.rest());
        SequencesAndLargeObjects last = new SequencesAndLargeObjects(pool, cancel, keeper, settings.parallelism(),
                sessions::of);
        last.setSequences(db);
        last.copyLargeObjects(db);
    }

    /**
     * The priority of the builds of a table whose data just went in. Ahead of the copies still waiting, so a big
     * table's indexes are built while the rest copies, unless what waits is only a few small tables: those are
     * copied first, in moments, and the copy phase ends when the copying does instead of after the builds.
     */
    private static long buildPriority(long bytesNotStarted) {
        return bytesNotStarted <= COPIES_AHEAD_OF_BUILDS_BYTES ? WorkerPool.PRIORITY_AFTER_COPIES
                : WorkerPool.PRIORITY_POST_DATA;
    }

    /**
     * Queues a table's post-data in stages, each stage's tasks in parallel, all at {@code priority} and all while
     * other tables still copy: its index builds, its key and check constraints, its extended statistics, then its
     * ANALYZE; or, when no index of the table is on an expression (whose statistics ANALYZE gathers only once the
     * index exists), its extended statistics and ANALYZE first. Then the last table's ANALYZE runs on one worker
     * while the others finish what they hold, instead of alone after its builds with the others idle.
     */
    private void buildTableKeys(DatabaseRun db, TaskTracker tracker, PostDataPlan plan, long tableOid, long priority) {
        Table table = db.catalog.tables.get(tableOid);
        boolean hasData = table != null && table.hasData();
        List<Callable<Void>> indexes = new ArrayList<>();
        for (Entry index : plan.indexes().getOrDefault(tableOid, List.of())) {
            indexes.add(() -> {
                restore.entry(db, index);
                return null;
            });
        }
        List<Callable<Void>> constraints = entriesInOrder(db, plan.constraints().getOrDefault(tableOid, List.of()));
        List<Callable<Void>> statistics = entriesInOrder(db, plan.statistics().getOrDefault(tableOid, List.of()));
        List<Callable<Void>> analyze = hasData ? List.of(() -> {
            analyzeTable(db, table);
            return null;
        }) : List.of();
        List<List<Callable<Void>>> stages = hasData && !db.catalog.expressionIndexed.contains(tableOid)
                ? List.of(statistics, analyze, indexes, constraints)
                : List.of(indexes, constraints, statistics, analyze);
        runStages(tracker, stages, 0, priority, hasData ? () -> verifyEarly(db, table) : () -> { });
    }

    /** One task that runs {@code entries} one after another, or none when there are none. */
    private List<Callable<Void>> entriesInOrder(DatabaseRun db, List<Entry> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        return List.of(() -> {
            for (Entry entry : entries) {
                restore.entry(db, entry);
            }
            return null;
        });
    }

    /** Queues the tasks of the first non-empty stage from {@code index}; the last of them queues the next stage. */
    private static void runStages(TaskTracker tracker, List<List<Callable<Void>>> stages, int index, long priority,
            Runnable then) {
        int stage = index;
        while (stage < stages.size() && stages.get(stage).isEmpty()) {
            stage++;
        }
        if (stage == stages.size()) {
            then.run();
            return;
        }
        AtomicInteger remaining = new AtomicInteger(stages.get(stage).size());
        int next = stage + 1;
        for (Callable<Void> task : stages.get(stage)) {
            tracker.submit(() -> {
                task.call();
                if (remaining.decrementAndGet() == 0) {
                    runStages(tracker, stages, next, priority, then);
                }
                return null;
            }, priority);
        }
    }

    /**
     * Queues the comparison of a table whose data, keys and statistics are in, below every copy: it takes a worker
     * only when no copy waits, so it fills the gaps of the copy's tail instead of following it. Only when nothing
     * later in the migration can change a table's rows: triggers and rules come after the data and fire on nothing,
     * event triggers come last, but a materialized view's refresh runs functions that may write any table, so a
     * database with one compares its tables at completion, after the refresh.
     */
    private void verifyEarly(DatabaseRun db, Table table) {
        if (!settings.verify() || db.snapshot == null || !EngineOptions.verifyDuringCopy(settings) || db.writtenLate) {
            return;
        }
        db.verifications.submit(() -> {
            if (db.abort.isCanceled()) {
                return null; // the copy failed; the migration is ending
            }
            long t0 = System.nanoTime();
            if (db.verifyStarted == null) {
                db.verifyStarted = keeper.now();
            }
            Connection[] pair = db.verifyConnections.computeIfAbsent(Thread.currentThread(),
                    k -> Verifier.open(source.connector(), db.name, target.connector(), db.working));
            db.verified.put(table.oid(), Verifier.verifyTable(pair, db.name, db.snapshot, table, hashMode(), cancel,
                    db.abort, targetSide));
            db.verifyNanos.addAndGet(System.nanoTime() - t0);
            return null;
        }, WorkerPool.PRIORITY_VERIFY);
    }

    private Verifier.HashMode hashMode() {
        return Verifier.HashMode.of(Math.min(source.facts().map(ServerFacts::versionNum).orElse(0),
                target.facts().map(ServerFacts::versionNum).orElse(0)));
    }

    private void analyzeTable(DatabaseRun db, Table table) throws SQLException {
        Connection dst = sessions.of(db)[1];
        cancel.register(dst);
        db.abort.register(dst);
        try {
            long started = System.nanoTime();
            Sql.execute(dst, "ANALYZE " + Sql.qualified(table.schema(), table.name()));
            log.debug("Database {}: ANALYZE {} in {} ms", db.name, table.qualifiedName(),
                    (System.nanoTime() - started) / 1_000_000);
            db.analyzed.add(table.oid());
        } finally {
            cancel.unregister(dst);
            db.abort.unregister(dst);
        }
    }

    // ---- completion

    /**
     * Ends a database's part on the source as soon as its data is in: what ANALYZE and the comparisons still have
     * to do, the tables written meanwhile, and then every connection of the database closed and its snapshot (and
     * the locks it holds) released. A migration of many databases so holds the connections of one at a time, not
     * of all of them until completion.
     */
    private void verifyDatabase(DatabaseRun db) throws Exception {
        analyze(db);
        if (settings.verify()) {
            VerificationReport report = verifyRest(db);
            keeper.setVerification(merge(keeper.record().verification(), report));
            if (!report.matches()) {
                throw new MigrationException(Verifier.describeMismatch(db.name, report));
            }
        }
        enableRowSecurity(db);
        noteSourceWrites(db);
        sessions.closeWorkers(db);
        WorkerSessions.closeAll(db.verifyConnections);
        closeSnapshot(db);
        keeper.putState(stageKey(db.name), "verified");
    }

    /**
     * Enables row-level security where the source has it, after the comparison, when the target admin is no
     * superuser (a managed service's): under a policy, it would compare only the rows the policy shows it, and fail
     * a good copy. Such an admin creates no event trigger, so none fires on this. Idempotent, so a resumed
     * migration runs it again; the database is not under its final name yet.
     */
    private void enableRowSecurity(DatabaseRun db) throws SQLException {
        if (db.catalog.rowSecurity.isEmpty() || target.requireFacts().superuser()) {
            return; // a superuser reads past every policy: enabled in pg_dump's order, before the event triggers
        }
        try (Connection dst = target.connector().open(db.working)) {
            cancel.register(dst);
            try {
                for (long oid : db.catalog.rowSecurity) {
                    Table table = db.catalog.tables.get(oid);
                    Sql.execute(dst, "ALTER TABLE ONLY " + Sql.qualified(table.schema(), table.name())
                            + " ENABLE ROW LEVEL SECURITY");
                }
            } finally {
                cancel.unregister(dst);
            }
        }
    }

    /** Gives each verified database its own properties and its final name. */
    void complete() throws Exception {
        for (DatabaseRun db : databases.values()) {
            cancel.check();
            if (keeper.state(stageKey(db.name)).orElse("").equals("done")) {
                continue;
            }
            db.properties.apply(target.connector(), target.requireFacts().maintenanceDatabase(), db.working, db.roles,
                    keeper, cancel);
            targetDatabase.finalName(db);
            keeper.putState(stageKey(db.name), "done");
            keeper.databaseFinished(db.name, MigrationStatus.SUCCEEDED, Optional.empty());
        }
    }

    /**
     * Offline means the source takes no writes: names the tables its statistics saw written since the snapshot
     * was taken. Their writes are not in the copy, which is the source as of the snapshot.
     */
    private void noteSourceWrites(DatabaseRun db) {
        if (db.locks == null) {
            return;
        }
        try (Connection c = source.connector().open(db.name)) {
            List<String> written = db.locks.writtenSince(c);
            if (!written.isEmpty()) {
                keeper.note("Warning: " + written.size() + " table(s) of database " + db.name + " were written on the "
                        + "source during the migration: " + String.join(", ", written) + ". The target is the source "
                        + "as of the migration's snapshot, without those writes. An offline migration needs a source "
                        + "that takes no writes: stop its applications and migrate again, or copy those changes.");
            }
        } catch (SQLException e) {
            log.warn("Could not read the source's write statistics of {}", db.name, e);
        }
    }

    /**
     * Compares what was not compared while the copy went on. The report's time is how long completion waited for
     * verification; the checks made during the copy are logged.
     */
    private VerificationReport verifyRest(DatabaseRun db) throws Exception {
        Instant waitStarted = keeper.now();
        long t0 = System.nanoTime();
        if (db.verifications != null) {
            db.verifications.await();
        }
        Map<Long, TableVerification> early = Map.copyOf(db.verified);
        VerificationReport rest = Verifier.verify(source.connector(), db.name, db.snapshot, target.connector(),
                db.working, db.catalog, pool, cancel, early);
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
        log.info("Database {}: verified {} table(s) while others still copied ({} ms of checks), {} more and the "
                + "object counts in {} ms after", db.name, early.size(), db.verifyNanos.get() / 1_000_000,
                rest.tables().size() - early.size(), waited.toMillis());
        Instant started = db.verifyStarted != null ? db.verifyStarted : waitStarted;
        return new VerificationReport(started, waited, rest.tables(), rest.objects());
    }

    private static VerificationReport merge(Optional<VerificationReport> earlier, VerificationReport now) {
        if (earlier.isEmpty()) {
            return now;
        }
        List<TableVerification> tables = new ArrayList<>(earlier.get().tables());
        tables.addAll(now.tables());
        List<dev.pgmigrate.api.ObjectCount> objects = new ArrayList<>(earlier.get().objects());
        objects.addAll(now.objects());
        return new VerificationReport(earlier.get().startedAt(), earlier.get().elapsed().plus(now.elapsed()), tables,
                objects);
    }

    /** Analyzes what was not analyzed as its data came in: partitioned parents, and tables of a resumed run. */
    private void analyze(DatabaseRun db) throws Exception {
        TaskTracker tracker = new TaskTracker(pool, cancel, db.abort);
        for (Table table : db.catalog.tables.values()) {
            if (!db.analyzed.contains(table.oid())) {
                tracker.submit(() -> {
                    analyzeTable(db, table);
                    return null;
                }, WorkerPool.PRIORITY_DEFAULT);
            }
        }
        tracker.await();
    }

    /**
     * Gives the copy its final name. A database of that name the user has (overwriteDbsInTarget) is renamed aside,
     * never dropped here: it is dropped only once the whole migration has succeeded ({@link #commit}), and a
     * rollback renames it back.
     */
    /** The point of no return: see {@link TargetDatabase#commit()}. */
    void commit() throws SQLException {
        targetDatabase.commit();
    }

    private void closeSnapshot(DatabaseRun db) {
        if (db.snapshotConnection != null) {
            try {
                db.snapshotConnection.rollback();
                db.snapshotConnection.close();
            } catch (SQLException e) {
                log.debug("Closing the snapshot connection of {} failed", db.name, e);
            }
            db.snapshotConnection = null;
        }
    }

    @Override
    public void close() {
        targetSide.shutdownNow();
        for (DatabaseRun db : databases.values()) {
            db.abort.cancel("closed");
            sessions.closeWorkers(db);
            WorkerSessions.closeAll(db.verifyConnections);
            closeSnapshot(db);
        }
    }

    /**
     * Ends a worker's manual-commit block. On a connection the failure broke this throws too, and must not
     * replace the exception that says what broke it.
     */
    static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("Cannot restore autocommit; the connection is likely broken", e);
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            log.debug("Rollback failed; the connection is likely broken", e);
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    static String abbreviate(String sql) {
        String oneLine = sql.replaceAll("\\s+", " ");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }
}
