package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole engine moves a table several times larger than its JVM's heap. */
@PostgresTest
class FlatHeapTest {
    private static final int HEAP_MB = 64;

    @Test
    void migratesATableFiveTimesLargerThanTheHeap(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target,
            @TempDir Path dir) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("heap"));
        source.execute(db, "CREATE TABLE big (id bigint PRIMARY KEY, a text, b text)",
                "INSERT INTO big SELECT g, md5(g::text) || md5((g + 1)::text), repeat('y', 60) "
                        + "FROM generate_series(1, 2500000) g");
        long tableMb = source.queryForLong(db, "SELECT pg_relation_size('big') / (1024 * 1024)");
        assertThat(tableMb).isGreaterThan(HEAP_MB * 5L);

        Path state = dir.resolve("state");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP_MB + "m", "-cp", System.getProperty("java.class.path"), MigrationChild.class.getName(),
                state.toString(), "heap", db, MigrationChild.endpoint(source, dir, "s"), MigrationChild.endpoint(target, dir, "t"), "verify"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();

        MigrationRecord done = new FileMigrationStore(state).list().get(0).record();
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.verification().orElseThrow().matches()).isTrue();
        assertThat(target.queryForLong(db, "SELECT count(*) FROM big")).isEqualTo(2_500_000);
        assertThat(Files.readString(dir.resolve("child.log"))).doesNotContain("OutOfMemoryError");
    }

}
