package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.testkit.EverythingDataset;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresServer;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.SchemaSnapshot;
import dev.pgmigrate.testkit.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's phases with the built-in validators and movers, on real servers. */
@PostgresTest
class EngineTest {

    @Test
    void validateChangesNothingOnTheTarget(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("validate"));
        EverythingDataset.load(source, db);
        List<String> before = targetCatalog(target);
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.validate(spec("validate-only", source, target, db).build());
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.substatus()).isEqualTo(MigrationSubstatus.COMPLETED);
            assertThat(done.validationResults()).hasSizeGreaterThan(40);
            assertThat(done.database(db).orElseThrow().tables()).isEmpty();
        }
        assertThat(targetCatalog(target)).isEqualTo(before);
    }

    @Test
    void aFailedCheckEndsInValidationFailedWithNoDatabaseCreated(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = targetCatalog(target);
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("missing-db", source, target, "no_such_database").build())
                    .await();
            assertThat(done.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
            assertThat(done.validationResults()).anyMatch(r -> r.status() == ValidationStatus.FAILED
                    && r.validatorId().equals("source-database") && !r.remedy().isBlank());
        }
        assertThat(targetCatalog(target)).isEqualTo(before);
    }

    @Test
    void validateAndMigrateGoesOnWhenChecksOnlyWarn(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("warned"));
        source.execute(db, "CREATE UNLOGGED TABLE scratch (id int)", "INSERT INTO scratch VALUES (1), (2)");
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("warned", source, target, db).build()).await();
            assertThat(done.validationStatus()).contains(ValidationStatus.WARNING);
            assertThat(done.validationResults()).anyMatch(r -> r.validatorId().equals("unlogged-tables")
                    && r.status() == ValidationStatus.WARNING);
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        assertThat(target.queryForLong(db, "SELECT count(*) FROM scratch")).isEqualTo(2);
        assertThat(target.queryForString(db, "SELECT relpersistence::text FROM pg_class WHERE relname = 'scratch'"))
                .isEqualTo("u");
    }

    @Test
    void refusesASecondActiveMigrationOfTheSameNameOrDatabase(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target, @TempDir Path dir) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("busy"));
        source.execute(db, "CREATE TABLE t (id bigint PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, repeat('v', 100) FROM generate_series(1, 600000) g");
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(dir)).build()) {
            MigrationHandle first = service.start(spec("busy", source, target, db).build());
            assertThatThrownBy(() -> service.start(spec("busy", source, target, db).build()))
                    .isInstanceOf(MigrationException.class).hasMessageContaining("already in progress");
            assertThatThrownBy(() -> service.start(spec("busy-too", source, target, db).build()))
                    .isInstanceOf(MigrationException.class).hasMessageContaining("already writing database");
            first.cancel();
            assertThat(first.await().status()).isEqualTo(MigrationStatus.CANCELED);
            MigrationRecord again = service.start(spec("busy", source, target, db).build()).await();
            assertThat(again.status()).as(again.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(service.list()).extracting(MigrationRecord::name).containsExactly("busy");
        }
    }

    private static MigrationSpec.Builder spec(String name, PostgresServer source, PostgresServer target, String db) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec()).databases(db)
                .option(MigrationOption.VALIDATE_AND_MIGRATE)
                .settings(MigrationSettings.builder().parallelism(2).build());
    }

    /** Databases, roles and settings of the target, and the schema of its postgres database. */
    private static List<String> targetCatalog(PostgresServer target) {
        List<String> state = new ArrayList<>();
        target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").forEach(r -> state.add("db " + r));
        target.query("postgres", "SELECT rolname, rolsuper, rolcreatedb FROM pg_roles ORDER BY 1")
                .forEach(r -> state.add("role " + r));
        target.query("postgres", "SELECT name, setting FROM pg_settings WHERE source NOT IN ('default', 'session', "
                + "'client') ORDER BY 1").forEach(r -> state.add("setting " + r));
        target.query("postgres", "SELECT s.setdatabase::text, s.setrole::text, array_to_string(s.setconfig, ',') "
                + "FROM pg_db_role_setting s ORDER BY 1, 2").forEach(r -> state.add("role setting " + r));
        state.addAll(SchemaSnapshot.of(target, "postgres").objects().entrySet().stream()
                .map(e -> e.getKey() + " = " + e.getValue()).toList());
        return state;
    }
}
