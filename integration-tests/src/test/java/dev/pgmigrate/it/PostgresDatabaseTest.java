package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.PostgresTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The {@code postgres} database migrated over the target's own (overwriteDbsInTarget): the engine's sessions on
 * the target sit in another database, since PostgreSQL renames no database a session is in, or the migration is
 * refused before anything is copied when no other database takes the login. Each test has servers of its own: it
 * replaces their {@code postgres}, or closes their {@code template1}.
 */
@PostgresTest
class PostgresDatabaseTest {

    @Test
    void replacesTheTargetsPostgresDatabase() throws Exception {
        try (PostgresServer source = PostgresServer.builder().version("15").start();
                PostgresServer target = PostgresServer.builder().version("17").start()) {
            plant(source, target);
            MigrationRecord done = run(spec(source, target, "replace", MigrationOption.VALIDATE_AND_MIGRATE), false);
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertMigrated(target);
        }
    }

    @Test
    void aCancelAfterTheRenamePutsTheTargetsPostgresDatabaseBack() throws Exception {
        try (PostgresServer source = PostgresServer.builder().version("15").start();
                PostgresServer target = PostgresServer.builder().version("17").start()) {
            plant(source, target);
            List<String> before = PluginJarTest.databases(target);
            MigrationRecord done = run(spec(source, target, "cancel", MigrationOption.MIGRATE), true);
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.CANCELED);
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
            assertThat(target.queryForLong("postgres", "SELECT count(*) FROM mine")).isEqualTo(5);
        }
    }

    @Test
    void refusesBeforeCopyingWhenPostgresIsTheOnlyDatabaseTheLoginCanUse() throws Exception {
        try (PostgresServer source = PostgresServer.builder().version("15").start();
                PostgresServer target = PostgresServer.builder().version("17").start()) {
            plant(source, target);
            target.execute("postgres", "ALTER DATABASE template1 ALLOW_CONNECTIONS false");
            List<String> before = PluginJarTest.databases(target);

            MigrationRecord validated = run(spec(source, target, "validated", MigrationOption.VALIDATE_AND_MIGRATE),
                    false);
            assertThat(validated.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
            assertThat(validated.validationResults()).anySatisfy(r -> {
                assertThat(r.validatorId()).isEqualTo("target-database");
                assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
                assertThat(r.found()).contains("only database");
                assertThat(r.remedy()).contains("ALLOW_CONNECTIONS true");
            });

            List<MigrationEvent> events = new CopyOnWriteArrayList<>();
            MigrationRecord refused;
            try (MigrationService service = MigrationService.builder().listener(events::add).build()) {
                refused = service.start(spec(source, target, "refused", MigrationOption.MIGRATE))
                        .await(Duration.ofMinutes(3));
            }
            assertThat(refused.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(refused.errors()).extracting(MigrationMessage::code)
                    .containsExactly(MessageCode.TARGET_CONFLICT);
            assertThat(refused.errors().get(0).text()).contains("Cannot replace database postgres",
                    "Nothing was created or copied", "ALLOW_CONNECTIONS true");
            assertThat(events).noneMatch(e -> e instanceof MigrationEvent.TableStarted);
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
            assertThat(target.queryForLong("postgres", "SELECT count(*) FROM mine")).isEqualTo(5);

            // Any other database the login may use will do for the engine's sessions.
            target.createDatabase("spare");
            MigrationRecord done = run(spec(source, target, "spare", MigrationOption.MIGRATE), false);
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertMigrated(target);
        }
    }

    /** A table of the source's postgres to migrate, and the target's own postgres with a table of the user's. */
    private static void plant(PostgresServer source, PostgresServer target) {
        source.execute("postgres", "CREATE TABLE moved (id int PRIMARY KEY, v text)",
                "INSERT INTO moved SELECT g, 'row ' || g FROM generate_series(1, 100) g");
        target.execute("postgres", "CREATE TABLE mine (id int)", "INSERT INTO mine SELECT generate_series(1, 5)");
    }

    private static void assertMigrated(PostgresServer target) {
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM moved")).isEqualTo(100);
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_tables WHERE tablename = 'mine'"))
                .as("the user's postgres is replaced").isZero();
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE "
                + "'pgmigrate\\_%'")).as("nothing set aside or working is left").isZero();
    }

    private static MigrationSpec spec(PostgresServer source, PostgresServer target, String name,
            MigrationOption option) {
        return MigrationSpec.builder().name("postgres-db-" + name).source(source.serverSpec())
                .target(target.serverSpec()).databases("postgres").option(option)
                .settings(MigrationSettings.builder().overwriteDbsInTarget(true).build()).build();
    }

    /** Runs {@code spec}; with {@code cancelAfterRename}, cancels once postgres has taken its final name. */
    private static MigrationRecord run(MigrationSpec spec, boolean cancelAfterRename) throws Exception {
        AtomicReference<MigrationHandle> handle = new AtomicReference<>();
        try (MigrationService service = MigrationService.builder().listener(event -> {
            if (cancelAfterRename && event instanceof MigrationEvent.DatabaseFinished f
                    && f.database().equals("postgres")) {
                handle.get().cancel();
            }
        }).build()) {
            handle.set(service.start(spec));
            return handle.get().await(Duration.ofMinutes(3));
        }
    }
}
