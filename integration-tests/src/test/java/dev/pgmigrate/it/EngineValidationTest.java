package dev.pgmigrate.it;

import static dev.pgmigrate.it.EngineTest.spec;
import static dev.pgmigrate.it.EngineTest.targetCatalog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.ValidationContext;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.EverythingDataset;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's premigration checks on real servers: what they change, how they end a run, what they share. */
@PostgresTest
class EngineValidationTest {
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
            // A finished run leaves no database InProgress, in show and in the report alike.
            assertThat(done.database(db).orElseThrow().status()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.database(db).orElseThrow().message()).hasValueSatisfying(m -> assertThat(m)
                    .contains("not migrated"));
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
            assertThat(done.databases()).singleElement().satisfies(d -> {
                assertThat(d.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
                assertThat(d.endedAt()).isEmpty(); // it never started: no duration that grows
            });
        }
        assertThat(targetCatalog(target)).isEqualTo(before);
    }

    /**
     * The first database's snapshot, locks and pg_dump runs begin on the source beside the checks; checks that fail
     * stop them, a lock wait included, and the run ends leaving no session of the migration on the source and nothing
     * on the target.
     */
    @Test
    void aFailedCheckStopsTheSourceWorkBegunBesideIt(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("beside"));
        source.execute(db, "CREATE TABLE held (id int)", "INSERT INTO held VALUES (1)");
        List<String> before = targetCatalog(target);
        String waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgmigrate%' "
                + "AND wait_event_type = 'Lock' AND datname = current_database()";
        Validator failing = databaseCheck("zz-fails", context -> {
            try (java.sql.Connection c = context.source().connect(db); var s = c.createStatement()) {
                for (int i = 0; i < 400; i++) {
                    try (var rs = s.executeQuery(waiting)) {
                        rs.next();
                        if (rs.getInt(1) > 0) {
                            throw new AssertionError("fails on purpose, the snapshot waiting for its lock");
                        }
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new AssertionError("the snapshot never waited for its lock beside the checks");
        });
        try (java.sql.Connection holder = source.connect(db); var s = holder.createStatement();
                MigrationService service = MigrationService.builder()
                        .plugins(Plugins.discover().withValidator(failing)).build()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE held IN ACCESS EXCLUSIVE MODE"); // held until the run has ended
            MigrationRecord done = service.start(spec("beside", source, target, db)
                    .settings(dev.pgmigrate.api.MigrationSettings.builder().parallelism(2)
                            .option("source.lockTimeoutSeconds", "3600").build()).build())
                    .completion().get(120, java.util.concurrent.TimeUnit.SECONDS); // not the lock's hour
            assertThat(done.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
            assertThat(done.validationResults()).anyMatch(r -> r.validatorId().equals("zz-fails")
                    && r.found().contains("fails on purpose"));
            // Sizing the held table would have waited for its holder: it is sized as last counted.
            assertThat(done.validationResults()).anyMatch(r -> r.validatorId().equals("database-size")
                    && r.status() == ValidationStatus.SUCCEEDED
                    && r.found().contains("held 0 bytes (as last counted: another session holds it)"));
            assertThat(pgmigrateSessionsOnceEnded(source, db)).isZero();
        }
        assertThat(targetCatalog(target)).isEqualTo(before);
    }

    /**
     * The checks pass while the first database's snapshot, begun beside them, still waits for a table another session
     * holds: the data phase waits for it, and a cancel ends the wait and the run, leaving nothing behind.
     */
    @Test
    void aCancelEndsTheSnapshotsLockWaitBegunBesideTheChecks(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("besidecancel"));
        source.execute(db, "CREATE TABLE held (id int)", "INSERT INTO held VALUES (1)");
        List<String> before = targetCatalog(target);
        String waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgmigrate%' "
                + "AND wait_event_type = 'Lock' AND datname = '" + db + "'";
        try (java.sql.Connection holder = source.connect(db); var s = holder.createStatement();
                MigrationService service = MigrationService.builder().build()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
            var handle = service.start(spec("besidecancel", source, target, db)
                    .settings(dev.pgmigrate.api.MigrationSettings.builder().parallelism(2)
                            .option("source.lockTimeoutSeconds", "3600").build()).build());
            for (int i = 0; i < 400 && (source.queryForLong("postgres", waiting) == 0
                    || handle.record().substatus() != MigrationSubstatus.MIGRATING_DATA); i++) {
                Thread.sleep(50);
            }
            assertThat(handle.record().substatus()).isEqualTo(MigrationSubstatus.MIGRATING_DATA);
            assertThat(source.queryForLong("postgres", waiting)).as("the snapshot waits for the table").isOne();
            handle.cancel();
            MigrationRecord done = handle.completion().get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.CANCELED);
            assertThat(done.notes()).anyMatch(n -> n.text().contains("waiting, at most 3600 s"));
            assertThat(pgmigrateSessionsOnceEnded(source, db)).isZero();
        }
        assertThat(targetCatalog(target)).isEqualTo(before);
    }

    /** A check that meets a table another session holds waits no longer than the migration would, then says so. */
    @Test
    void aCheckThatMeetsAHeldTableFailsAfterTheMigrationsLockWait(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("heldcheck"));
        source.execute(db, "CREATE TABLE held (id int)");
        Validator reader = databaseCheck("zz-reads-held", context -> {
            try (java.sql.Connection c = context.source().connect(db); var s = c.createStatement()) {
                s.executeQuery("SELECT count(*) FROM held").close();
            }
        });
        try (java.sql.Connection holder = source.connect(db); var s = holder.createStatement();
                MigrationService service = MigrationService.builder()
                        .plugins(Plugins.discover().withValidator(reader)).build()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
            MigrationRecord done = service.validate(spec("heldcheck", source, target, db)
                    .settings(dev.pgmigrate.api.MigrationSettings.builder().parallelism(2)
                            .option("source.lockTimeoutSeconds", "1").build()).build());
            assertThat(done.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
            assertThat(done.validationResults()).anyMatch(r -> r.validatorId().equals("zz-reads-held")
                    && r.status() == ValidationStatus.FAILED
                    && r.found().startsWith("The check could not run: it waited 1 s "
                            + "(settings.options.source.lockTimeoutSeconds) for a table another session holds")
                    && r.remedy().contains("End the session that holds the table"));
        }
    }

    /** The migration's sessions on {@code db}, once those closing have had a few seconds to end. */
    private static long pgmigrateSessionsOnceEnded(PostgresServer server, String db) throws InterruptedException {
        String sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgmigrate%' "
                + "AND application_name <> 'pgmigrate-testkit' AND datname = '" + db + "'";
        for (int i = 0; i < 100 && server.queryForLong("postgres", sessions) > 0; i++) {
            Thread.sleep(50);
        }
        return server.queryForLong("postgres", sessions);
    }

    @Test
    void checksOfADatabaseShareItsConnectionEachAsNew(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("shared"));
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Ids sort after every built-in one, so within the database's task the first runs right before the second.
        Validator spoiler = databaseCheck("zz-shared-1", context -> {
            java.sql.Connection kept;
            try (java.sql.Connection c = context.source().connect(db); var s = c.createStatement()) {
                kept = c;
                s.execute("SET search_path TO nowhere");
                s.execute("SET max_parallel_workers_per_gather = 4");
                s.execute("SET ROLE pg_read_all_stats");
                s.execute("SET application_name TO spoiler");
                c.setAutoCommit(false);
                try (var rs = s.executeQuery("SELECT pg_backend_pid(), txid_current()")) {
                    rs.next();
                    seen.add("pid " + rs.getInt(1));
                }
            }
            assertThatThrownBy(kept::createStatement).isInstanceOf(java.sql.SQLException.class);
            assertThat(kept.isClosed()).isTrue();
        });
        Validator reader = databaseCheck("zz-shared-2", context -> {
            try (java.sql.Connection c = context.source().connect(db); var s = c.createStatement();
                    var rs = s.executeQuery("SELECT pg_backend_pid(), current_setting('search_path'), "
                            + "txid_current_if_assigned() IS NULL, "
                            + "current_setting('max_parallel_workers_per_gather'), current_user = session_user, "
                            + "current_setting('application_name')")) {
                rs.next();
                seen.add("pid " + rs.getInt(1));
                seen.add("search_path " + rs.getString(2) + ", autocommit " + c.getAutoCommit() + ", read-only "
                        + c.isReadOnly() + ", in a new transaction " + rs.getBoolean(3) + ", parallel workers "
                        + rs.getString(4) + ", the login's role " + rs.getBoolean(5) + ", application "
                        + rs.getString(6));
            }
        });
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withValidator(spoiler).withValidator(reader)).build()) {
            MigrationRecord done = service.validate(spec("shared", source, target, db).build());
            assertThat(done.status()).as(done.validationResults().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        assertThat(seen).hasSize(3);
        assertThat(seen.get(1)).as("the second check reuses the first one's session").isEqualTo(seen.get(0));
        assertThat(seen.get(2)).isEqualTo("search_path \"$user\", public, autocommit true, read-only true, "
                + "in a new transaction true, parallel workers 0, the login's role true, application pgmigrate");
    }

    /** What a test validator does with its context; an assertion that fails makes its result Failed. */
    private interface CheckStep {
        void run(ValidationContext context) throws java.sql.SQLException;
    }

    /** A database-scoped validator that runs {@code step}, then succeeds. */
    private static Validator databaseCheck(String id, CheckStep step) {
        return new Validator() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public ValidationScope scope() {
                return ValidationScope.DATABASE;
            }

            @Override
            public String description() {
                return "A test check.";
            }

            @Override
            public List<ValidationResult> validate(ValidationContext context) throws java.sql.SQLException {
                try {
                    step.run(context);
                } catch (AssertionError e) {
                    return List.of(context.failed(e.getMessage(), "The test's assertion failed.", "Fix it.",
                            List.of()));
                }
                return List.of(context.succeeded("ran"));
            }
        };
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

    /**
     * Validation fails, before anything is created, what the restore would fail: a view on a function 10 renamed, and
     * one on a column of a system view 10 renamed.
     */
    @Test
    void aViewOnASystemFunctionOrColumnTheTargetLacksFailsValidationAsItWouldFailTheRestore(
            @Pg("9.6") PostgresServer source, @Pg("15") PostgresServer target) throws Exception {
        record Case(String view, String item, String failure) {
        }
        List<Case> cases = List.of(
                new Case("CREATE VIEW lsn_now AS SELECT id, pg_current_xlog_location() AS lsn FROM stamp",
                        "function pg_current_xlog_location(), used by view public.lsn_now (PostgreSQL 15 has "
                                + "pg_current_wal_lsn())", "pg_current_xlog_location()"),
                new Case("CREATE VIEW lag AS SELECT s.id, r.sent_location FROM stamp s LEFT JOIN pg_stat_replication r "
                        + "ON r.pid = s.id", "column pg_stat_replication.sent_location, used by view public.lag "
                        + "(PostgreSQL 15 has pg_stat_replication.sent_lsn)", "sent_location"));
        List<String> before = targetCatalog(target);
        for (Case c : cases) {
            String db = source.createDatabase(TestDatabases.unique("sysobj"));
            source.execute(db, "CREATE TABLE stamp (id int)", "INSERT INTO stamp VALUES (1)", c.view());
            try (MigrationService service = MigrationService.builder().build()) {
                MigrationRecord validated = service.start(spec(db.replace('_', '-'), source, target, db).build())
                        .await();
                assertThat(validated.status()).as(validated.errors().toString())
                        .isEqualTo(MigrationStatus.VALIDATION_FAILED);
                assertThat(validated.validationResults()).as(c.view()).anyMatch(r -> r.validatorId()
                        .equals("system-objects") && r.status() == ValidationStatus.FAILED
                        && r.items().equals(List.of(c.item())));
                assertThat(targetCatalog(target)).isEqualTo(before);
                // Unvalidated, the restore meets the view once the database exists, and the migration rolls back.
                MigrationRecord migrated = service.start(spec(db.replace('_', '-') + "-unchecked", source, target,
                        db).option(MigrationOption.MIGRATE).build()).await();
                assertThat(migrated.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(migrated.errors()).as(c.view()).anyMatch(e -> e.text().contains(c.failure())
                        && e.text().contains(c.view().split(" ")[2]));
            }
            assertThat(targetCatalog(target)).isEqualTo(before);
        }
    }
}
