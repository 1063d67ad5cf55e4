package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.CopyContext;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.EverythingDataset;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What users of other tools trip over most (reference section (c)); each must not happen here. */
@PostgresTest
class TrapsTest {

    @Test
    void restoresOntoATargetWithoutSuperuser(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("managed"));
        EverythingDataset.load(source, db);
        source.execute(db, "COMMENT ON EXTENSION hstore IS 'key/value pairs'");
        // Policies name this role; without roles migrated it must exist on the target already.
        target.execute("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '"
                + EverythingDataset.READER_ROLE + "') THEN CREATE ROLE " + EverythingDataset.READER_ROLE
                + "; END IF; END $$");
        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> s);
        assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.verification().orElseThrow().tableMismatches()).isEmpty();
        assertThat(done.notes()).anyMatch(n -> n.text().contains("owned by pgadmin instead of postgres"));
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_extension WHERE extname IN "
                + "('hstore', 'citext', 'pg_trgm')")).isEqualTo(3);
    }

    @Test
    void aFailingTableStopsEveryWorkerAndRollsBack(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("boom"));
        source.execute(db, "CREATE TABLE boom (id int)", "INSERT INTO boom VALUES (1)",
                "CREATE TABLE big (id bigint PRIMARY KEY, v text)",
                "INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 400000) g");
        List<String> before = PluginJarTest.databases(target);
        DataMover failing = new DataMover() {
            @Override
            public String id() {
                return "failing-mover";
            }

            @Override
            public int priority() {
                return 1000;
            }

            @Override
            public boolean supports(CopyTask task) {
                return task.table().equals("boom");
            }

            @Override
            public MoveResult move(CopyTask task, CopyContext context) throws SQLException {
                throw new SQLException("disk on fire", "53100");
            }
        };
        Plugins plugins = Plugins.discover().withMover(failing);
        long start = System.nanoTime();
        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().plugins(plugins).build()) {
            done = service.start(spec("boom", source, target, db, MigrationOption.MIGRATE,
                    MigrationSettings.builder().parallelism(2).build())).await();
        }
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.OUT_OF_RESOURCES);
        assertThat(done.errors()).anyMatch(e -> e.text().contains("boom") && e.text().contains("disk on fire")
                && e.text().contains("53100"));
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
        assertThat((System.nanoTime() - start) / 1_000_000_000).as("no worker hangs").isLessThan(120);
    }

    @Test
    void refreshesMaterializedViewsWhoseFunctionsUseUnqualifiedNames(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("matview"));
        source.execute(db, "CREATE TABLE price (id int, amount numeric)",
                "INSERT INTO price SELECT g, g * 2 FROM generate_series(1, 50) g",
                "CREATE FUNCTION doubled(x numeric) RETURNS numeric LANGUAGE sql AS 'SELECT x * (SELECT count(*) FROM price) / 50'",
                "CREATE MATERIALIZED VIEW pricey AS SELECT id, doubled(amount) AS d FROM price",
                "CREATE MATERIALIZED VIEW not_yet AS SELECT id FROM price WITH NO DATA");
        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> s);
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pricey")).isEqualTo(50);
        assertThat(target.queryForString(db, "SELECT relispopulated::text FROM pg_class WHERE relname = 'not_yet'"))
                .isEqualTo("false");
    }

    @Test
    void createsDatabasesWithTheSourcesEncodingAndLocale(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("latin");
        source.execute("postgres", "CREATE DATABASE " + db + " TEMPLATE template0 ENCODING 'LATIN1' "
                + "LC_COLLATE 'C' LC_CTYPE 'C' CONNECTION LIMIT 7",
                "ALTER DATABASE " + db + " SET work_mem = '12MB'",
                "ALTER DATABASE " + db + " SET search_path = \"$user\", public, \"Other Schema\"");
        source.execute(db, "CREATE TABLE t (v text)", "INSERT INTO t VALUES ('caf\u00e9'), ('na\u00efve')");
        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> s);
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.query("postgres", "SELECT pg_encoding_to_char(encoding), datcollate, datctype, "
                + "datconnlimit::text FROM pg_database WHERE datname = '" + db + "'"))
                .containsExactly(List.of("LATIN1", "C", "C", "7"));
        assertThat(target.queryForString("postgres", "SELECT array_to_string(s.setconfig, ',') FROM "
                + "pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = '" + db + "'"))
                .isEqualTo("work_mem=12MB,search_path=\"$user\", public, \"Other Schema\"");
        assertThat(target.queryForString(db, "SELECT string_agg(v, ',' ORDER BY v) FROM t")).isEqualTo("caf\u00e9,na\u00efve");
    }

    @Test
    void aSchemaObjectTheTargetCannotCreateFailsWithItsNameAndRollsBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("badschema"));
        String role = "only_on_source_" + db;
        source.execute(db, "CREATE ROLE " + role, "CREATE TABLE t (v text)", "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY p ON t FOR SELECT TO " + role + " USING (true)");
        List<String> before = PluginJarTest.databases(target);
        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> s.migrateRoles(false));
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.OBJECT_NOT_CREATED);
        assertThat(done.errors()).anyMatch(e -> e.text().contains("POLICY") && e.text().contains(role) && e.text().contains("42704"));
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    /**
     * The pre-data goes in batches of statements run as one transaction each; one that fails is run again statement
     * by statement, so the failure names its own object, and nothing of the batch or before it stays.
     */
    @Test
    void aPreDataObjectTheTargetCannotCreateAmidManyFailsWithItsNameAndRollsBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("badpredata"));
        String role = "mapped_only_on_source_" + db;
        source.execute("postgres", "CREATE ROLE " + role);
        try {
            source.execute(db, "CREATE EXTENSION postgres_fdw", "CREATE SERVER elsewhere FOREIGN DATA WRAPPER postgres_fdw",
                    "CREATE USER MAPPING FOR " + role + " SERVER elsewhere",
                    "DO $$ BEGIN FOR i IN 1..300 LOOP EXECUTE format('CREATE TABLE t%s (id int, v text)', i); "
                            + "END LOOP; END $$");
            List<String> before = PluginJarTest.databases(target);
            MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> s.migrateRoles(false));
            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code)
                    .contains(MessageCode.OBJECT_NOT_CREATED);
            assertThat(done.errors().get(0).text()).contains("Cannot create USER MAPPING", role, "42704",
                    "Statement: CREATE USER MAPPING");
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
        } finally {
            source.dropDatabase(db);
            source.execute("postgres", "DROP ROLE IF EXISTS " + role);
        }
    }

    /**
     * An extension PostgreSQL lets only superusers create, onto a target whose admin is none and where nothing else
     * lets it: validation fails naming it, instead of the restore failing part way.
     */
    @Test
    void anUntrustedExtensionTheTargetAdminCannotCreateFailsValidationNamingIt(@Pg("14") PostgresServer source,
            @Pg("15") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("untrusted"));
        source.execute(db, "CREATE EXTENSION file_fdw", "CREATE EXTENSION hstore", "CREATE TABLE t (h hstore)",
                "INSERT INTO t VALUES ('a=>1')");
        String admin = TestDatabases.unique("admin");
        target.execute("postgres", "CREATE ROLE " + admin + " LOGIN CREATEDB CREATEROLE PASSWORD 'admin-pw'",
                "GRANT pg_read_all_settings TO " + admin);
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationSpec checked = MigrationSpec.builder().name(db.replace('_', '-')).source(source.serverSpec())
                    .target(target.serverSpec().withLogin(admin, Optional.of(Secret.of("admin-pw")))).databases(db)
                    .option(MigrationOption.VALIDATE_AND_MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2).build()).build();
            MigrationRecord validated = service.start(checked).await();
            assertThat(validated.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
            assertThat(validated.validationResults()).filteredOn(r -> r.status() == ValidationStatus.FAILED)
                    .singleElement().satisfies(r -> {
                        assertThat(r.validatorId()).isEqualTo("extension-allow-list");
                        assertThat(r.items()).containsExactly("file_fdw (in " + db + ")");
                    });
            // What validation foresaw: without it, the restore fails at CREATE EXTENSION and rolls back.
            MigrationRecord unchecked = service.start(MigrationSpec.builder().name(db.replace('_', '-') + "-2")
                    .source(checked.source()).target(checked.target()).databases(db).option(MigrationOption.MIGRATE)
                    .settings(checked.settings()).build()).await();
            assertThat(unchecked.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(unchecked.errors()).anyMatch(e -> e.code() == MessageCode.PRIVILEGE_MISSING
                    && e.text().contains("file_fdw") && e.text().contains("42501"));
        }
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    @Test
    void copiesManyLargeObjectsInParallel(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("lobs"));
        source.execute(db, "SELECT lo_from_bytea(0, convert_to(repeat('lo' || g, 100), 'UTF8')) "
                + "FROM generate_series(1, 1500) g");
        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> s);
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_largeobject_metadata")).isEqualTo(1500);
        assertThat(target.queryForString(db, "SELECT md5(string_agg(encode(lo_get(oid), 'hex'), '' ORDER BY oid)) "
                + "FROM pg_largeobject_metadata")).isEqualTo(source.queryForString(db, "SELECT "
                + "md5(string_agg(encode(lo_get(oid), 'hex'), '' ORDER BY oid)) FROM pg_largeobject_metadata"));
    }

    private static MigrationRecord migrate(PostgresServer source, PostgresServer target, String db,
            MigrationOption option, UnaryOperator<MigrationSettings.Builder> settings) throws Exception {
        try (MigrationService service = MigrationService.builder().build()) {
            return service.start(spec(db.replace('_', '-'), source, target, db, option,
                    settings.apply(MigrationSettings.builder().parallelism(2)).build())).await();
        }
    }

    private static MigrationSpec spec(String name, PostgresServer source, PostgresServer target, String db,
            MigrationOption option, MigrationSettings settings) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec())
                .databases(db).option(option).settings(settings).build();
    }
}
