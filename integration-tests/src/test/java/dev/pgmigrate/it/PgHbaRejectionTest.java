package dev.pgmigrate.it;

import static dev.pgmigrate.it.FaultsTest.THROTTLE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A target whose pg_hba.conf starts rejecting the migration's login in the middle of the copy (a rule added, the
 * server reloaded): the next session is refused, and the error names the server and pg_hba.conf's rejection. The
 * rollback is refused too (a refused login is not waited for), so the record says what is left and how to finish,
 * and a cancel once the login is accepted again leaves the target as it was.
 */
@PostgresTest
class PgHbaRejectionTest {
    @Test
    void aLoginRejectedByPgHbaMidRunIsNamedAndACancelFinishesTheRollbackOnceItIsAllowedAgain(
            @Pg("15") PostgresServer source) throws Exception {
        String db = FaultsTest.bigDatabase(source, "hba");
        source.execute(db, "CREATE TABLE big2 AS SELECT * FROM big"); // its copy comes after the rule, on a new login
        // The admin of a managed target is not the superuser this test works as: only the admin is rejected.
        try (PostgresServer target = PostgresServer.builder().version("17").profile(ServerProfile.MANAGED).start();
                SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = FaultsTest.service()) {
            List<String> before = PluginJarTest.databases(target);
            MigrationHandle handle = service.start(FaultsTest.spec("hba-rejected", relay.serverSpec(),
                    target.serverSpec(), db, b -> { }));
            FaultsTest.awaitCopy(target, "FROM STDIN");
            Path hba = target.dataDirectory().resolve("pg_hba.conf");
            String rules = Files.readString(hba);
            MigrationRecord done;
            try {
                Files.writeString(hba, "host all " + target.adminLogin() + " 127.0.0.1/32 reject\n" + rules);
                target.execute("postgres", "SELECT pg_reload_conf()");
                done = handle.await(Duration.ofMinutes(2));
            } finally {
                Files.writeString(hba, rules);
                target.execute("postgres", "SELECT pg_reload_conf()");
            }

            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).extracting(MigrationMessage::code)
                    .containsExactly(MessageCode.LOGIN_FAILED, MessageCode.ROLLBACK_INCOMPLETE);
            assertThat(done.errors().get(0).text()).startsWith("Could not connect during MigratingData to the target "
                    + "server " + target.serverSpec().address() + ", database pgmigrate_")
                    .contains("pg_hba.conf rejects connection for host \"127.0.0.1\", user \"pgadmin\"")
                    .contains("SQLState 28000");
            assertThat(done.errors().get(1).text()).startsWith("Rollback incomplete: Could not connect to the target")
                    .contains("the target refuses this login by a rule of its pg_hba.conf")
                    .contains("Have the target's pg_hba.conf accept it again (and reload the server)")
                    .contains("Nothing was undone on the target; left on the target: database pgmigrate_")
                    .contains("run 'pgmigrate migration cancel --name hba-rejected' again");
            assertThat(service.leftOnTarget("hba-rejected")).singleElement().asString().startsWith("database "
                    + "pgmigrate_");

            MigrationRecord again = service.cancel("hba-rejected");
            assertThat(again.errors()).noneMatch(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
            assertThat(again.notes()).anyMatch(n -> n.is(MessageCode.ROLLED_BACK));
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
        }
    }

    /**
     * A target that starts asking the migration's login for a password mid-run, where it had trusted it and the
     * migration has none (a resume without the password once did this): the login failure is not a silent server
     * (the watch's probe got an answer, the driver's 08004), and the rollback's refused login is not waited for.
     */
    @Test
    void aPasswordAskedForMidRunIsALoginFailureNotASilentServer(@Pg("15") PostgresServer source) throws Exception {
        String db = FaultsTest.bigDatabase(source, "hba_pw");
        source.execute(db, "CREATE TABLE big2 AS SELECT * FROM big"); // its copy comes after the rule, on a new login
        try (PostgresServer target = PostgresServer.builder().version("17").profile(ServerProfile.MANAGED).start();
                SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = FaultsTest.service()) {
            List<String> before = PluginJarTest.databases(target);
            Path hba = target.dataDirectory().resolve("pg_hba.conf");
            String rules = Files.readString(hba);
            String admin = "host all " + target.adminLogin() + " 127.0.0.1/32 ";
            MigrationRecord done;
            try {
                Files.writeString(hba, admin + "trust\n" + rules);
                target.execute("postgres", "SELECT pg_reload_conf()");
                MigrationHandle handle = service.start(FaultsTest.spec("hba-password", relay.serverSpec(),
                        target.serverSpec().withLogin(target.adminLogin(), java.util.Optional.empty()), db,
                        b -> b.option("connection.watchSeconds", "1")));
                FaultsTest.awaitCopy(target, "FROM STDIN");
                Files.writeString(hba, admin + "scram-sha-256\n" + rules);
                target.execute("postgres", "SELECT pg_reload_conf()");
                done = handle.await(Duration.ofMinutes(2));
            } finally {
                Files.writeString(hba, admin + "trust\n" + rules);
                target.execute("postgres", "SELECT pg_reload_conf()");
            }

            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.notes()).as("%s", done.notes()).noneMatch(n -> n.is(MessageCode.SERVER_SILENT));
            assertThat(done.errors()).extracting(MigrationMessage::code)
                    .containsExactly(MessageCode.LOGIN_FAILED, MessageCode.ROLLBACK_INCOMPLETE);
            assertThat(done.errors().get(1).text()).startsWith("Rollback incomplete: Could not connect to the target")
                    .contains("SQLState 08004").contains("a password this process does not have")
                    .contains("left on the target: database pgmigrate_");

            MigrationRecord again = service.cancel("hba-password");
            assertThat(again.errors()).noneMatch(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
        } finally {
            source.dropDatabase(db);
        }
    }
}
