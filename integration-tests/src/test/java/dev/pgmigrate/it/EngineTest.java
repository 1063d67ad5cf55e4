package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.SchemaSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's phases with the built-in validators and movers, on real servers. */
@PostgresTest
class EngineTest {

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
            // The refused starts had begun their logins before the store refused them; those are closed too.
            for (PostgresServer server : List.of(source, target)) {
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
                long sessions;
                while ((sessions = server.queryForLong("postgres", "SELECT count(*) FROM pg_stat_activity WHERE "
                        + "application_name = 'pgmigrate'")) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(sessions).as("pgmigrate sessions left on " + server).isZero();
            }
            // The name of one that ended is taken too, until a start replaces it; the ended one is kept.
            assertThatThrownBy(() -> service.start(spec("busy", source, target, db).build()))
                    .isInstanceOf(MigrationException.class).hasMessageContaining("already ended (Canceled")
                    .hasMessageContaining("--replace")
                    .satisfies(e -> assertThat(((MigrationException) e).code()).isEqualTo(
                            dev.pgmigrate.api.MessageCode.MIGRATION_NAME_IN_USE));
            MigrationRecord again = service.startReplacing(spec("busy", source, target, db).build(),
                    java.util.Map.of()).await();
            assertThat(again.status()).as(again.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(service.list()).extracting(MigrationRecord::name).containsExactly("busy");
            assertThat(service.history("busy", target.serverSpec())).extracting(MigrationRecord::status)
                    .containsExactly(MigrationStatus.CANCELED);
        }
    }

    @Test
    void verificationCatchesARowChangedOnTheTargetAndRollsBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("tampered"));
        source.execute(db, "CREATE TABLE account (id int PRIMARY KEY, balance numeric)",
                "INSERT INTO account SELECT g, g * 10 FROM generate_series(1, 1000) g",
                "CREATE TABLE other (id int)", "INSERT INTO other SELECT generate_series(1, 10)");
        // A mover that changes one value behind the engine's back, as a faulty plugin or a concurrent writer would.
        DataMover tampering = TestMovers.textMoverThen("tampering-mover", task -> task.table().equals("account"),
                (task, context) -> {
                    try (var statement = context.target().createStatement()) {
                        statement.execute("UPDATE " + task.qualifiedName()
                                + " SET balance = balance + 1 WHERE id = 500");
                    }
                });
        List<String> before = targetCatalog(target);
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(tampering)).build()) {
            MigrationRecord done = service.start(spec("tampered", source, target, db)
                    .option(MigrationOption.MIGRATE).build()).await();
            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.VERIFICATION_MISMATCH);
            assertThat(done.errors()).anyMatch(e -> e.text().contains("Verification of database " + db + " failed")
                    && e.text().contains("Table public.account: 1000 rows on the source, 1000 on the target; checksums"));
            assertThat(done.verification().orElseThrow().tableMismatches()).extracting(t -> t.table())
                    .containsExactly("account");
            assertThat(done.database(db).orElseThrow().status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.database(db).orElseThrow().endedAt()).isPresent();
        }
        assertThat(targetCatalog(target)).isEqualTo(before);
    }

    @Test
    void analyzeFillsInExtendedStatisticsAndIndexExpressionStatistics(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("stats"));
        source.execute(db, "CREATE TABLE plain (id int PRIMARY KEY, a int, b int)",
                "INSERT INTO plain SELECT g, g % 10, g % 20 FROM generate_series(1, 5000) g",
                "CREATE STATISTICS plain_ab (ndistinct, dependencies) ON a, b FROM plain",
                "CREATE TABLE expr (id int PRIMARY KEY, name text)",
                "INSERT INTO expr SELECT g, 'Name' || (g % 50) FROM generate_series(1, 5000) g",
                "CREATE INDEX expr_lower ON expr (lower(name))",
                "CREATE STATISTICS expr_stats (mcv) ON id, name FROM expr", "ANALYZE");
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("stats", source, target, db).option(MigrationOption.MIGRATE)
                    .build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        // Each statistics object was created before its table's ANALYZE, which filled it in; the index on an
        // expression existed when its table was analyzed.
        assertThat(target.query(db, "SELECT x.stxname, d.stxdndistinct IS NOT NULL, d.stxddependencies IS NOT NULL, "
                + "d.stxdmcv IS NOT NULL FROM pg_statistic_ext x JOIN pg_statistic_ext_data d ON d.stxoid = x.oid "
                + "ORDER BY 1")).containsExactly(List.of("expr_stats", "f", "f", "t"), List.of("plain_ab", "t", "t", "f"));
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_stats WHERE tablename = 'expr_lower'"))
                .isEqualTo(1);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_stats WHERE tablename = 'plain'")).isEqualTo(3);
        // A small table's post-data goes in one round trip as one transaction: its key's index, the key, its
        // statistics object and what ANALYZE gathered were all written by one transaction; a table with an index on
        // an expression (user code, maybe slow) has each build on its own, shown in the progress while it runs.
        String transactions = "SELECT DISTINCT x::text FROM (SELECT xmin AS x FROM pg_class WHERE oid = '%1$s_pkey'"
                + "::regclass UNION ALL SELECT xmin FROM pg_constraint WHERE conname = '%1$s_pkey' UNION ALL SELECT "
                + "xmin FROM pg_statistic_ext WHERE stxrelid = '%1$s'::regclass UNION ALL SELECT xmin FROM "
                + "pg_statistic WHERE starelid = '%1$s'::regclass) s";
        assertThat(target.query(db, transactions.formatted("plain"))).as("transactions that built plain").hasSize(1);
        assertThat(target.query(db, transactions.formatted("expr"))).as("transactions that built expr").hasSize(4);
    }

    @Test
    void indexBuildsUseTheParallelWorkersOptionAndABadValueChangesNothing(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("idxworkers"));
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 100)");
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        DataMover spying = TestMovers.textMoverThen("spying-mover", task -> true, (task, context) -> {
            try (var statement = context.target().createStatement();
                    var rs = statement.executeQuery("SHOW max_parallel_maintenance_workers")) {
                rs.next();
                seen.add(rs.getString(1));
            }
        });
        List<String> before = targetCatalog(target);
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(spying)).build()) {
            // A bad value is a spec problem naming the option, refused before any record or connection.
            assertThatThrownBy(() -> service.start(spec("idx-bad", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2)
                            .option("indexes.parallelWorkers", "many").build()).build()))
                    .isInstanceOf(dev.pgmigrate.api.InvalidSpecException.class)
                    .hasMessageContaining("settings.options.indexes.parallelWorkers = many");
            assertThatThrownBy(() -> service.start(spec("verify-bad", source, target, db)
                    .option(MigrationOption.MIGRATE).settings(MigrationSettings.builder().parallelism(2)
                            .option("verify.duringCopy", "maybe").build()).build()))
                    .isInstanceOf(dev.pgmigrate.api.InvalidSpecException.class)
                    .hasMessageContaining("settings.options.verify.duringCopy = maybe");
            assertThat(service.list()).isEmpty();
            assertThat(targetCatalog(target)).isEqualTo(before);
            assertThat(seen).isEmpty();

            MigrationRecord defaults = service.start(spec("idx-default", source, target, db)
                    .option(MigrationOption.MIGRATE).build()).await();
            assertThat(defaults.status()).as(defaults.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(seen).containsExactly("0");
        }
        target.execute("postgres", "DROP DATABASE \"" + db + "\"");
        seen.clear();
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(spying)).build()) {
            MigrationRecord three = service.start(spec("idx-three", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2)
                            .option("indexes.parallelWorkers", "3").build()).build()).await();
            assertThat(three.status()).as(three.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(seen).containsExactly("3");
        }
    }

    static MigrationSpec.Builder spec(String name, PostgresServer source, PostgresServer target, String db) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec()).databases(db)
                .option(MigrationOption.VALIDATE_AND_MIGRATE)
                .settings(MigrationSettings.builder().parallelism(2).build());
    }

    /** Databases, roles and settings of the target, and the schema of its postgres database. */
    static List<String> targetCatalog(PostgresServer target) {
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
