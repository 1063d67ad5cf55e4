package dev.pgmigrate.it;

import static dev.pgmigrate.it.FaultsTest.THROTTLE;
import static dev.pgmigrate.it.FaultsTest.assertFailedAndRolledBack;
import static dev.pgmigrate.it.FaultsTest.awaitCopy;
import static dev.pgmigrate.it.FaultsTest.service;
import static dev.pgmigrate.it.FaultsTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A target that interrupts a migration without going away: it restarts while the databases are completed, or refuses
 * new logins (its connection slots taken, a connection limit reached). Each is the server's doing, named as such, and
 * rolled back, the rollback waiting for the target to take its login again.
 */
@PostgresTest
class TargetInterruptionsTest {
    private static String bigDb;

    @BeforeAll
    static void bigDatabase(@Pg("15") PostgresServer source) {
        bigDb = FaultsTest.bigDatabase(source, "interrupted");
    }

    /**
     * A target restarted once the first of two databases is verified, while the other is in flight: a server that
     * shut down (57P01) is as unavailable as one that broke the connection, so the exit code says to try again.
     */
    @Test
    void aTargetRestartWhileCompletingIsAnUnavailableServer(@Pg("15") PostgresServer source) throws Exception {
        String first = source.createDatabase(TestDatabases.unique("restart_first"));
        String second = source.createDatabase(TestDatabases.unique("restart_second"));
        source.execute(first, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 100)");
        source.execute(second, "CREATE TABLE u (id int)", "INSERT INTO u SELECT generate_series(1, 100)");
        try (PostgresServer target = PostgresServer.builder().version("17").start();
                SlowProxy targetRelay = new SlowProxy(target, 0, 0)) {
            List<String> before = PluginJarTest.databases(target);
            try (MigrationService service = MigrationService.builder().listener(e -> {
                if (e instanceof MigrationEvent.DatabaseFinished f && f.database().equals(first)) {
                    target.restart();
                }
            }).build()) {
                MigrationRecord done = service.start(MigrationSpec.builder().name("restarted-completing")
                        .source(source.serverSpec()).target(targetRelay.serverSpec()).databases(first, second)
                        .option(MigrationOption.MIGRATE).settings(MigrationSettings.builder().parallelism(2).build())
                        .build()).await(Duration.ofMinutes(2));

                assertFailedAndRolledBack(done, target, before);
                assertThat(done.errors()).as("codes").extracting(MigrationMessage::code)
                        .contains(MessageCode.SERVER_UNREACHABLE);
            }
        }
    }

    /**
     * A target that refuses the rollback's login for want of a free connection (53300: another application holds
     * the slots, or the database's connection limit) is waited for as one restarting is, up to rollback.waitSeconds.
     */
    @Test
    void aRollbackWaitsForAConnectionSlotOnTheTarget(@Pg("15") PostgresServer source) throws Exception {
        try (PostgresServer target = PostgresServer.builder().version("17").profile(ServerProfile.MANAGED).start();
                SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = service()) {
            List<String> before = PluginJarTest.databases(target);
            MigrationHandle handle = service.start(spec("slots-taken", relay.serverSpec(), target.serverSpec(), bigDb,
                    b -> b.option("rollback.waitSeconds", "30")));
            long pid = awaitCopy(source, "TO STDOUT");
            // The admin, no superuser, may no longer log in to the maintenance database, where the rollback begins.
            target.execute("postgres", "ALTER DATABASE postgres CONNECTION LIMIT 0");
            try {
                source.query("postgres", "SELECT pg_terminate_backend(" + pid + ")");
                Instant deadline = Instant.now().plusSeconds(60);
                while (!target.logTail().contains("too many connections for database \"postgres\"")
                        && !handle.completion().isDone() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(20);
                }
                Thread.sleep(500);
            } finally {
                target.execute("postgres", "ALTER DATABASE postgres CONNECTION LIMIT -1");
            }
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertFailedAndRolledBack(done, target, before);
        }
    }

    /** A login the target refuses mid-run (here, the role's connection limit reached) names the server it went to. */
    @Test
    void aLoginRefusedMidRunNamesTheServer(@Pg("15") PostgresServer source) throws Exception {
        String db = FaultsTest.bigDatabase(source, "refused");
        source.execute(db, "CREATE TABLE big2 AS SELECT * FROM big"); // its copy comes after the limit, on a new login
        try (PostgresServer target = PostgresServer.builder().version("17").profile(ServerProfile.MANAGED).start();
                SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = service()) {
            List<String> before = PluginJarTest.databases(target);
            MigrationHandle handle = service.start(spec("login-refused", relay.serverSpec(), target.serverSpec(),
                    db, b -> b.option("rollback.waitSeconds", "30")));
            awaitCopy(target, "FROM STDIN");
            // Sessions open stay; every new login of the admin, no superuser, is refused.
            target.execute("postgres", "ALTER ROLE " + target.adminLogin() + " CONNECTION LIMIT 0");
            try {
                Instant deadline = Instant.now().plusSeconds(60);
                while (!target.logTail().contains("too many connections for role") && !handle.completion().isDone()
                        && Instant.now().isBefore(deadline)) {
                    Thread.sleep(20);
                }
            } finally {
                target.execute("postgres", "ALTER ROLE " + target.adminLogin() + " CONNECTION LIMIT -1");
            }
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertFailedAndRolledBack(done, target, before);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code)
                    .contains(MessageCode.OUT_OF_RESOURCES);
            assertThat(done.errors().get(0).text()).contains("Could not connect during MigratingData to the target "
                    + "server " + target.serverSpec().address() + ", database pgmigrate_")
                    .contains("too many connections for role").contains("SQLState 53300");
        }
    }
}
