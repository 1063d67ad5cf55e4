package dev.pgmigrate.it;

import static dev.pgmigrate.it.RoleMigrationTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Roles a migration created on the target go again when it is canceled or fails: the target keeps only its own. */
@PostgresTest
class RoleRollbackTest {
    @Test
    void cancelingAfterTheRolesWereCreatedDropsThem(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = TestDatabases.unique("roles_cancel");
        String owner = db + "_owner";
        String reader = db + "_reader";
        source.execute("postgres", "CREATE ROLE " + owner + " NOLOGIN", "CREATE ROLE " + reader + " LOGIN",
                "GRANT " + owner + " TO " + reader, "CREATE DATABASE " + db + " OWNER " + owner);
        source.execute(db, "CREATE TABLE t (id int)", "INSERT INTO t SELECT generate_series(1, 1000)",
                "ALTER TABLE t OWNER TO " + owner, "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner
                        + " GRANT SELECT ON TABLES TO " + reader);
        List<String> before = PluginJarTest.databases(target);
        CountDownLatch copying = new CountDownLatch(1);
        CountDownLatch canceled = new CountDownLatch(1);
        try (MigrationService service = MigrationService.builder().listener(e -> {
            if (e instanceof MigrationEvent.TableStarted) {
                copying.countDown();
                await(canceled);
            }
        }).build()) {
            MigrationHandle handle = service.start(spec(source, target, db, MigrationOption.MIGRATE, s -> { }));
            assertThat(copying.await(60, TimeUnit.SECONDS)).as("the copy started").isTrue();
            assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_roles WHERE rolname IN ('" + owner
                    + "', '" + reader + "')")).as("the roles exist during the copy").isEqualTo(2);
            handle.cancel();
            canceled.countDown();
            MigrationRecord done = handle.await(Duration.ofSeconds(60));
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.CANCELED);
        }
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_roles WHERE rolname IN ('" + owner
                + "', '" + reader + "')")).isZero();
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    @Test
    void aFailedMigrationDropsTheRolesItCreated(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = TestDatabases.unique("roles_fail");
        String owner = db + "_owner";
        source.execute("postgres", "CREATE ROLE " + owner + " NOLOGIN", "CREATE DATABASE " + db + " OWNER " + owner);
        source.execute(db, "CREATE TABLE t (id int)", "ALTER TABLE t OWNER TO " + owner);
        try (MigrationService service = MigrationService.builder().listener(e -> {
            if (e instanceof MigrationEvent.TableStarted) {
                // Someone creates the database on the target behind the migration's back: it cannot take the name.
                target.execute("postgres", "CREATE DATABASE " + db);
            }
        }).build()) {
            MigrationRecord done = service.start(spec(source, target, db, MigrationOption.MIGRATE, s -> { }))
                    .await(Duration.ofMinutes(3));
            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.TARGET_CONFLICT);
            assertThat(done.errors()).anySatisfy(e -> assertThat(e.text()).contains("appeared on the target"));
            assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + owner
                    + "'")).isZero();
        } finally {
            target.execute("postgres", "DROP DATABASE IF EXISTS " + db);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
