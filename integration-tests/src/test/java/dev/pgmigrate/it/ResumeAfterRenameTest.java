package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed after a database took its final name and before its stage said DONE: the resume finds the
 * working name gone and must neither apply the properties to it again (they were applied before the rename) nor
 * fail and roll back a finished copy.
 */
@PostgresTest
class ResumeAfterRenameTest {

    @Test
    void aDatabaseRenamedJustBeforeTheInterruptionIsLeftAsItIs(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target, @TempDir Path dir) throws Exception {
        String first = source.createDatabase(TestDatabases.unique("rn_a"));
        String second = source.createDatabase(TestDatabases.unique("rn_b"));
        for (String db : List.of(first, second)) {
            source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                    "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 100) i");
        }
        source.execute("postgres", "ALTER DATABASE " + first + " SET work_mem = '6MB'",
                "REVOKE CONNECT ON DATABASE " + first + " FROM PUBLIC",
                "ALTER DATABASE " + second + " SET work_mem = '7MB'");
        Path state = dir.resolve("state");
        String name = "renamed";
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), MigrationChild.class.getName(), state.toString(), name,
                first + "," + second, MigrationChild.endpoint(source, dir, "s"), MigrationChild.endpoint(target, dir,
                "t")).redirectError(dir.resolve("child.err").toFile()).redirectOutput(dir.resolve("child.out")
                .toFile()).start();
        // The second database's properties wait on this transaction's row of pg_db_role_setting; the first one is
        // renamed and DONE meanwhile.
        try (Connection hold = holdSettingsOf(target, second, child, state, dir)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!ResumeAfterRestartTest.stage(state, first).equals("done")) {
                assertThat(System.nanoTime()).as("the first database done; stderr %s",
                        Files.readString(dir.resolve("child.err"))).isLessThan(deadline);
                assertThat(child.isAlive()).isTrue();
                Thread.sleep(20);
            }
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            hold.rollback();
        }
        // As if killed right after the first database's rename: its stage still VERIFIED.
        FileMigrationStore store = new FileMigrationStore(state);
        StoredMigration stored = store.list().get(0);
        store.update(stored.namespace(), name, m -> {
            Map<String, String> s = new HashMap<>(m.state());
            s.put("db." + first + ".stage", "verified");
            return m.withState(s);
        });

        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            MigrationRecord done = service.resume(name).await(Duration.ofMinutes(5));
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.notes()).as("nothing said about properties not applied")
                    .noneMatch(n -> n.text().contains("Not applied"));
        }
        for (String db : List.of(first, second)) {
            assertThat(target.queryForLong(db, "SELECT count(*) FROM t")).isEqualTo(100);
        }
        assertThat(target.queryForString("postgres", "SELECT string_agg(d.datname || ' ' || array_to_string("
                + "s.setconfig, ','), '; ' ORDER BY d.datname) FROM pg_db_role_setting s JOIN pg_database d ON "
                + "d.oid = s.setdatabase WHERE s.setrole = 0 AND d.datname IN ('" + first + "', '" + second + "')"))
                .isEqualTo(first + " work_mem=6MB; " + second + " work_mem=7MB");
        assertThat(target.queryForString("postgres", "SELECT has_database_privilege('public', '" + first + "', "
                + "'CONNECT')")).isEqualTo("f");
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE "
                + "'pgmigrate\\_%'")).as("no working database left").isZero();
    }

    /** Once {@code db}'s copy is verified, changes its database settings in a transaction left open. */
    private static Connection holdSettingsOf(PostgresServer target, String db, Process child, Path state, Path dir)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String working;
        while (true) {
            assertThat(System.nanoTime()).as("the working database appeared").isLessThan(deadline);
            assertThat(child.isAlive()).as("child alive; stderr %s", Files.readString(dir.resolve("child.err")))
                    .isTrue();
            StoredMigration m = ResumeAfterRestartTest.stored(state);
            working = m == null ? null : m.state().get("db." + db + ".working");
            if (working != null && target.queryForLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '"
                    + working + "'") == 1) {
                break;
            }
            Thread.sleep(10);
        }
        Connection c = target.connect("postgres");
        c.setAutoCommit(false);
        c.createStatement().execute("ALTER DATABASE \"" + working + "\" SET work_mem = '1MB'");
        return c;
    }
}
