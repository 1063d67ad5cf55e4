package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
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
import dev.pgmigrate.testkit.SchemaSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A migration stopped in each phase: its process killed with SIGKILL and the migration then canceled or
 * resumed by another process, or canceled in that phase. Canceled, the target is as it was; resumed, it is an
 * exact copy.
 */
@PostgresTest
class PhaseTest {
    private static String db;

    @TempDir
    Path dir;

    @BeforeAll
    static void database(@Pg("15") PostgresServer source) {
        db = source.createDatabase(TestDatabases.unique("phases"));
        source.execute(db, FaultsTest.SLOW_FUNCTION,
                "CREATE TABLE a (id int PRIMARY KEY, v text)",
                "INSERT INTO a SELECT g, md5(g::text) FROM generate_series(1, 20000) g",
                "CREATE TABLE b (id int, a_id int REFERENCES a)",
                "INSERT INTO b SELECT g, g FROM generate_series(1, 1500) g",
                "CREATE INDEX b_slow ON b (slow(id))",
                // Built before a's ANALYZE, after b's slow index: a resume finds one and builds the other.
                "CREATE STATISTICS a_stats (dependencies) ON id, v FROM a",
                "CREATE STATISTICS b_stats (ndistinct) ON id, a_id FROM b",
                "CREATE SEQUENCE seq", "SELECT setval('seq', 42)");
    }

    @ParameterizedTest(name = "killed in {0}, then {1}")
    @CsvSource({"prerequisites, cancel", "prerequisites, resume", "completion, cancel", "completion, resume",
        "validation, cancel", "validation, resume", "schema, cancel", "schema, resume", "data, cancel",
        "data, resume", "post-data, cancel", "post-data, resume", "verification, cancel", "verification, resume"})
    void aMigrationKilledInAPhaseIsCanceledOrResumedByAnotherProcess(String phase, String action,
            @Pg("15") PostgresServer source, @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        Path state = dir.resolve("state");
        String name = "killed-" + phase + "-" + action;
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PhaseChild.class.getName(), state.toString(), name, db,
                endpoint(source, "s"), endpoint(target, "t"), phase))
                .redirectOutput(out.toFile()).redirectError(dir.resolve("child.err").toFile()).start();
        try {
            awaitHeld(phase, source, target, () -> !child.isAlive() || read(out).contains("READY"));
            assertThat(child.isAlive()).as("the child is held in %s; stderr: %s", phase,
                    read(dir.resolve("child.err"))).isTrue();
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no rollback
        }
        awaitOrphanedPgDumpExit(db);

        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            MigrationRecord killed = service.show(name).orElseThrow();
            assertThat(killed.status()).isEqualTo(MigrationStatus.IN_PROGRESS);
            assertThat(killed.interrupted()).as("a dead process shows as interrupted").isTrue();
            assertThat(killed.substatus()).isEqualTo(expectedSubstatus(phase));
            if (action.equals("cancel")) {
                MigrationRecord canceled = service.cancel(name);
                assertThat(canceled.status()).as(canceled.errors().toString()).isEqualTo(MigrationStatus.CANCELED);
                assertThat(PluginJarTest.databases(target)).isEqualTo(before);
            } else {
                MigrationRecord done = service.resume(name).await(Duration.ofMinutes(3));
                assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
                assertThat(done.verification().orElseThrow().matches()).isTrue();
                assertThat(SchemaSnapshot.of(target, db).differences(SchemaSnapshot.of(source, db))).isEmpty();
                target.execute("postgres", "DROP DATABASE " + quote(db));
                assertThat(PluginJarTest.databases(target)).isEqualTo(before);
            }
        }
        // Killed, then canceled or resumed: no password in the state directory or in what the processes printed.
        List<Path> written = new java.util.ArrayList<>(List.of(out, dir.resolve("child.err")));
        try (java.util.stream.Stream<Path> files = Files.walk(state)) {
            files.filter(Files::isRegularFile).forEach(written::add);
        }
        for (Path file : written) {
            assertThat(read(file)).as(file.toString()).doesNotContain(source.adminPassword().reveal())
                    .doesNotContain(target.adminPassword().reveal());
        }
    }

    @ParameterizedTest(name = "canceled in {0}")
    @ValueSource(strings = {"prerequisites", "validation", "schema", "data", "post-data", "verification",
        "completion"})
    void aCancelInAPhaseRollsBackTheTarget(String phase, @Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        PhaseChild.arm();
        List<String> ready = new java.util.concurrent.CopyOnWriteArrayList<>();
        MigrationSpec spec = MigrationSpec.builder().name("canceled-" + phase).source(source.serverSpec())
                .target(target.serverSpec()).databases(db)
                .option(phase.equals("validation") ? MigrationOption.VALIDATE_AND_MIGRATE : MigrationOption.MIGRATE)
                .settings(PhaseChild.settings(phase)).build();
        CompletableFuture<Void> release = CompletableFuture.completedFuture(null);
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationHandle handle = service.start(spec, PhaseChild.hold(phase, source.serverSpec(), db,
                    () -> ready.add("READY")));
            MigrationRecord done;
            try {
                awaitHeld(phase, source, target, () -> !ready.isEmpty() || handle.completion().isDone());
                assertThat(handle.completion()).as("held in %s", phase).isNotDone();
                assertThat(handle.record().substatus()).isEqualTo(expectedSubstatus(phase));
                handle.cancel();
            } finally {
                // Blocked listeners go on, and locks end, only after the cancel was asked for.
                release = CompletableFuture.runAsync(PhaseChild::releaseLocks,
                        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
            }
            done = handle.await(Duration.ofMinutes(2));
            assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.CANCELED);
            assertThat(done.endedAt()).isPresent();
        } finally {
            release.join(); // never after the next case armed the hold again
            PhaseChild.releaseLocks();
        }
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    private static MigrationSubstatus expectedSubstatus(String phase) {
        return switch (phase) {
            case "prerequisites" -> MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS;
            case "validation" -> MigrationSubstatus.VALIDATION_IN_PROGRESS;
            case "completion" -> MigrationSubstatus.COMPLETING_MIGRATION;
            default -> MigrationSubstatus.MIGRATING_DATA;
        };
    }

    /** Waits until the migration is held in {@code phase}, as its hold listener and the servers show. */
    private static void awaitHeld(String phase, PostgresServer source, PostgresServer target, BooleanSupplier ready)
            throws InterruptedException {
        if (!phase.equals("post-data")) {
            await("the migration reached " + phase, ready);
        }
        switch (phase) {
            case "schema" -> await("the snapshot's locks wait for the table", () -> !source.query("postgres",
                    "SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgmigrate' AND wait_event_type = 'Lock'")
                    .isEmpty());
            case "post-data" -> FaultsTest.awaitQuery(target, "CREATE INDEX%");
            case "verification" -> await("the checksum query waits for the lock", () -> !source.query("postgres",
                    "SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgmigrate' AND wait_event_type = "
                            + "'Lock' AND query LIKE '%count(*)%'").isEmpty());
            default -> {
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /** A pg_dump started by the killed process ends with it (the watchdog of {@code PgTools}). */
    private static void awaitOrphanedPgDumpExit(String database) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        List<ProcessHandle> left;
        do {
            left = ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                    .map(c -> c.contains("bin/pg_dump") && c.contains(database)).orElse(false)).toList();
            Thread.sleep(20);
        } while (!left.isEmpty() && Instant.now().isBefore(deadline));
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left).as("a pg_dump outliving the killed process").isEmpty();
    }

    private String endpoint(PostgresServer server, String name) throws IOException {
        Path file = dir.resolve(name + ".pw");
        if (!Files.exists(file)) {
            Files.writeString(file, server.adminPassword().reveal());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return server.host() + ":" + server.port() + ":" + server.adminLogin() + ":" + file;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
