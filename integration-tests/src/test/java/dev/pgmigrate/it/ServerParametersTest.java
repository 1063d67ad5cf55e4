package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ServerParametersMode;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.core.StoredMigration.JournalEntry;
import dev.pgmigrate.core.internal.run.Rollback;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parameters set on the source server and different on the target: reported by how they can be set, or applied.
 * The source sets one of each kind: {@code work_mem} and {@code random_page_cost} (per database),
 * {@code autovacuum_naptime} (reload), {@code max_locks_per_transaction} (restart).
 */
@PostgresTest
class ServerParametersTest {
    private static final String WORK_MEM = "work_mem=7MB";
    private static final String RANDOM_PAGE_COST = "random_page_cost=1.5";
    private static final String NAPTIME = "autovacuum_naptime=17s";
    private static final String MAX_LOCKS = "max_locks_per_transaction=99";

    @Test
    void reportListsTheParametersThatDifferGroupedByHowTheyCanBeSet(
            @Pg(value = "15", settings = {WORK_MEM, RANDOM_PAGE_COST, NAPTIME, MAX_LOCKS}) PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("params_report"));

        MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text())
                .startsWith("Server parameters that differ on the target, settable per database or role (2)")
                .contains("work_mem (source 7MB, target 4MB): ALTER DATABASE \"" + db + "\" SET \"work_mem\" = '7MB'")
                .contains("random_page_cost (source 1.5, target 4): ALTER DATABASE \"" + db
                        + "\" SET \"random_page_cost\" = '1.5'"));
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text())
                .startsWith("Server parameters that differ on the target, server-wide, applied with a reload (1)")
                .contains("autovacuum_naptime (source 17s, target 1min): ALTER SYSTEM SET \"autovacuum_naptime\" = "
                        + "'17s'; then SELECT pg_reload_conf()"));
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text())
                .startsWith("Server parameters that differ on the target, server-wide, needing a restart of the "
                        + "target (1)")
                .contains("max_locks_per_transaction (source 99, target 64)"));
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d "
                + "ON d.oid = s.setdatabase WHERE d.datname = '" + db + "'")).as("report mode changes nothing").isZero();
    }

    @Test
    void applySetsPerDatabaseParametersAndAlterSystemWhichRollbackPutsBack(
            @Pg(value = "15", settings = {WORK_MEM, RANDOM_PAGE_COST, NAPTIME, MAX_LOCKS}) PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("params_apply"));
        source.execute("postgres", "ALTER DATABASE " + db + " SET random_page_cost = 3");
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(RoleMigrationTest.spec(source, target, db, MigrationOption.MIGRATE,
                    s -> s.serverParameters(ServerParametersMode.APPLY))).await(Duration.ofMinutes(3));

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForString("postgres", "SELECT (SELECT string_agg(x, ',' ORDER BY x) FROM unnest(s.setconfig) x) "
                    + "FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = '" + db
                    + "' AND s.setrole = 0")).as("the database's own setting wins over the server's")
                    .isEqualTo("random_page_cost=3,work_mem=7MB");
            assertThat(awaitSetting(target, "autovacuum_naptime", "17s")).isEqualTo("17s");
            assertThat(done.notes()).anySatisfy(n -> assertThat(n.text())
                    .startsWith("Server parameters applied server-wide with ALTER SYSTEM and a reload (1): "
                            + "autovacuum_naptime = 17s (was 1min)"));
            assertThat(done.notes()).anySatisfy(n -> assertThat(n.text())
                    .startsWith("Server parameters not applied because they need a restart of the target (1)")
                    .contains("max_locks_per_transaction"));

            StoredMigration stored = service.store().list().stream()
                    .filter(m -> m.record().name().equals(done.name())).findFirst().orElseThrow();
            List<JournalEntry> alterSystem = stored.journal().stream()
                    .filter(e -> e.kind().equals("alterSystem")).toList();
            assertThat(alterSystem).extracting(JournalEntry::name).containsExactly("autovacuum_naptime");
            ServerConnector connector = new ServerConnector(target.serverSpec(), MigrationSettings.defaults());
            assertThat(Rollback.undo(connector, "postgres", alterSystem)).isEmpty();
            assertThat(Rollback.undo(connector, "postgres", alterSystem)).as("a second rollback is harmless").isEmpty();
            assertThat(awaitSetting(target, "autovacuum_naptime", "1min")).isEqualTo("1min");
        } finally {
            target.execute("postgres", "ALTER SYSTEM RESET autovacuum_naptime", "SELECT pg_reload_conf()");
        }
    }

    @Test
    void applyOnAManagedTargetSetsPerDatabaseParametersAndListsTheRest(
            @Pg(value = "15", settings = {WORK_MEM, RANDOM_PAGE_COST, NAPTIME, MAX_LOCKS}) PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("params_managed"));

        MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE,
                s -> s.serverParameters(ServerParametersMode.APPLY));

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString("postgres", "SELECT (SELECT string_agg(x, ',' ORDER BY x) FROM unnest(s.setconfig) x) "
                + "FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = '" + db
                + "' AND s.setrole = 0")).isEqualTo("random_page_cost=1.5,work_mem=7MB");
        assertThat(target.queryForString("postgres", "SHOW autovacuum_naptime")).isEqualTo("1min");
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text()).startsWith("Server parameters not applied (1)")
                .contains("autovacuum_naptime").contains("needs superuser or ALTER SYSTEM on the parameter"));
    }

    /** The setting as a new session sees it, once the postmaster has read its configuration again. */
    private static String awaitSetting(PostgresServer server, String name, String expected) throws Exception {
        String seen = null;
        for (int i = 0; i < 100; i++) {
            seen = server.queryForString("postgres", "SHOW " + name);
            if (seen.equals(expected)) {
                return seen;
            }
            Thread.sleep(100);
        }
        return seen;
    }
}
