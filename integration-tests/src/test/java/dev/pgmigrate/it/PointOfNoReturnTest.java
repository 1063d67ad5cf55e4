package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A migration stopped just after its point of no return (every database in place and verified), with one of the
 * user's two databases set aside still to drop: its process killed, then canceled or resumed from another, or a
 * failure in the run itself. Nothing is rolled back: the migration is finished, ends Succeeded, and a cancel that
 * came too late says so.
 */
@PostgresTest
class PointOfNoReturnTest {
    @ParameterizedTest(name = "killed past the point of no return, then {0}")
    @ValueSource(strings = {"cancel", "resume"})
    void aMigrationKilledPastItsPointOfNoReturnIsFinished(String action, @Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target, @TempDir Path dir) throws Exception {
        Case c = new Case(source, target, action);
        Path state = dir.resolve("state");
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PhaseChild.class.getName(), state.toString(), c.name,
                c.alpha + "," + c.beta, MigrationChild.endpoint(source, dir, "s"), MigrationChild.endpoint(target, dir,
                "t"), "committed")).redirectOutput(out.toFile()).redirectError(dir.resolve("child.err").toFile())
                .start();
        try {
            Instant deadline = Instant.now().plusSeconds(120);
            while (!Files.readString(out).contains("READY")) {
                assertThat(child.isAlive()).as("held; %s", Files.readString(dir.resolve("child.err"))).isTrue();
                assertThat(Instant.now()).as("the first original dropped").isBefore(deadline);
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no rollback, no clean-up
        }
        assertThat(c.setAside()).as("the second original, still set aside").hasSize(1);

        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            MigrationRecord killed = service.show(c.name).orElseThrow();
            assertThat(killed.interrupted()).isTrue();
            assertThat(service.leftOnTarget(c.name)).anySatisfy(l -> assertThat(l).contains("past the point of no "
                    + "return, a cancel or a resume drops it"));
            MigrationRecord done = action.equals("cancel") ? service.cancel(c.name)
                    : service.resume(c.name).await(Duration.ofMinutes(2));

            assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.errors()).isEmpty();
            assertThat(done.notes()).filteredOn(n -> n.is(MessageCode.PAST_POINT_OF_NO_RETURN))
                    .hasSize(action.equals("cancel") ? 1 : 0);
            assertThat(service.leftOnTarget(c.name)).isEmpty();
        }
        c.assertMigrated();
    }

    /** A failure in the run after its point of no return (here, a listener's error on the coordinator's thread). */
    @Test
    void aFailurePastThePointOfNoReturnFinishesTheMigrationInsteadOfRollingBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        Case c = new Case(source, target, "failure");
        java.util.concurrent.atomic.AtomicBoolean thrown = new java.util.concurrent.atomic.AtomicBoolean();
        try (MigrationService service = MigrationService.builder().listener(e -> {
            if (e instanceof MigrationEvent.Noted n && n.note().is(MessageCode.ORIGINAL_DROPPED)
                    && thrown.compareAndSet(false, true)) {
                throw new StackOverflowError("planted");
            }
        }).build()) {
            MigrationRecord done = service.start(MigrationSpec.builder().name(c.name).source(source.serverSpec())
                    .target(target.serverSpec()).databases(c.alpha, c.beta).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(1).overwriteDbsInTarget(true).build()).build())
                    .await(Duration.ofMinutes(2));

            assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.errors()).isEmpty();
            assertThat(done.notes()).filteredOn(n -> n.is(MessageCode.PAST_POINT_OF_NO_RETURN)).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains("StackOverflowError").contains("planted")
                            .contains("it was completed, not rolled back"));
        }
        c.assertMigrated();
    }

    /** Two databases on the source; the target holds the user's own of both names, which the migration replaces. */
    private static final class Case {
        final PostgresServer source;
        final PostgresServer target;
        final String name;
        final String alpha;
        final String beta;
        final List<List<String>> before;

        Case(PostgresServer source, PostgresServer target, String name) {
            this.source = source;
            this.target = target;
            this.name = "past-" + name;
            this.alpha = TestDatabases.unique("alpha_pnr");
            this.beta = TestDatabases.unique("beta_pnr");
            for (String db : List.of(alpha, beta)) {
                source.createDatabase(db);
                source.execute(db, "CREATE TABLE copied (id int PRIMARY KEY)", "INSERT INTO copied SELECT "
                        + "generate_series(1, 100)");
                target.createDatabase(db);
                target.execute(db, "CREATE TABLE mine (id int)");
            }
            this.before = ours();
        }

        private List<List<String>> ours() {
            return target.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'pgmigrate\\_%'");
        }

        /** The databases the migration set aside or made under a working name, and still left. */
        List<List<String>> setAside() {
            List<List<String>> now = new java.util.ArrayList<>(ours());
            now.removeAll(before);
            return now;
        }

        /** Both databases are the copies, and nothing of the users' originals or the migration's is left. */
        void assertMigrated() {
            for (String db : List.of(alpha, beta)) {
                assertThat(target.queryForLong(db, "SELECT count(*) FROM copied")).as(db).isEqualTo(100);
                assertThat(target.queryForString(db, "SELECT to_regclass('public.mine')")).as(db).isNull();
            }
            assertThat(setAside()).as("originals set aside, working databases").isEmpty();
            target.dropDatabase(alpha);
            target.dropDatabase(beta);
            source.dropDatabase(alpha);
            source.dropDatabase(beta);
        }
    }
}
