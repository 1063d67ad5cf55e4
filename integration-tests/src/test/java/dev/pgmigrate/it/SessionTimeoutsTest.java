package dev.pgmigrate.it;

import static dev.pgmigrate.it.FaultsTest.SLOW_FUNCTION;
import static dev.pgmigrate.it.FaultsTest.THROTTLE;
import static dev.pgmigrate.it.FaultsTest.service;
import static dev.pgmigrate.it.FaultsTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.PostgresTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Timeouts a login or database carries on either server ({@code ALTER ROLE/DATABASE ... SET}) hold for the
 * applications, not for the migration's sessions, as they do not for pg_dump's: the snapshot's transaction idles
 * while the copies run, and a copy, an index build or a checksum takes as long as its table needs.
 */
@PostgresTest
class SessionTimeoutsTest {
    @Test
    void timeoutsOfTheLoginAndTheDatabaseOnBothServersDoNotEndTheMigration() throws Exception {
        try (PostgresServer source = PostgresServer.builder().version("15").start();
                PostgresServer target = PostgresServer.builder().version("17").start()) {
            String db = FaultsTest.bigDatabase(source, "timeouts");
            // A second big table waits for the worker while the snapshot's session idles; an index takes ~3 s.
            source.execute(db, "CREATE TABLE big2 AS SELECT * FROM big", "ALTER TABLE big2 ADD PRIMARY KEY (id)",
                    SLOW_FUNCTION, "CREATE INDEX small_slow ON small (slow(id))",
                    "INSERT INTO small SELECT generate_series(2, 1500)");
            source.execute("postgres", "ALTER ROLE " + source.adminLogin() + " SET idle_in_transaction_session_timeout "
                    + "= '1s'", "ALTER DATABASE " + db + " SET statement_timeout = '1s'");
            target.execute("postgres", "ALTER ROLE " + target.adminLogin() + " SET statement_timeout = '1s'",
                    "ALTER ROLE " + target.adminLogin() + " SET transaction_timeout = '1s'",
                    "ALTER ROLE " + target.adminLogin() + " SET idle_session_timeout = '1s'");
            try (SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = service()) {
                MigrationRecord done = service.start(spec("timeouts", relay.serverSpec(), target.serverSpec(), db,
                        b -> b.verify(true))).await(Duration.ofMinutes(3));

                assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
                assertThat(done.verification().orElseThrow().matches()).isTrue();
            }
            assertThat(target.queryForLong(db, "SELECT count(*) FROM big2")).isEqualTo(200_000);
        }
    }
}
