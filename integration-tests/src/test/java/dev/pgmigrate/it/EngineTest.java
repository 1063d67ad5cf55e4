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
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.ValidationContext;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.EverythingDataset;
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
                            + "current_setting('max_parallel_workers_per_gather'), current_user = session_user")) {
                rs.next();
                seen.add("pid " + rs.getInt(1));
                seen.add("search_path " + rs.getString(2) + ", autocommit " + c.getAutoCommit() + ", read-only "
                        + c.isReadOnly() + ", in a new transaction " + rs.getBoolean(3) + ", parallel workers "
                        + rs.getString(4) + ", the login's role " + rs.getBoolean(5));
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
                + "in a new transaction true, parallel workers 0, the login's role true");
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
    void comparesATableWhileAnotherIsStillBeingBuilt(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("early"));
        source.execute(db, FaultsTest.SLOW_FUNCTION, "CREATE TABLE quick (id int PRIMARY KEY, v text)",
                "INSERT INTO quick SELECT g, md5(g::text) FROM generate_series(1, 1000) g",
                "CREATE TABLE slow_keys (id int)", "INSERT INTO slow_keys SELECT generate_series(1, 300)",
                "CREATE INDEX slow_keys_idx ON slow_keys (slow(id))");
        List<java.time.Instant> completing = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("early", source, target, db).option(MigrationOption.MIGRATE)
                    .build(), event -> {
                        if (event instanceof dev.pgmigrate.api.MigrationEvent.PhaseChanged p
                                && p.substatus() == MigrationSubstatus.COMPLETING_MIGRATION) {
                            completing.add(p.at());
                        }
                    }).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            var verification = done.verification().orElseThrow();
            assertThat(verification.matches()).isTrue();
            assertThat(verification.tables()).extracting(t -> t.table()).containsExactly("quick", "slow_keys");
            // 'quick' was compared while the slow index of 'slow_keys' was still being built.
            assertThat(verification.startedAt()).isBefore(completing.get(0));
        }
    }

    @Test
    void splitsOnlyATableThatWouldOutlastTheOthers(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("balance"));
        // Above the 1 MiB split setting all three; but only 'alone' is larger than a worker's share of the data.
        source.execute(db, "CREATE TABLE alone (id bigint PRIMARY KEY, v text)",
                "INSERT INTO alone SELECT g, md5(g::text) FROM generate_series(1, 100000) g",
                "CREATE TABLE peer1 (id bigint PRIMARY KEY, v text)",
                "INSERT INTO peer1 SELECT g, md5(g::text) FROM generate_series(1, 20000) g",
                "CREATE TABLE peer2 (LIKE peer1 INCLUDING ALL)", "INSERT INTO peer2 SELECT * FROM peer1");
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("balance", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2).splitTablesLargerThanBytes(1024 * 1024)
                            .build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
            var tables = done.database(db).orElseThrow().tables();
            assertThat(tables).filteredOn(t -> t.table().equals("alone")).singleElement()
                    .satisfies(t -> assertThat(t.parts()).isGreaterThan(1));
            assertThat(tables).filteredOn(t -> t.table().startsWith("peer")).hasSize(2)
                    .allSatisfy(t -> assertThat(t.parts()).isEqualTo(1));
        }
        assertThat(target.queryForLong(db, "SELECT count(*) FROM alone")).isEqualTo(100000);
    }

    @Test
    void aBigintKeySpanningMoreThanALongIsSplitWithoutOverflow(@Pg("11") PostgresServer source,
            @Pg("15") PostgresServer target) throws Exception {
        // Before 14 a table is split on its integer key; these keys span nearly all of bigint (hash-like ids).
        String db = source.createDatabase(TestDatabases.unique("widekeys"));
        source.execute(db, "CREATE TABLE wide_keys (id bigint PRIMARY KEY, v text)",
                "INSERT INTO wide_keys SELECT (-9223372036854775000::numeric + g * 300000000000000::numeric)::bigint, repeat('w', 100) "
                        + "FROM generate_series(1, 60000) g",
                "INSERT INTO wide_keys VALUES (9223372036854775807, 'max'), (-9223372036854775808, 'min')",
                "CREATE TABLE small (id int)", "INSERT INTO small VALUES (1)");
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("wide-keys", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2).splitTablesLargerThanBytes(1024 * 1024)
                            .build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.database(db).orElseThrow().tables()).filteredOn(t -> t.table().equals("wide_keys"))
                    .singleElement().satisfies(t -> {
                        assertThat(t.parts()).isGreaterThan(1);
                        assertThat(t.rows()).isEqualTo(60002);
                    });
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        }
        target.execute("postgres", "DROP DATABASE \"" + db + "\"");
    }

    @Test
    void aTablesBuildsOvertakeABigCopyButWaitForTheLastSmallOnes(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("order"));
        // One worker, largest first: big_a, then big_b (above the 16 MiB that builds do not overtake), then small.
        source.execute(db, "CREATE TABLE big_a (id bigint PRIMARY KEY, v text)",
                "INSERT INTO big_a SELECT g, md5(g::text) FROM generate_series(1, 400000) g",
                "CREATE TABLE big_b (id bigint PRIMARY KEY, v text)",
                "INSERT INTO big_b SELECT g, md5(g::text) FROM generate_series(1, 300000) g",
                "CREATE TABLE small (id int PRIMARY KEY)", "INSERT INTO small SELECT generate_series(1, 100)");
        assertThat(source.queryForLong(db, "SELECT pg_relation_size('big_b')")).isGreaterThan(17L * 1024 * 1024);
        java.util.Map<String, String> indexedWhenCopied = new java.util.concurrent.ConcurrentHashMap<>();
        DataMover spying = TestMovers.textMoverThen("order-spy", task -> true, (task, context) -> {
            try (var statement = context.target().createStatement(); var rs = statement.executeQuery(
                    "SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') FROM pg_index i "
                            + "JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname LIKE 'big%'")) {
                rs.next();
                indexedWhenCopied.put(task.table(), rs.getString(1));
            }
        });
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(spying)).build()) {
            MigrationRecord done = service.start(spec("order", source, target, db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(1).verify(false).build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        // big_a's key was built before big_b was copied; big_b's waited until the small table was in.
        assertThat(indexedWhenCopied).containsEntry("big_a", "").containsEntry("big_b", "big_a")
                .containsEntry("small", "big_a");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_index WHERE indrelid = 'big_b'::regclass"))
                .isEqualTo(1);
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
