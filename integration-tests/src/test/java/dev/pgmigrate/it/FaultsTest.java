package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers and networks that fail while a migration runs: each ends in a clear error naming what failed, and a
 * target as it was before the migration. (Past 300 lines by its helpers at the end, which {@link NetworkFaultsTest},
 * {@link DiskFullTest} and other tests share: the service, the spec, the waits for a copy or a query, the check of a
 * failed run's rollback.)
 */
@PostgresTest
class FaultsTest {
    /** About 16 MB of rows: a few seconds through a relay capped at 4 MB/s, long enough to break in the middle. */
    static final String BIG_TABLE = "CREATE TABLE big (id int PRIMARY KEY, a text, b text)";
    static final String BIG_ROWS = "INSERT INTO big SELECT g, md5(g::text), md5((-g)::text) "
            + "FROM generate_series(1, 200000) g";
    static final long THROTTLE = 4L << 20;

    private static String bigDb;

    @BeforeAll
    static void bigDatabase(@Pg("15") PostgresServer source) {
        bigDb = bigDatabase(source, "faults");
    }

    /** A database of {@link #BIG_TABLE}'s rows and a small table, on {@code source}. */
    static String bigDatabase(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, BIG_TABLE, BIG_ROWS, "CREATE TABLE small (id int)", "INSERT INTO small VALUES (1)");
        return db;
    }

    @Test
    void aTerminatedSourceBackendFailsTheCopyAndRollsBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        try (SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = service()) {
            MigrationHandle handle = service.start(spec("terminated-source", relay.serverSpec(), target.serverSpec(),
                    bigDb, b -> { }));
            long pid = awaitCopy(source, "TO STDOUT");
            source.query("postgres", "SELECT pg_terminate_backend(" + pid + ")");
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertFailedAndRolledBack(done, target, before);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.SERVER_UNREACHABLE);
            assertThat(done.errors().get(0).text()).contains("Cannot copy table public.big of database " + bigDb)
                    .contains("could not read COPY data from the source").contains("SQLSTATE 08006")
                    .contains("Database connection failed");
            assertThat(done.database(bigDb).orElseThrow().tables().stream()
                    .filter(t -> t.qualifiedName().equals("public.big")).findFirst().orElseThrow().state())
                    .isEqualTo(TableState.ERRORED);
        }
    }

    @Test
    void aSourceRestartDuringTheCopyFailsAndRollsBack(@Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        try (PostgresServer source = PostgresServer.builder().version("15").start()) {
            String db = source.createDatabase("restarted");
            source.execute(db, BIG_TABLE, BIG_ROWS);
            try (SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = service()) {
                MigrationHandle handle = service.start(spec("restarted-source", relay.serverSpec(),
                        target.serverSpec(), db, b -> { }));
                awaitCopy(source, "TO STDOUT");
                source.restart();
                MigrationRecord done = handle.await(Duration.ofMinutes(2));

                assertFailedAndRolledBack(done, target, before);
                assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.SERVER_UNREACHABLE);
                assertThat(done.errors().get(0).text()).contains("Cannot copy table public.big of database " + db)
                        .contains("from the source");
            }
        }
    }

    @Test
    void aTargetRestartDuringTheCopyFailsAndTheRollbackWaitsForTheTarget(@Pg("15") PostgresServer source)
            throws Exception {
        try (PostgresServer target = PostgresServer.builder().version("17").start();
                SlowProxy relay = new SlowProxy(source, 0, THROTTLE); SlowProxy targetRelay = new SlowProxy(target, 0, 0);
                MigrationService service = service()) {
            List<String> before = PluginJarTest.databases(target);
            // The engine reaches the target through a relay that follows it to the new port of its restart.
            MigrationHandle handle = service.start(spec("restarted-target", relay.serverSpec(),
                    targetRelay.serverSpec(), bigDb, b -> { }));
            awaitCopy(target, "FROM STDIN");
            target.restart();
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertFailedAndRolledBack(done, target, before);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.SERVER_UNREACHABLE);
            assertThat(done.errors().get(0).text()).contains("Cannot copy table public.big of database " + bigDb)
                    .contains("target");
        }
    }

    @Test
    void aRollbackThatCouldNotReachTheTargetIsFinishedByCancelingAgain(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        try (SlowProxy relay = new SlowProxy(source, 0, THROTTLE); SlowProxy targetRelay = new SlowProxy(target, 0, 0);
                MigrationService service = service()) {
            List<String> before = PluginJarTest.databases(target);
            MigrationHandle handle = service.start(spec("unreachable-rollback", relay.serverSpec(),
                    targetRelay.serverSpec(), bigDb, b -> b.option("rollback.waitSeconds", "2")));
            awaitCopy(target, "FROM STDIN");
            targetRelay.cut(); // the target becomes unreachable, for the copy and for its rollback
            MigrationRecord failed = handle.await(Duration.ofMinutes(2));
            assertThat(failed.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(failed.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.ROLLBACK_INCOMPLETE);
            assertThat(failed.errors()).anySatisfy(e -> assertThat(e.text()).startsWith("Rollback incomplete: Could not "
                    + "connect to the target")
                    .contains("cancel --name " + failed.name() + "' again once the target is reachable"));
            assertThat(PluginJarTest.databases(target)).as("the working copy is left").isNotEqualTo(before);

            targetRelay.mend();
            MigrationRecord again = service.cancel("unreachable-rollback");
            assertThat(again.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(again.errors()).noneMatch(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
            assertThat(again.notes()).anySatisfy(n -> assertThat(n.code()).isEqualTo(MessageCode.ROLLED_BACK));
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
            assertThatThrownBy(() -> service.cancel("unreachable-rollback")).hasMessageContaining("already ended");
        }
    }

    @Test
    void anErrorInTheCoordinatorFailsAndRollsBack(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("stackoverflow"));
        source.execute(db, "CREATE TABLE t (id int)", "INSERT INTO t SELECT generate_series(1, 100)");
        List<String> before = PluginJarTest.databases(target);
        // A listener runs on the coordinator's thread: its Error is the coordinator's.
        try (MigrationService service = MigrationService.builder().listener(e -> {
            if (e instanceof dev.pgmigrate.api.MigrationEvent.PhaseChanged p && !p.status().isFinal()
                    && p.substatus() == MigrationSubstatus.COMPLETING_MIGRATION) {
                throw new StackOverflowError("planted");
            }
        }).build()) {
            MigrationRecord done = service.start(spec("coordinator-error", source.serverSpec(), target.serverSpec(),
                    db, b -> { })).await(Duration.ofMinutes(2));
            assertFailedAndRolledBack(done, target, before);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.INTERNAL);
            assertThat(done.errors().get(0).text()).contains("StackOverflowError").contains("planted");
        }
    }

    @Test
    void aTargetRestartDuringAnIndexBuildFailsAndRollsBack(@Pg("15") PostgresServer source) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("slowindex"));
        source.execute(db, SLOW_FUNCTION, "CREATE TABLE s (id int)", "INSERT INTO s SELECT generate_series(1, 1500)",
                "CREATE INDEX s_slow ON s (slow(id))");
        try (PostgresServer target = PostgresServer.builder().version("17").start();
                SlowProxy targetRelay = new SlowProxy(target, 0, 0); MigrationService service = service()) {
            List<String> before = PluginJarTest.databases(target);
            MigrationHandle handle = service.start(spec("restarted-index", source.serverSpec(),
                    targetRelay.serverSpec(), db, b -> { }));
            awaitQuery(target, "CREATE INDEX%");
            target.restart();
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertFailedAndRolledBack(done, target, before);
            // The build failed because the server shut down (57P01): that, not the index, is what to fix.
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.SERVER_UNREACHABLE);
            assertThat(done.errors().get(0).text()).contains("Cannot create INDEX s_slow in database " + db);
        }
    }

    /** An error no step explains still says in which phase, on which server and in which database it came. */
    @Test
    void aStatementThatFailsNamesThePhaseTheServerAndTheDatabase(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("located"));
        source.execute(db, "CREATE TABLE t (id int)", "INSERT INTO t VALUES (1)", "CREATE SEQUENCE seq",
                "SELECT setval('seq', 42)");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = service()) {
            // Another session on the target drops the sequence the migration is about to set.
            MigrationHandle handle = service.start(spec("located", source.serverSpec(), target.serverSpec(), db,
                    b -> { }), event -> {
                        if (event instanceof MigrationEvent.TableFinished) {
                            String working = target.queryForString("postgres", "SELECT datname FROM pg_database "
                                    + "WHERE datname LIKE 'pgmigrate\\_%' ORDER BY oid DESC LIMIT 1");
                            target.execute(working, "DROP SEQUENCE public.seq");
                        }
                    });
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertFailedAndRolledBack(done, target, before);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.STATEMENT_FAILED);
            assertThat(done.errors().get(0).text()).startsWith("A statement failed during MigratingData on the target "
                    + "server " + target.serverSpec().address() + ", database pgmigrate_")
                    .contains("\"public.seq\" does not exist").contains("SQLState 42P01");
        }
        source.dropDatabase(db);
    }

    @Test
    void aPgDumpEndsWithTheProcessThatStartedItAndItsPasswordFileGoesAtOnce(@Pg("15") PostgresServer source,
            @TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        try (java.sql.Connection holder = source.connectAsAdmin(bigDb)) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("LOCK TABLE small IN ACCESS EXCLUSIVE MODE");
            Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                    PgDumpChild.class.getName(), MigrationChild.endpoint(source, dir, "s"), bigDb))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.out").toFile()).start();
            try {
                Instant waiting = Instant.now().plusSeconds(60); // until pg_dump waits for the table held here
                while (source.query("postgres", "SELECT 1 FROM pg_stat_activity WHERE application_name = "
                        + "'pgmigrate-pg_dump' AND wait_event_type = 'Lock'").isEmpty()) {
                    assertThat(child.isAlive() && Instant.now().isBefore(waiting)).as("pg_dump waits; %s",
                            Files.readString(dir.resolve("child.out"))).isTrue();
                    Thread.sleep(20);
                }
                assertThat(dumpDirectories(tmp)).as("pg_dump's work directory, with its password file").hasSize(1);
            } finally {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: nothing of the JVM runs
            }
            Instant deadline = Instant.now().plusSeconds(10);
            while ((!pgDumps(bigDb).isEmpty() || !dumpDirectories(tmp).isEmpty()) && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            List<ProcessHandle> left = pgDumps(bigDb);
            left.forEach(ProcessHandle::destroyForcibly);
            assertThat(left).as("pg_dump outliving the process that ran it").isEmpty();
            assertThat(dumpDirectories(tmp)).as("the password file of a killed process").isEmpty();
        }
        // A backend waiting for a lock notices its client gone only once the lock is free.
        Instant deadline = Instant.now().plusSeconds(10);
        String session = "SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgmigrate-pg_dump'";
        while (!source.query("postgres", session).isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        assertThat(source.query("postgres", session)).as("pg_dump's session").isEmpty();
    }

    private static List<ProcessHandle> pgDumps(String database) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("bin/pg_dump") && c.contains(database)).orElse(false)).toList();
    }

    private static List<Path> dumpDirectories(Path tmp) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().startsWith("pgmigrate-dump-")).toList();
        }
    }

    /** An index whose build takes about 2 ms a row, so a test can catch it running. */
    static final String SLOW_FUNCTION = "CREATE FUNCTION slow(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS "
            + "$$BEGIN PERFORM pg_catalog.pg_sleep(0.002); RETURN i; END$$";

    @Test
    void aRollbackEndsACreateDatabaseThatADeadProcessLeftRunning(@Pg("17") PostgresServer target) throws Exception {
        String name = TestDatabases.unique("orphan");
        String create = "CREATE DATABASE " + dev.pgmigrate.core.internal.pg.Sql.ident(name) + " TEMPLATE template0";
        try (java.sql.Connection blocker = target.connect("postgres");
                java.sql.Connection creator = target.connect("postgres");
                java.sql.Connection rollback = target.connect("postgres")) {
            // The creator stands for the backend of a killed process: its CREATE DATABASE runs on without a client,
            // here held on a lock so that it is still running when the rollback comes.
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("LOCK TABLE pg_catalog.pg_database IN EXCLUSIVE MODE");
            java.util.concurrent.CompletableFuture<Void> creating = java.util.concurrent.CompletableFuture.runAsync(
                    () -> {
                        try (var statement = creator.createStatement()) {
                            statement.execute(create);
                        } catch (java.sql.SQLException e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
            Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
            while (target.query("postgres", "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
                    + "query LIKE 'CREATE DATABASE%'").isEmpty()) {
                assertThat(Instant.now()).as("the CREATE DATABASE waits for the lock").isBefore(deadline);
                Thread.sleep(10);
            }

            dev.pgmigrate.core.internal.pg.ServerDatabases.drop(rollback, name);

            blocker.rollback();
            assertThat(creating).failsWithin(Duration.ofSeconds(30));
        }
        assertThat(target.query("postgres", "SELECT datname FROM pg_database WHERE datname = '" + name + "'"))
                .as("the database the dead process was creating").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    static MigrationService service() {
        return MigrationService.builder().build();
    }

    static MigrationSpec spec(String name, ServerSpec source, ServerSpec target, String db,
            Consumer<MigrationSettings.Builder> settings) {
        MigrationSettings.Builder b = MigrationSettings.builder().parallelism(1);
        settings.accept(b);
        return MigrationSpec.builder().name(name).source(source).target(target).databases(db)
                .option(MigrationOption.MIGRATE).settings(b.build()).build();
    }

    static void assertFailedAndRolledBack(MigrationRecord done, PostgresServer target, List<String> before) {
        assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.FAILED);
        assertThat(done.substatus()).isEqualTo(MigrationSubstatus.FAILED);
        assertThat(done.errors()).as("the rollback completed").noneMatch(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
        assertThat(PluginJarTest.databases(target)).as(done.errors().toString()).isEqualTo(before);
        assertThat(done.toString()).as("the record of a fault holds no password")
                .doesNotContain(target.adminPassword().reveal()).doesNotContain(target.superuserPassword().reveal());
    }

    /** Waits until an engine connection runs a COPY containing {@code direction}; returns its backend pid. */
    static long awaitCopy(PostgresServer server, String direction) throws InterruptedException {
        return awaitQuery(server, "COPY %" + direction + "%");
    }

    static long awaitQuery(PostgresServer server, String like) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline)) {
            List<List<String>> rows = server.query("postgres", "SELECT pid FROM pg_stat_activity WHERE "
                    + "application_name = 'pgmigrate' AND state = 'active' AND query LIKE '" + like + "'");
            if (!rows.isEmpty()) {
                return Long.parseLong(rows.get(0).get(0));
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no engine connection ran " + like + " within a minute");
    }
}
