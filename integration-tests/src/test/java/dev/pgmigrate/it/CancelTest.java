package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancel during the copy and while pg_dump runs, cancel of an ended migration, and a migration whose process was
 * killed.
 */
@PostgresTest
class CancelTest {
    private static String bigDb;

    @BeforeAll
    static void bigDatabase(@Pg("15") PostgresServer source) {
        bigDb = source.createDatabase(TestDatabases.unique("big"));
        source.execute(bigDb, "CREATE TABLE wide (id bigint PRIMARY KEY, payload text, n numeric)",
                "INSERT INTO wide SELECT g, repeat(md5(g::text), 4), g * 1.5 FROM generate_series(1, 1500000) g",
                "CREATE TABLE small (id int)", "INSERT INTO small SELECT generate_series(1, 100)");
    }

    @Test
    void cancelDuringTheCopyRollsBackTheTarget(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        List<String> before = PluginJarTest.databases(target);
        CountDownLatch copying = new CountDownLatch(1);
        try (MigrationService service = MigrationService.builder().listener(e -> {
            if (e instanceof MigrationEvent.TableStarted) {
                copying.countDown();
            }
        }).build()) {
            MigrationHandle handle = service.start(spec("cancel-copy", source, target));
            assertThat(copying.await(60, TimeUnit.SECONDS)).as("the copy started").isTrue();
            assertThat(handle.record().substatus()).isEqualTo(MigrationSubstatus.MIGRATING_DATA);
            long asked = System.nanoTime();
            handle.cancel();
            MigrationRecord done = handle.await(Duration.ofSeconds(60));
            long stoppedMillis = (System.nanoTime() - asked) / 1_000_000;
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.CANCELED);
            assertThat(done.endedAt()).isPresent();
            assertThat(PluginJarTest.databases(target)).as(done.errors().toString()).isEqualTo(before);
            assertThat(stoppedMillis).as("cancel and rollback finish promptly").isLessThan(30_000);

            assertThatThrownBy(handle::cancel).isInstanceOf(MigrationException.class)
                    .hasMessageContaining("already ended with status Canceled");
            assertThatThrownBy(() -> service.cancel("cancel-copy")).isInstanceOf(MigrationException.class)
                    .hasMessageContaining("only a migration in progress can be canceled");
        }
    }

    /**
     * A cancel that stops a table's ANALYZE on the target is the cancel, as one that stops a copy is: no error in the
     * record. The table's extended statistics on an expression call a function that sleeps, so its ANALYZE (which
     * evaluates it for every sampled row) runs for seconds; its index on an expression sends it down the path that
     * analyzes after the builds, on a worker of its own.
     */
    @Test
    void aCancelDuringAnAnalyzeIsRecordedAsACancelNotAFailure(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("slowanalyze"));
        source.execute(db, "CREATE FUNCTION slow(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE "
                        + "AS $$BEGIN PERFORM pg_sleep(0.002); RETURN i; END$$",
                "CREATE TABLE measured (id int PRIMARY KEY, v int)",
                "INSERT INTO measured SELECT g, g FROM generate_series(1, 20000) g",
                "CREATE INDEX measured_twice ON measured ((v * 2))",
                "CREATE STATISTICS measured_slow ON (slow(v)) FROM measured");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationHandle handle = service.start(MigrationSpec.builder().name("cancel-analyze")
                    .source(source.serverSpec()).target(target.serverSpec()).databases(db)
                    .settings(MigrationSettings.builder().parallelism(2).build()).build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (target.queryForLong("postgres", "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                    + "AND query LIKE 'ANALYZE %measured%'") == 0) {
                assertThat(handle.record().status().isFinal()).as(handle.record().errors().toString()).isFalse();
                assertThat(System.nanoTime()).as("the ANALYZE started").isLessThan(deadline);
                Thread.sleep(20);
            }
            Thread.sleep(200); // well inside its seconds of sampling
            handle.cancel();
            MigrationRecord done = handle.await(Duration.ofSeconds(60));
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.CANCELED);
            assertThat(done.errors()).as("a cancel is no failure").isEmpty();
        }
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    @Test
    void aCancelStopsAValidatorsQueryOnTheServer(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("slowcheck"));
        CountDownLatch querying = new CountDownLatch(1);
        dev.pgmigrate.api.spi.Validator slow = new dev.pgmigrate.api.spi.Validator() {
            @Override
            public String id() {
                return "slow-check";
            }

            @Override
            public dev.pgmigrate.api.ValidationScope scope() {
                return dev.pgmigrate.api.ValidationScope.INSTANCE;
            }

            @Override
            public String description() {
                return "A check whose query takes ten minutes.";
            }

            @Override
            public List<dev.pgmigrate.api.ValidationResult> validate(dev.pgmigrate.api.spi.ValidationContext context)
                    throws java.sql.SQLException {
                try (var c = context.source().connect(db); var s = c.createStatement()) {
                    querying.countDown();
                    s.execute("SELECT pg_sleep(600) /* slow-check */");
                }
                return List.of(context.succeeded("done"));
            }
        };
        try (MigrationService service = MigrationService.builder()
                .plugins(dev.pgmigrate.core.Plugins.discover().withValidator(slow)).build()) {
            MigrationHandle handle = service.start(MigrationSpec.builder().name("slow-check").source(source
                    .serverSpec()).target(target.serverSpec()).databases(db).build());
            assertThat(querying.await(60, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200); // the query reaches the server
            handle.cancel();
            assertThat(handle.await(Duration.ofSeconds(60)).status()).isEqualTo(MigrationStatus.CANCELED);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long running;
        while ((running = source.queryForLong("postgres", "SELECT count(*) FROM pg_stat_activity WHERE state = "
                + "'active' AND query LIKE '%slow-check%' AND pid <> pg_backend_pid()")) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(running).as("the validator's query still runs on the source").isZero();
    }

    @Test
    void aKilledMigrationIsSeenAsInterruptedAndItsCancelRestoresTheTarget(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target, @TempDir Path dir) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        Path state = dir.resolve("state");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MigrationChild.class.getName(), state.toString(),
                "killed", bigDb, MigrationChild.endpoint(source, dir, "s"), MigrationChild.endpoint(target, dir, "t")))
                .redirectError(dir.resolve("child.err").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("COPYING")) {
                // wait for the copy to begin
            }
            assertThat(line).as("the child reached the copy; its stderr: %s",
                    Files.exists(dir.resolve("child.err")) ? Files.readString(dir.resolve("child.err")) : "")
                    .isEqualTo("COPYING");
        }
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no rollback
        List<String> during = PluginJarTest.databases(target);
        assertThat(during).hasSizeGreaterThan(before.size()); // the child left its working database behind

        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            MigrationRecord seen = service.show("killed").orElseThrow();
            assertThat(seen.status()).isEqualTo(MigrationStatus.IN_PROGRESS);
            assertThat(seen.interrupted()).isTrue();
            MigrationRecord canceled = service.cancel("killed");
            assertThat(canceled.status()).as(canceled.errors().toString()).isEqualTo(MigrationStatus.CANCELED);
            assertThat(canceled.interrupted()).isFalse();
        }
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    @Test
    void aCancelWhilePgDumpRunsRollsBackAndLeavesNoSessionOnEitherServer(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target, @TempDir Path dir) throws Exception {
        // A pg_dump that answers --version and then waits until this test ends: the migration is held after the
        // target database exists and the restore's session on it is open, before the schema comes.
        Path pgDump = dir.resolve("pg_dump");
        Path release = dir.resolve("release");
        Files.writeString(pgDump, "#!/bin/sh\nif [ \"$1\" = --version ]; then exec '" + source.binDirectory()
                .resolve("pg_dump") + "' \"$@\"; fi\nwhile [ ! -f '" + release + "' ]; do sleep 0.05; done\n");
        assertThat(pgDump.toFile().setExecutable(true)).isTrue();
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationHandle handle = service.start(MigrationSpec.builder().name("cancel-dump")
                    .source(source.serverSpec()).target(target.serverSpec()).databases(bigDb)
                    .settings(MigrationSettings.builder().parallelism(2).pgDumpDirectory(dir.toString()).build())
                    .build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (PluginJarTest.databases(target).size() == before.size()) {
                assertThat(System.nanoTime()).as("the target database was created").isLessThan(deadline);
                Thread.sleep(20);
            }
            Thread.sleep(300); // the restore's and the workers' sessions open on it meanwhile
            handle.cancel();
            MigrationRecord done = handle.await(Duration.ofSeconds(60));
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.CANCELED);
        } finally {
            Files.writeString(release, "");
        }
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
        assertThat(migrationSessions(source)).as("the migration's sessions left on the source").isZero();
        assertThat(migrationSessions(target)).as("the migration's sessions left on the target").isZero();
    }

    /** The sessions of pgmigrate's logins (pg_dump's included, the test's own not) once they had 10 s to end. */
    private static long migrationSessions(PostgresServer server) throws InterruptedException {
        String count = "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgmigrate%' "
                + "AND application_name <> 'pgmigrate-testkit'";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long left;
        while ((left = server.queryForLong("postgres", count)) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return left;
    }

    private static MigrationSpec spec(String name, PostgresServer source, PostgresServer target) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec())
                .databases(bigDb).settings(MigrationSettings.builder().parallelism(1).build()).build();
    }

}
