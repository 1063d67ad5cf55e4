package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.spi.ValidationContext;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ValidateAndMigrate takes the first database's snapshot and runs pg_dump while the premigration checks run, and
 * changes the target only once they passed; when one fails, the snapshot and pg_dump end and nothing is left.
 */
@PostgresTest
class SourceSideDuringValidationTest {
    @Test
    void theSnapshotIsTakenWhileTheChecksRun(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = database(source, "early");
        MigrationRecord done = run(source, target, db, new SnapshotWatch(db, true));
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.validationResults()).anySatisfy(r -> assertThat(r.found())
                .isEqualTo("The migration's snapshot held the source's tables while the checks ran."));
        assertThat(target.queryForLong(db, "SELECT count(*) FROM t")).isEqualTo(100);
    }

    @Test
    void aFailedCheckEndsTheSnapshotAndPgDumpAndChangesNothing(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = database(source, "earlyfail");
        List<String> before = PluginJarTest.databases(target);
        MigrationRecord done = run(source, target, db, new SnapshotWatch(db, false));
        assertThat(done.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
        assertThat(done.validationResults()).as("the check failed while the snapshot was held").anySatisfy(r ->
                assertThat(r.found()).isEqualTo("The migration's snapshot held the source's tables while the checks ran."));
        assertThat(PluginJarTest.databases(target)).as("the target's databases").isEqualTo(before);
        // The snapshot's session is closed before the run ends; a killed pg_dump's session ends as its server sees.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long left;
        while ((left = source.queryForLong("postgres", "SELECT count(*) FROM pg_stat_activity WHERE "
                + "application_name LIKE 'pgmigrate%' AND pid <> pg_backend_pid()")) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(left).as("the migration's sessions left on the source").isZero();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
                .contains("--dbname=") && p.info().commandLine().orElse("").contains(db)).count())
                .as("pg_dump processes of the migration still running").isZero();
    }

    private static String database(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100) g");
        return db;
    }

    private static MigrationRecord run(PostgresServer source, PostgresServer target, String db, Validator check)
            throws Exception {
        try (MigrationService service = MigrationService.builder().plugins(Plugins.discover().withValidator(check))
                .build()) {
            return service.start(MigrationSpec.builder().name(db.replace('_', '-')).source(source.serverSpec())
                    .target(target.serverSpec()).databases(db).option(MigrationOption.VALIDATE_AND_MIGRATE).build())
                    .await(Duration.ofSeconds(120));
        }
    }

    /**
     * Waits up to 20 s for another session of the migration to hold table t of the database (its snapshot's lock),
     * then succeeds, or fails when {@code pass} is false; fails when no such session came.
     */
    private record SnapshotWatch(String db, boolean pass) implements Validator {
        @Override
        public String id() {
            return "snapshot-watch";
        }

        @Override
        public ValidationScope scope() {
            return ValidationScope.INSTANCE;
        }

        @Override
        public String description() {
            return "Whether the migration's snapshot holds the source's tables while the checks run.";
        }

        @Override
        public List<ValidationResult> validate(ValidationContext context) throws SQLException {
            try (Connection c = context.source().connect(db); Statement s = c.createStatement()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a "
                            + "ON a.pid = l.pid WHERE l.relation = 'public.t'::regclass AND l.mode = "
                            + "'AccessShareLock' AND a.application_name = 'pgmigrate' AND l.pid <> pg_backend_pid()")) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            String found = "The migration's snapshot held the source's tables while the checks ran.";
                            return List.of(pass ? context.succeeded(found) : context.failed(found, "This test's "
                                    + "check fails once it saw the snapshot.", "None: it is a test.", List.of()));
                        }
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted", e);
                    }
                }
            }
            return List.of(context.failed("No snapshot of the migration held the source's tables within 20 s.",
                    "The snapshot is taken while the checks run.", "None: it is a test.", List.of()));
        }
    }
}
