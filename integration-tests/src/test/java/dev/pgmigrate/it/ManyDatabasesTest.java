package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Many databases in one migration, on servers with PostgreSQL's default {@code max_connections = 100}: a
 * database's connections are released when its part is done, so the migration holds those of at most two
 * databases at a time (55 one-table databases failed with "too many clients already" before). About a minute
 * and a quarter: in the corpus profile.
 */
@PostgresTest
@Tag("corpus")
class ManyDatabasesTest {
    private static final int DATABASES = 120;

    @Test
    void aHundredAndTwentyDatabasesMoveOnServersWithDefaultConnectionLimits(
            @Pg(value = "15", settings = "max_connections=100") PostgresServer source,
            @Pg(value = "17", settings = "max_connections=100") PostgresServer target) throws Exception {
        List<String> databases = new ArrayList<>();
        for (int i = 0; i < DATABASES; i++) {
            String db = source.createDatabase(TestDatabases.unique("many"));
            source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                    "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100) g");
            databases.add(db);
        }
        AtomicLong peak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    peak.accumulateAndGet(source.queryForLong("postgres", "SELECT count(*) FROM pg_stat_activity "
                            + "WHERE application_name LIKE 'pgmigrate%'"), Math::max);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a full server refuses the sampler too; the migration's result says what happened
                }
            }
        });
        sampler.start();
        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().build()) {
            done = service.start(MigrationSpec.builder().name("many-databases").source(source.serverSpec())
                    .target(target.serverSpec()).databases(databases)
                    .settings(MigrationSettings.builder().parallelism(2).build()).build())
                    .await(Duration.ofMinutes(15));
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.databases()).hasSize(DATABASES).allMatch(d -> d.status() == MigrationStatus.SUCCEEDED);
        System.out.println("peak pgmigrate sessions on the source: " + peak.get());
        assertThat(peak.get()).as("pgmigrate's sessions on the source at most").isLessThan(20);
        for (String db : databases) {
            assertThat(target.queryForLong(db, "SELECT count(*) FROM t")).isEqualTo(100);
            target.dropDatabase(db);
            source.dropDatabase(db);
        }
    }
}
