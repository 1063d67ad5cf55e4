package dev.pgmigrate.it;

import static dev.pgmigrate.it.EngineTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the engine orders a database's copies, splits and builds, and compares tables as they come in. */
@PostgresTest
class EngineScheduleTest {
    @Test
    void comparesATableWhileAnotherIsStillBeingBuilt(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("early"));
        source.execute(db, FaultsTest.SLOW_FUNCTION, "CREATE TABLE quick (id int PRIMARY KEY, v text)",
                "INSERT INTO quick SELECT g, md5(g::text) FROM generate_series(1, 1000) g",
                "CREATE TABLE slow_keys (id int)", "INSERT INTO slow_keys SELECT generate_series(1, 300)",
                "CREATE INDEX slow_keys_idx ON slow_keys (slow(id))");
        List<java.time.Instant> completing = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("early", source, target, db).option(MigrationOption.MIGRATE)
                    .build(), event -> {
                        if (event instanceof dev.pgmigrate.api.MigrationEvent.PhaseChanged p
                                && p.substatus() == MigrationSubstatus.COMPLETING_MIGRATION) {
                            completing.add(p.at());
                        }
                    }).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            var verification = done.verification().orElseThrow();
            assertThat(verification.matches()).isTrue();
            assertThat(verification.tables()).extracting(t -> t.table()).containsExactly("quick", "slow_keys");
            // 'quick' was compared while the slow index of 'slow_keys' was still being built.
            assertThat(verification.startedAt()).isBefore(completing.get(0));
        }
    }

    @Test
    void splitsOnlyATableThatWouldOutlastTheOthers(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("balance"));
        // Above the 1 MiB split setting all three; but only 'alone' is larger than a worker's share of the data.
        source.execute(db, "CREATE TABLE alone (id bigint PRIMARY KEY, v text)",
                "INSERT INTO alone SELECT g, md5(g::text) FROM generate_series(1, 100000) g",
                "CREATE TABLE peer1 (id bigint PRIMARY KEY, v text)",
                "INSERT INTO peer1 SELECT g, md5(g::text) FROM generate_series(1, 20000) g",
                "CREATE TABLE peer2 (LIKE peer1 INCLUDING ALL)", "INSERT INTO peer2 SELECT * FROM peer1");
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("balance", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2).splitTablesLargerThanBytes(1024 * 1024)
                            .build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
            var tables = done.database(db).orElseThrow().tables();
            assertThat(tables).filteredOn(t -> t.table().equals("alone")).singleElement()
                    .satisfies(t -> assertThat(t.parts()).isGreaterThan(1));
            assertThat(tables).filteredOn(t -> t.table().startsWith("peer")).hasSize(2)
                    .allSatisfy(t -> assertThat(t.parts()).isEqualTo(1));
        }
        assertThat(target.queryForLong(db, "SELECT count(*) FROM alone")).isEqualTo(100000);
    }

    @Test
    void aTableStartsBesideTheLastRangeOfALargerOneNotBeforeItsFirst(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("longest"));
        // 'big' is split in three ranges of a third each; 'half' is copied whole. Largest part first would start
        // 'half' first; longest remaining first starts it after two of big's ranges, beside the last one.
        source.execute(db, "CREATE TABLE big (id bigint PRIMARY KEY, v text)",
                "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 60000) g",
                "CREATE TABLE half (LIKE big INCLUDING ALL)", "INSERT INTO half SELECT * FROM big WHERE id <= 30000");
        List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        DataMover recording = TestMovers.textMoverAround("start-spy", task -> true,
                (task, context) -> started.add(task.table() + " " + task.part() + "/" + task.parts()),
                (task, context) -> {
                    if (task.table().equals("big") && task.part() == 1) {
                        // the other worker, done first, takes the next copy alone
                        java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
                    }
                });
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(recording)).build()) {
            MigrationRecord done = service.start(spec("longest", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2).splitTablesLargerThanBytes(1024 * 1024)
                            .verify(false).build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        assertThat(started).hasSize(4);
        assertThat(started.subList(0, 2)).containsExactlyInAnyOrder("big 1/3", "big 2/3");
        assertThat(started.subList(2, 4)).containsExactly("half 1/1", "big 3/3");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM big")).isEqualTo(60000);
    }

    @Test
    void aBigintKeySpanningMoreThanALongIsSplitWithoutOverflow(@Pg("11") PostgresServer source,
            @Pg("15") PostgresServer target) throws Exception {
        // Before 14 a table is split on its integer key; these keys span nearly all of bigint (hash-like ids).
        String db = source.createDatabase(TestDatabases.unique("widekeys"));
        source.execute(db, "CREATE TABLE wide_keys (id bigint PRIMARY KEY, v text)",
                "INSERT INTO wide_keys SELECT (-9223372036854775000::numeric + g * 300000000000000::numeric)::bigint, repeat('w', 100) "
                        + "FROM generate_series(1, 60000) g",
                "INSERT INTO wide_keys VALUES (9223372036854775807, 'max'), (-9223372036854775808, 'min')",
                "CREATE TABLE small (id int)", "INSERT INTO small VALUES (1)");
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("wide-keys", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2).splitTablesLargerThanBytes(1024 * 1024)
                            .build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.database(db).orElseThrow().tables()).filteredOn(t -> t.table().equals("wide_keys"))
                    .singleElement().satisfies(t -> {
                        assertThat(t.parts()).isGreaterThan(1);
                        assertThat(t.rows()).isEqualTo(60002);
                    });
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        }
        target.execute("postgres", "DROP DATABASE \"" + db + "\"");
    }

    @Test
    void aTablesBuildsOvertakeABigCopyButWaitForTheLastSmallOnes(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("order"));
        // One worker, largest first: big_a, then big_b (above the 16 MiB that builds do not overtake), then small.
        source.execute(db, "CREATE TABLE big_a (id bigint PRIMARY KEY, v text)",
                "INSERT INTO big_a SELECT g, md5(g::text) FROM generate_series(1, 400000) g",
                "CREATE TABLE big_b (id bigint PRIMARY KEY, v text)",
                "INSERT INTO big_b SELECT g, md5(g::text) FROM generate_series(1, 300000) g",
                "CREATE TABLE small (id int PRIMARY KEY)", "INSERT INTO small SELECT generate_series(1, 100)");
        assertThat(source.queryForLong(db, "SELECT pg_relation_size('big_b')")).isGreaterThan(17L * 1024 * 1024);
        java.util.Map<String, String> indexedWhenCopied = new java.util.concurrent.ConcurrentHashMap<>();
        DataMover spying = TestMovers.textMoverThen("order-spy", task -> true, (task, context) -> {
            try (var statement = context.target().createStatement(); var rs = statement.executeQuery(
                    "SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') FROM pg_index i "
                            + "JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname LIKE 'big%'")) {
                rs.next();
                indexedWhenCopied.put(task.table(), rs.getString(1));
            }
        });
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(spying)).build()) {
            MigrationRecord done = service.start(spec("order", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(1).verify(false).build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        // big_a's key was built before big_b was copied; big_b's waited until the small table was in.
        assertThat(indexedWhenCopied).containsEntry("big_a", "").containsEntry("big_b", "big_a")
                .containsEntry("small", "big_a");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_index WHERE indrelid = 'big_b'::regclass"))
                .isEqualTo(1);
    }

    @Test
    void aKeyLetsTheComparisonReadingItsTableGoFirstInsteadOfHoldingAWorker(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        // The same major on both sides, another server: the copy's checksums apply, and here the target's read-back.
        String db = source.createDatabase(TestDatabases.unique("attach"));
        // keyed_slow takes 2 s to build: the table's comparison starts beside it, on the worker that built the key's
        // index, and holds the table when the key's ADD CONSTRAINT ... USING INDEX comes.
        source.execute(db, "CREATE FUNCTION slower(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS "
                + "$$BEGIN PERFORM pg_catalog.pg_sleep(0.1); RETURN i; END$$",
                "CREATE TABLE keyed (id int PRIMARY KEY, v text)",
                "INSERT INTO keyed SELECT g, md5(g::text) FROM generate_series(1, 20) g",
                "CREATE INDEX keyed_slow ON keyed (slower(id))");
        java.util.concurrent.atomic.AtomicBoolean gaveWay = new java.util.concurrent.atomic.AtomicBoolean();
        DataMover holding = TestMovers.binaryMoverReadingBack("hold-spy", task -> task.table().equals("keyed"),
                (task, connection) -> {
                    connection.setAutoCommit(false);
                    try (var statement = connection.createStatement()) {
                        statement.execute("LOCK TABLE public.keyed IN ACCESS SHARE MODE");
                        gaveWay.set(anAttachGivesWay(statement));
                    } finally {
                        connection.commit();
                        connection.setAutoCommit(true);
                    }
                });
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(holding)).build()) {
            // Read back, where the spy's hook holds the table (a target summing its own rows holds it alike).
            MigrationRecord done = service.start(spec("attach", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2).option("verify.targetHashes", "false")
                            .build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        }
        assertThat(gaveWay).as("the key's ADD CONSTRAINT stopped waiting while the comparison held the table").isTrue();
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_constraint WHERE conname = 'keyed_pkey' "
                + "AND contype = 'p'")).isEqualTo(1);
    }

    @Test
    void aBuildThatStartsWhileTheOtherWorkersWaitGetsThemAsParallelWorkers(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("lonebuild"));
        // Large enough for a parallel build (8 MB); the index's function naps on one row in 10,000, so the build
        // lasts about a second, long enough to be seen, and writes the build's maintenance_work_mem to the log.
        String marker = "memory of " + db + ":";
        source.execute(db, "CREATE FUNCTION nap(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS "
                + "$$BEGIN IF i % 10000 = 0 THEN PERFORM pg_catalog.pg_sleep(0.05); END IF; IF i = 20000 THEN "
                + "RAISE LOG '" + marker + " %', pg_catalog.current_setting('maintenance_work_mem'); END IF; "
                + "RETURN i; END$$",
                "CREATE TABLE lone (id int, v text)",
                "INSERT INTO lone SELECT g, md5(g::text) FROM generate_series(1, 200000) g",
                "CREATE INDEX lone_nap ON lone (nap(id))");
        // The one table's build starts with the second worker idle: it gets that worker's share, of cores and of
        // memory (the setting's 512 MB for each of its two processes).
        long logBefore = java.nio.file.Files.size(target.logFile());
        assertThat(parallelBuildWorkersSeen(source, target, db, MigrationSettings.builder().parallelism(2)
                .verify(false))).isPositive();
        assertThat(logSince(target, logBefore)).contains(marker + " 1GB");
        target.execute("postgres", "DROP DATABASE " + dev.pgmigrate.core.internal.pg.Sql.ident(db));
        // Fixed by the setting, it gets none, and the setting's memory.
        logBefore = java.nio.file.Files.size(target.logFile());
        assertThat(parallelBuildWorkersSeen(source, target, db, MigrationSettings.builder().parallelism(2)
                .verify(false).option("indexes.parallelWorkers", "0"))).isZero();
        assertThat(logSince(target, logBefore)).contains(marker + " 512MB").doesNotContain(marker + " 1GB");
    }

    private static String logSince(PostgresServer server, long offset) throws java.io.IOException {
        byte[] log = java.nio.file.Files.readAllBytes(server.logFile());
        return new String(log, (int) Math.min(offset, log.length), (int) Math.max(0, log.length - offset),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Migrates {@code db} with {@code settings}, counting the parallel workers of index builds seen on the target. */
    private static int parallelBuildWorkersSeen(PostgresServer source, PostgresServer target, String db,
            MigrationSettings.Builder settings) throws Exception {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            try (var connection = target.connect("postgres"); var statement = connection.createStatement()) {
                while (running.get()) {
                    try (var rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity "
                            + "WHERE backend_type = 'parallel worker' AND query ILIKE 'CREATE INDEX%'")) {
                        rs.next();
                        seen.accumulateAndGet(rs.getInt(1), Math::max);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        watcher.start();
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("lonebuild", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(settings.build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        } finally {
            running.set(false);
            watcher.join();
        }
        assertThat(target.queryForLong(db, "SELECT count(*) FROM lone WHERE nap(id) = id")).isEqualTo(200000);
        return seen.get();
    }

    /**
     * Whether, while this session holds a table, a key's {@code ADD CONSTRAINT} comes to wait for it and that attempt
     * then ends with the table still held: at most 20 s, in which a statement that waits on does not end.
     */
    private static boolean anAttachGivesWay(java.sql.Statement statement) throws java.sql.SQLException {
        String first = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            statement.execute("SELECT pg_stat_clear_snapshot()"); // a transaction sees one snapshot otherwise
            String waiting;
            try (var rs = statement.executeQuery("SELECT string_agg(pid || ' ' || query_start, ',') "
                    + "FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    + "AND query LIKE 'ALTER TABLE ONLY %keyed% ADD CONSTRAINT %'")) {
                rs.next();
                waiting = rs.getString(1);
            }
            if (first == null) {
                first = waiting;
            } else if (waiting == null || !waiting.contains(first)) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
        return false;
    }
}
