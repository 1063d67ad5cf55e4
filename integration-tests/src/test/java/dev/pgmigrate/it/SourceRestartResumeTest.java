package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.StoredMigration;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that restarts in the middle of the copy, taking the snapshot the copy reads with it. In a live run that is
 * a failure, rolled back, which a resume refuses, saying why; when the process died too, a resume takes a new
 * snapshot and keeps a table copied before only where its rows are the same in it, so that the target never holds
 * tables of two snapshots. One source of this class's own, restarted, reached through a relay that follows it.
 */
@PostgresTest
class SourceRestartResumeTest {
    private static PostgresServer source;
    private static SlowProxy relay;

    @BeforeAll
    static void source() throws Exception {
        source = PostgresServer.builder().version("15").start();
        relay = new SlowProxy(source, 0, FaultsTest.THROTTLE);
    }

    @AfterAll
    static void close() throws Exception {
        relay.close();
        source.close();
    }

    @Test
    void aSourceRestartFailsTheRunAndTheResumeIsRefusedSayingWhy(@Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("restarted_run"));
        source.execute(db, FaultsTest.BIG_TABLE, FaultsTest.BIG_ROWS);
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = FaultsTest.service()) {
            MigrationHandle handle = service.start(FaultsTest.spec("restarted-run", relay.serverSpec(),
                    target.serverSpec(), db, b -> { }));
            FaultsTest.awaitCopy(source, "TO STDOUT");
            source.restart();
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            FaultsTest.assertFailedAndRolledBack(done, target, before);
            assertThatThrownBy(() -> service.resume("restarted-run")).isInstanceOf(MigrationException.class)
                    .hasMessageContaining("already ended with status Failed; its changes on the target were rolled "
                            + "back, so nothing is left to resume")
                    .hasMessageContaining("start a new one");
        }
    }

    /**
     * Killed once two tables are copied; one of them is then written on the source (its row count unchanged), and
     * the source restarts. The resume copies that table again from its new snapshot, beside the others, and says so.
     */
    @Test
    void aResumeAfterTheSourceRestartedCopiesAgainAKeptTableThatChanged(@Pg("17") PostgresServer target,
            @TempDir Path dir) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("restarted_resume"));
        for (int i = 1; i <= 4; i++) {
            source.execute(db, "CREATE TABLE t" + i + " (id int PRIMARY KEY, v text)",
                    "INSERT INTO t" + i + " SELECT g, md5(g::text) FROM generate_series(1, 60000) g");
        }
        Path state = dir.resolve("state");
        String name = "restarted-resume";
        // Without verification, as the child runs: nothing later would compare the kept tables.
        String sourceArg = PostgresServer.HOST + ":" + relay.port() + ":" + source.adminLogin() + ":"
                + MigrationChild.endpoint(source, dir, "s").split(":", 4)[3];
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MigrationChild.class.getName(), state.toString(), name,
                db, sourceArg, MigrationChild.endpoint(target, dir, "t")))
                .redirectError(dir.resolve("child.err").toFile()).redirectOutput(dir.resolve("child.out").toFile())
                .start();
        try {
            Instant deadline = Instant.now().plusSeconds(120);
            while (completed(state).size() < 2) {
                assertThat(Instant.now()).as("two tables copied").isBefore(deadline);
                assertThat(child.isAlive()).as("the child copies; %s", Files.readString(dir.resolve("child.err")))
                        .isTrue();
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String changed = completed(state).get(0);
        source.execute(db, "UPDATE " + changed + " SET v = 'changed' WHERE id <= 10");
        source.restart();

        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            MigrationRecord done = service.resume(name).await(Duration.ofMinutes(3));
            assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.notes()).filteredOn(n -> n.is(MessageCode.SOURCE_WRITTEN_DURING_COPY)).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains("changed on the source between the interruption "
                            + "and the resume").contains(changed + " (60000 rows copied before, 60000 in the "
                            + "snapshot, their contents differ)"));
        }
        for (int i = 1; i <= 4; i++) {
            String sum = "SELECT count(*) || md5(string_agg(id || v, ',' ORDER BY id)) FROM t" + i;
            assertThat(target.queryForString(db, sum)).as("t%s", i).isEqualTo(source.queryForString(db, sum));
        }
        target.dropDatabase(db);
    }

    private static List<String> completed(Path state) {
        if (!Files.isDirectory(state)) {
            return List.of();
        }
        List<StoredMigration> all = new FileMigrationStore(state).list();
        return all.isEmpty() ? List.of() : all.get(0).record().databases().stream().flatMap(d -> d.tables().stream())
                .filter(t -> t.state() == TableState.COMPLETED).map(TableProgress::qualifiedName).toList();
    }
}
