package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import org.junit.jupiter.api.Test;

/**
 * The verification describes the target as the migration leaves it, not as it was when a table was copied: steps
 * after the copy that run the user's code (a materialized view's refresh, event triggers) are either kept from
 * writing, or the tables are compared after them.
 */
@PostgresTest
class LateWritesTest {

    @Test
    void anEventTriggerThatLogsDdlDoesNotFireOnTheMigrationsRefreshes(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("event_audit"));
        source.execute(db, "CREATE TABLE ddl_audit (id serial PRIMARY KEY, tag text NOT NULL)",
                "CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "INSERT INTO public.ddl_audit (tag) VALUES (tg_tag); END $$",
                "CREATE TABLE base (id int)", "INSERT INTO base SELECT generate_series(1, 100)",
                "CREATE MATERIALIZED VIEW base_count AS SELECT count(*) AS n FROM base",
                "CREATE EVENT TRIGGER ddl_logger ON ddl_command_end EXECUTE FUNCTION log_ddl()",
                "REFRESH MATERIALIZED VIEW base_count");
        assertThat(source.queryForLong(db, "SELECT count(*) FROM ddl_audit")).isEqualTo(1);

        MigrationRecord done = migrate(source, target, db, "event-audit");

        assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM ddl_audit")).isEqualTo(1);
        assertThat(target.queryForString(db, "SELECT evtenabled::text FROM pg_event_trigger WHERE evtname = "
                + "'ddl_logger'")).isEqualTo("O");
        try (MigrationService service = MigrationService.builder().build()) {
            VerificationReport again = service.verify(source.serverSpec(), db, target.serverSpec(), db,
                    MigrationSettings.builder().parallelism(2).build());
            assertThat(again.matches()).as("%s", again.tableMismatches()).isTrue();
        }
    }

    @Test
    void aTableWrittenByARefreshIsComparedAfterIt(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("refresh_writes"));
        source.execute(db, "CREATE TABLE touched (n int)",
                // Copied long after the small table is in: that one's comparison would run before the refresh.
                "CREATE TABLE other (id int PRIMARY KEY, v text)",
                "INSERT INTO other SELECT g, repeat('x', 200) FROM generate_series(1, 300000) g",
                "CREATE FUNCTION touch() RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
                        + "INSERT INTO public.touched VALUES (1); RETURN 1; END $$",
                "CREATE MATERIALIZED VIEW side_effect AS SELECT touch() AS t");
        assertThat(source.queryForLong(db, "SELECT count(*) FROM touched")).isEqualTo(1);

        MigrationRecord done = migrate(source, target, db, "refresh-writes");

        // pg_dump | psql leaves the same extra row; the point is that the verification says so.
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(done.verification().orElseThrow().tableMismatches()).singleElement().satisfies(t -> {
            assertThat(t.table()).isEqualTo("touched");
            assertThat(t.sourceRows()).isEqualTo(1);
            assertThat(t.targetRows()).isEqualTo(2);
        });
        assertThat(done.verification().orElseThrow().tables()).extracting(TableVerification::table)
                .contains("other", "touched");
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'"))
                .isZero();
    }

    private static MigrationRecord migrate(PostgresServer source, PostgresServer target, String db, String name)
            throws InterruptedException {
        MigrationSpec spec = MigrationSpec.builder().name(name + "-" + db.replace('_', '-'))
                .source(source.serverSpec()).target(target.serverSpec()).databases(db)
                .option(MigrationOption.MIGRATE)
                .settings(MigrationSettings.builder().parallelism(2).build()).build();
        try (MigrationService service = MigrationService.builder().build()) {
            return service.start(spec).await();
        }
    }
}
