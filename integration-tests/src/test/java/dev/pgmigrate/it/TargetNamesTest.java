package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Without validation (Migrate), a database the target already has is found before anything is made or copied for
 * it; one that appears there during the migration is still found at its final rename ({@code RoleRollbackTest}).
 */
@PostgresTest
class TargetNamesTest {

    @Test
    void migrateRefusesADatabaseTheTargetAlreadyHasBeforeCopyingIt(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("taken"));
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 1000)");
        target.createDatabase(db);
        try {
            target.execute(db, "CREATE TABLE theirs (id int)", "INSERT INTO theirs VALUES (1)");
            String oid = target.queryForString("postgres", "SELECT oid::text FROM pg_database WHERE datname = '" + db
                    + "'");
            List<String> before = PluginJarTest.databases(target);
            List<MigrationEvent> events = new CopyOnWriteArrayList<>();
            try (MigrationService service = MigrationService.builder().listener(events::add).build()) {
                MigrationRecord done = service.start(RoleMigrationTest.spec(source, target, db,
                        MigrationOption.MIGRATE, s -> s.overwriteDbsInTarget(false))).await(Duration.ofMinutes(3));
                assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(done.errors()).extracting(MigrationMessage::code)
                        .containsExactly(MessageCode.TARGET_CONFLICT);
                assertThat(done.errors().get(0).text()).contains("Database " + db + " already exists on the target",
                        "nothing was created or copied", "overwriteDbsInTarget", "leave it out of dbsToMigrate")
                        .doesNotContain("appeared");
            }
            assertThat(events).as("refused before the data phase").noneMatch(e -> e instanceof MigrationEvent
                    .TableStarted || e instanceof MigrationEvent.PhaseChanged p
                    && p.substatus() == MigrationSubstatus.MIGRATING_DATA);
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
            assertThat(target.queryForString("postgres", "SELECT oid::text FROM pg_database WHERE datname = '" + db
                    + "'")).isEqualTo(oid);
            assertThat(target.queryForLong(db, "SELECT count(*) FROM theirs")).isEqualTo(1);
        } finally {
            target.dropDatabase(db);
        }
    }
}
