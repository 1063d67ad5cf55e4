package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.SchemaSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The databases of one migration share its worker pool: the next database starts once the copies of the one
 * before it are done, and its copies run while that one's builds and comparisons finish. Each test holds the
 * first database's worker at the end of its copy until the second database's copy has begun, which happens only
 * when both are in flight at once.
 */
@PostgresTest
class DatabasesInFlightTest {
    private static final Duration HOLD = Duration.ofSeconds(60);

    @Test
    void theNextDatabaseCopiesWhileTheOneBeforeItIsStillInFlight(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        String first = database(source, "inflight_a");
        String second = database(source, "inflight_b");
        CountDownLatch secondCopying = new CountDownLatch(1);
        AtomicBoolean overlapped = new AtomicBoolean();
        try (MigrationService service = MigrationService.builder().listener(e -> {
            if (e instanceof MigrationEvent.TableStarted s && s.database().equals(second)) {
                secondCopying.countDown();
            } else if (e instanceof MigrationEvent.TableFinished f && f.database().equals(first)) {
                overlapped.set(await(secondCopying));
            }
        }).build()) {
            MigrationRecord done = service.start(spec("in-flight", source, target, first, second))
                    .await(Duration.ofMinutes(3));
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        assertThat(overlapped).as("the second database copied while the first was still in flight").isTrue();
        for (String db : List.of(first, second)) {
            assertThat(SchemaSnapshot.of(target, db).differences(SchemaSnapshot.of(source, db))).isEmpty();
            assertThat(target.queryForLong(db, "SELECT count(*) FROM t")).isEqualTo(20000);
            target.dropDatabase(db);
            source.dropDatabase(db);
        }
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    /** The second database fails while the first one's builds still run: both are rolled back, and it stops. */
    @Test
    void aDatabaseThatFailsWhileTheOtherIsInFlightRollsBothBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        String first = database(source, "inflight_c");
        String second = database(source, "inflight_d");
        String name = "in-flight-failing";
        // The working name of the second database's copy, as the engine makes it, less its per-run suffix.
        String secondCopy = "pgmigrate_" + Integer.toHexString((name + "/" + second).hashCode() & 0x7fffffff) + "_%";
        CountDownLatch secondCopying = new CountDownLatch(1);
        try (MigrationService service = MigrationService.builder().listener(e -> {
            if (e instanceof MigrationEvent.TableStarted s && s.database().equals(second)) {
                target.query("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname "
                        + "LIKE '" + secondCopy + "'");
                secondCopying.countDown();
            } else if (e instanceof MigrationEvent.TableFinished f && f.database().equals(first)) {
                await(secondCopying);
            }
        }).build()) {
            MigrationRecord done = service.start(spec(name, source, target, first, second))
                    .await(Duration.ofMinutes(3));
            FaultsTest.assertFailedAndRolledBack(done, target, before);
            assertThat(done.errors()).as("the failure names the second database").extracting(MigrationMessage::text)
                    .anySatisfy(text -> assertThat(text).contains(second));
        }
        // A closed session's backend exits a moment after the client has gone.
        String sessions = "SELECT datname, state, query FROM pg_stat_activity WHERE application_name LIKE 'pgmigrate%'"
                + " AND pid <> pg_backend_pid()";
        for (int i = 0; i < 50 && !source.query("postgres", sessions).isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertThat(source.query("postgres", sessions)).as("no session left on the source").isEmpty();
        source.dropDatabase(first);
        source.dropDatabase(second);
    }

    private static String database(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g", "CREATE INDEX ON t (v)");
        return db;
    }

    private static MigrationSpec spec(String name, PostgresServer source, PostgresServer target,
            String... databases) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec())
                .databases(new ArrayList<>(List.of(databases))).option(MigrationOption.MIGRATE)
                .settings(MigrationSettings.builder().parallelism(2).build()).build();
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(HOLD.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
