package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.SchemaSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two processes started at once on the same migration, or on the same target database: one wins, cleanly. */
@PostgresTest
class RacesTest {
    private static String db;

    @TempDir
    Path dir;

    @BeforeAll
    static void database(@Pg("15") PostgresServer source) {
        db = source.createDatabase(TestDatabases.unique("races"));
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100000) g");
    }

    /** Each race starts from a target without the database, whatever a failed one before it left there. */
    @BeforeEach
    void noCopyYet(@Pg("17") PostgresServer target) {
        target.dropDatabase(db);
    }

    @Test
    void twoProcessesStartingTheSameMigrationRunItOnce(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        Path state = dir.resolve("state");
        List<String> outputs = race(source, target, List.of(state, state), List.of("same-name", "same-name"));
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            assertThat(service.list()).as("one record").hasSize(1);
            MigrationRecord done = service.show("same-name").orElseThrow();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        assertThat(String.join("\n", outputs)).as("the loser is told why")
                .contains("A migration named 'same-name' is already in progress");
        assertThat(SchemaSnapshot.of(target, db).differences(SchemaSnapshot.of(source, db))).isEmpty();
        target.dropDatabase(db);
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    /** Different state directories (two operators, two machines) share nothing but the target itself. */
    @Test
    void twoMigrationsOfTheSameDatabaseFromDifferentMachinesLeaveOneCopyAndNoLeftovers(
            @Pg("15") PostgresServer source, @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        List<String> outputs = race(source, target, List.of(first, second), List.of("race-a", "race-b"));
        List<MigrationStatus> statuses = new ArrayList<>();
        List<MigrationMessage> errors = new ArrayList<>();
        for (Path state : List.of(first, second)) {
            try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
                for (MigrationRecord r : service.list()) {
                    statuses.add(r.status());
                    errors.addAll(r.errors());
                }
            }
        }
        assertThat(statuses).as("%s\n%s", errors, outputs).containsExactlyInAnyOrder(MigrationStatus.SUCCEEDED,
                MigrationStatus.FAILED);
        assertThat(errors).as("the loser names the database it found taken").anySatisfy(e -> {
            assertThat(e.code()).isEqualTo(MessageCode.TARGET_CONFLICT);
            assertThat(e.text()).contains(db);
        });
        assertThat(SchemaSnapshot.of(target, db).differences(SchemaSnapshot.of(source, db))).isEmpty();
        assertThat(target.queryForLong(db, "SELECT count(*) FROM t")).isEqualTo(100000);
        target.dropDatabase(db);
        assertThat(PluginJarTest.databases(target)).as("no working database left behind").isEqualTo(before);
    }

    /**
     * The name is taken after the migration checked it and before its rename committed: the rename waits on the
     * other session's uncommitted row in pg_database and then fails with a unique violation, which is the same
     * conflict as a database found there, not a failed statement.
     */
    @Test
    void aDatabaseRenamedIntoTheNameWhileTheCopyIsRenamedIsATargetConflict(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        String other = target.createDatabase(TestDatabases.unique("races_other"));
        try (Connection taker = target.connect("postgres")) {
            taker.setAutoCommit(false);
            AtomicBoolean taken = new AtomicBoolean();
            Thread committer = new Thread(() -> {
                try {
                    while (target.queryForLong("postgres", "SELECT count(*) FROM pg_stat_activity WHERE "
                            + "wait_event_type = 'Lock' AND query LIKE 'ALTER DATABASE %RENAME TO %'") == 0) {
                        Thread.sleep(20);
                    }
                    taker.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (MigrationService service = MigrationService.builder().listener(e -> {
                if (e instanceof MigrationEvent.TableStarted && taken.compareAndSet(false, true)) {
                    // Uncommitted, so the migration's own check does not see it; its rename waits on it.
                    try (Statement s = taker.createStatement()) {
                        s.execute("ALTER DATABASE " + other + " RENAME TO " + db);
                    } catch (Exception failed) {
                        throw new IllegalStateException(failed);
                    }
                    committer.start();
                }
            }).build()) {
                MigrationRecord done = service.start(RoleMigrationTest.spec(source, target, db,
                        MigrationOption.MIGRATE, s -> { })).await(Duration.ofMinutes(3));
                committer.join(60_000);
                assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(done.errors()).as("codes").extracting(MigrationMessage::code)
                        .containsExactly(MessageCode.TARGET_CONFLICT);
            }
        }
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_tables WHERE tablename = 't'"))
                .as("the database that took the name is the other one, untouched").isZero();
        target.dropDatabase(db);
        assertThat(PluginJarTest.databases(target)).as("the copy is rolled back").isEqualTo(before);
    }

    /** Starts one child migration per state directory at once and returns each one's output. */
    private List<String> race(PostgresServer source, PostgresServer target, List<Path> states, List<String> names)
            throws Exception {
        List<Process> children = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            Path out = dir.resolve("child-" + i + ".out");
            outs.add(out);
            children.add(new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-cp", System.getProperty("java.class.path"), MigrationChild.class.getName(),
                    states.get(i).toString(), names.get(i), db, MigrationChild.endpoint(source, dir, "s"),
                    MigrationChild.endpoint(target, dir, "t"), "verify")).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start());
        }
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            assertThat(children.get(i).waitFor(3, TimeUnit.MINUTES)).as("child %d ended", i).isTrue();
            outputs.add(Files.readString(outs.get(i), StandardCharsets.UTF_8));
        }
        return outputs;
    }
}
