package dev.pgmigrate.validators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.ValidationOutcome;
import dev.pgmigrate.testkit.ValidatorTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The database-level checks on real servers, each run on a database without what it looks for and on one with it;
 * those of what the target must support are in {@link TargetSupportValidatorsTest}.
 */
@PostgresTest
class DatabaseValidatorsTest {
    static ValidationOutcome run(String id, PostgresServer source, PostgresServer target, String database) {
        return ValidatorTestKit.validator(id).source(source).target(target).database(database).run();
    }

    /** A fresh database on {@code server} holding the objects {@code sql} creates. */
    static String database(PostgresServer server, String... sql) {
        String db = server.createUniqueDatabase("db");
        server.execute(db, sql);
        return db;
    }

    /** Runs {@code id} twice: on a database without the objects (Succeeded), and on one with them. */
    static void passesThenReports(String id, PostgresServer source, PostgresServer target,
            ValidationStatus status, String mention, String... sql) {
        run(id, source, target, database(source)).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
        run(id, source, target, database(source, sql)).assertThatResults().hasStatus(status).mentions(mention)
                .everyProblemHasARemedy();
    }

    @Test
    void sourceDatabaseExistsAndAcceptsTheLogin(@Pg("17") PostgresServer server) {
        run("source-database", server, server, database(server)).assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions(" ms");
        run("source-database", server, server, "no_such_db").assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("does not exist", "postgres");
    }

    @Test
    void targetDatabaseIsAbsentOrEmptyOrOverwritten(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        String db = database(source);
        run("target-database", source, target, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
        target.createDatabase(db);
        // Empty is no better: the copy would take its name only at the end, after copying everything.
        run("target-database", source, target, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("is empty", "overwriteDbsInTarget");
        target.execute(db, "CREATE TABLE leftover (id int)");
        run("target-database", source, target, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("user objects", "overwriteDbsInTarget");
        ValidatorTestKit.validator("target-database").source(source).target(target).database(db)
                .settings(s -> s.overwriteDbsInTarget(true)).run().assertThatResults()
                .hasStatus(ValidationStatus.FAILED).mentions("may not drop it", "GRANT postgres TO pgadmin");
        ValidatorTestKit.validator("target-database").source(source).target(source).database(db)
                .settings(s -> s.overwriteDbsInTarget(true)).run().assertThatResults()
                .hasStatus(ValidationStatus.WARNING).mentions("dropped");
    }

    @Test
    void sourceReadPrivilegesListWhatTheLoginCannotRead(
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer source) {
        String db = database(source, "CREATE SCHEMA hidden", "CREATE TABLE hidden.secrets (id int)",
                "CREATE TABLE public.private (id int)", "SELECT lo_create(0)");
        source.execute("postgres", "GRANT CONNECT ON DATABASE " + db + " TO pgadmin");
        run("source-read-privileges", source, source, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("schema hidden", "table hidden.secrets", "table private", "1 large objects",
                        "pg_read_all_data");
        source.executeAsAdmin("postgres", "SELECT 1");
        String mine = database(source);
        source.execute(mine, "GRANT ALL ON SCHEMA public TO pgadmin");
        source.executeAsAdmin(mine, "CREATE TABLE mine (id int)");
        run("source-read-privileges", source, source, mine).assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void referencedRolesMustExistWhenRolesAreNotMigrated(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        source.execute("postgres", "DROP ROLE IF EXISTS vt_owner", "CREATE ROLE vt_owner");
        String db = database(source, "CREATE TABLE owned (id int)", "ALTER TABLE owned OWNER TO vt_owner");
        run("referenced-roles", source, target, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("Roles are migrated");
        ValidatorTestKit.validator("referenced-roles").source(source).target(target).database(db)
                .settings(s -> s.migrateRoles(false)).run().assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("vt_owner");
    }

    /**
     * Default privileges need their roles on the target, and a login that may act as the role: roles the
     * migration creates it may; one the target has it may not unless it is a member (with SET from 16).
     */
    @Test
    void defaultPrivilegesNameThoseTheTargetCannotSet(@Pg("16") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        String writer = TestDatabases.unique("vt_writer");
        String reader = TestDatabases.unique("vt_reader");
        source.execute("postgres", "CREATE ROLE " + writer, "CREATE ROLE " + reader);
        run("default-privileges", source, target, database(source)).assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("no default privileges");
        String db = database(source, "CREATE SCHEMA s",
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + writer + " IN SCHEMA s GRANT SELECT ON TABLES TO " + reader,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + writer + " REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC");
        try {
            run("default-privileges", source, target, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                    .mentions("2 default privileges");
            ValidatorTestKit.validator("default-privileges").source(source).target(target).database(db)
                    .settings(s -> s.migrateRoles(false)).run().assertThatResults()
                    .hasStatus(ValidationStatus.WARNING).mentions("the target lacks " + writer
                            + " and roles are not migrated").everyProblemHasARemedy();
            target.execute("postgres", "CREATE ROLE " + writer);
            run("default-privileges", source, target, db).assertThatResults().hasStatus(ValidationStatus.WARNING)
                    .mentions("pgadmin cannot act as " + writer, "on functions", "on tables in schema s",
                            "GRANT it to pgadmin WITH SET TRUE");
            target.execute("postgres", "GRANT " + writer + " TO pgadmin");
            ValidatorTestKit.validator("default-privileges").source(source).target(target).database(db)
                    .settings(s -> s.migrateRoles(false)).run().assertThatResults()
                    .hasStatus(ValidationStatus.WARNING).mentions("the grant to " + reader + " is left out")
                    .doesNotMention("pgadmin cannot act as");
        } finally {
            target.execute("postgres", "DROP ROLE IF EXISTS " + writer);
            source.dropDatabase(db);
            source.execute("postgres", "DROP ROLE " + writer, "DROP ROLE " + reader);
        }
    }

    @Test
    void extensionsAvailableFindsOnesTheTargetLacks(@Pg("11") PostgresServer source, @Pg("17") PostgresServer target) {
        String ok = database(source, "CREATE EXTENSION hstore");
        run("extensions-available", source, target, ok).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("newer version");
        String removed = database(source, "CREATE EXTENSION adminpack");
        run("extensions-available", source, target, removed).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("adminpack");
        assertThat(ExtensionsAvailableValidator.compareVersions("1.10", "1.9")).isPositive();
        assertThat(ExtensionsAvailableValidator.compareVersions("3.1.4", "3.1.4")).isZero();
    }

    @Test
    void extensionsInPgCatalogFailOnAManagedTarget(@Pg("11") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        passesThenReports("extensions-in-pg-catalog", source, target, ValidationStatus.FAILED, "adminpack",
                "CREATE EXTENSION adminpack");
    }

    @Test
    void extensionConfigTablesAreReported(@Pg("17") PostgresServer server) {
        passesThenReports("extension-config-tables", server, server, ValidationStatus.WARNING, "hstore: cfg",
                "CREATE EXTENSION hstore", "CREATE TABLE cfg (k text)",
                "UPDATE pg_extension SET extconfig = ARRAY['cfg'::regclass::oid], extcondition = ARRAY['']"
                        + " WHERE extname = 'hstore'");
    }

    @Test
    void superuserOwnedObjectsWarn(@Pg("17") PostgresServer server) {
        server.execute("postgres", "DROP ROLE IF EXISTS vt_app", "CREATE ROLE vt_app");
        run("superuser-owned-objects", server, server, database(server, "CREATE TABLE t (id int)",
                "ALTER TABLE t OWNER TO vt_app")).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
        run("superuser-owned-objects", server, server, database(server, "CREATE TABLE audit (id int)"))
                .assertThatResults().hasStatus(ValidationStatus.WARNING).mentions("table audit", "REASSIGN OWNED");
    }

    @Test
    void fileSystemAccessWarns(@Pg("17") PostgresServer server) {
        passesThenReports("file-system-access", server, server, ValidationStatus.WARNING, "vt_read()",
                "CREATE FUNCTION vt_read() RETURNS text LANGUAGE sql AS $$SELECT pg_read_file('/etc/hostname')$$");
    }

    @Test
    void eventTriggersWarn(@Pg("17") PostgresServer server) {
        passesThenReports("event-triggers", server, server, ValidationStatus.WARNING, "vt_et on ddl_command_start",
                "CREATE FUNCTION vt_evt() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$",
                "CREATE EVENT TRIGGER vt_et ON ddl_command_start EXECUTE PROCEDURE vt_evt()");
    }

    @Test
    void foreignServersWarn(@Pg("17") PostgresServer server) {
        passesThenReports("foreign-servers", server, server, ValidationStatus.WARNING, "server vt_srv (postgres_fdw)",
                "CREATE EXTENSION postgres_fdw", "CREATE SERVER vt_srv FOREIGN DATA WRAPPER postgres_fdw",
                "CREATE USER MAPPING FOR postgres SERVER vt_srv OPTIONS (user 'x', password 'y')");
    }

    @Test
    void publicationsWarn(@Pg("17") PostgresServer server) {
        passesThenReports("logical-replication", server, server, ValidationStatus.WARNING, "publication vt_pub",
                "CREATE PUBLICATION vt_pub");
    }

    @Test
    void largeObjectsWarnWithCountAndSize(@Pg("17") PostgresServer server) {
        passesThenReports("large-objects", server, server, ValidationStatus.WARNING, "2 large objects",
                "SELECT lo_create(0)", "SELECT lo_create(0)");
    }

    @Test
    void tablesWithoutKeyWarn(@Pg("17") PostgresServer server) {
        passesThenReports("tables-without-key", server, server, ValidationStatus.WARNING, "nokey",
                "CREATE TABLE keyed (id int PRIMARY KEY)", "CREATE TABLE nokey (id int)");
    }

    @Test
    void unloggedTablesWarn(@Pg("17") PostgresServer server) {
        passesThenReports("unlogged-tables", server, server, ValidationStatus.WARNING, "audit",
                "CREATE UNLOGGED TABLE audit (id int PRIMARY KEY)");
    }

    @Test
    void generatedColumnsWarn(@Pg("17") PostgresServer server) {
        passesThenReports("generated-columns", server, server, ValidationStatus.WARNING, "g.doubled",
                "CREATE TABLE g (a int, doubled int GENERATED ALWAYS AS (a * 2) STORED)");
    }

    /**
     * Hashed on an enum, whose values' OIDs the target assigns anew: partitions with rows fail; an empty one, or a
     * range partitioning on an enum, is no problem.
     */
    @Test
    void partitionsOfATableHashedOnAnEnumFail(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target) {
        passesThenReports("hash-partitioned-enums", source, target, ValidationStatus.FAILED, "mood_h",
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TABLE by_range (id int, m mood) PARTITION BY RANGE (m)",
                "CREATE TABLE by_range_1 PARTITION OF by_range FOR VALUES FROM ('sad') TO ('happy')",
                "CREATE TABLE mood_h (id int, m mood) PARTITION BY HASH (m)",
                "CREATE TABLE mood_h0 PARTITION OF mood_h FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
                "CREATE TABLE mood_h1 PARTITION OF mood_h FOR VALUES WITH (MODULUS 2, REMAINDER 1) "
                        + "PARTITION BY HASH (id)",
                "CREATE TABLE mood_h1_a PARTITION OF mood_h1 FOR VALUES WITH (MODULUS 1, REMAINDER 0)",
                "INSERT INTO mood_h SELECT g, 'ok' FROM generate_series(1, 10) g",
                "INSERT INTO mood_h SELECT g, 'sad' FROM generate_series(1, 10) g");
        List<ValidationResult> results = run("hash-partitioned-enums", source, target, database(source,
                "CREATE TYPE mood AS ENUM ('sad', 'ok')", "CREATE TABLE h (id int, m mood) PARTITION BY HASH (m)",
                "CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
                "CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
                "CREATE TABLE h_empty (id int, m mood) PARTITION BY HASH (m)",
                "CREATE TABLE h_empty0 PARTITION OF h_empty FOR VALUES WITH (MODULUS 1, REMAINDER 0)",
                "INSERT INTO h SELECT g, 'ok' FROM generate_series(1, 10) g",
                "INSERT INTO h SELECT g, 'sad' FROM generate_series(1, 10) g",
                "CREATE TABLE r (id int, m mood) PARTITION BY RANGE (m)",
                "CREATE TABLE r1 PARTITION OF r FOR VALUES FROM ('sad') TO ('ok')")).results();
        // Which partitions the rows went to depends on the enum's OIDs: some of h's, never the empty one's.
        assertThat(results).singleElement().satisfies(r -> assertThat(r.items()).isNotEmpty().isSubsetOf("h0", "h1"));
    }

    @Test
    void materializedViewsWarn(@Pg("17") PostgresServer server) {
        passesThenReports("materialized-views", server, server, ValidationStatus.WARNING, "vt_mv (not populated)",
                "CREATE MATERIALIZED VIEW vt_mv AS SELECT 1 AS one WITH NO DATA");
    }

    @Test
    void tableSplittingWarnsForALargeTableWithoutAnIntegerKey(@Pg("17") PostgresServer server) {
        String keyed = database(server, "CREATE TABLE big (id int PRIMARY KEY, pad text)",
                "INSERT INTO big SELECT g, repeat('x', 300) FROM generate_series(1, 8000) g", "ANALYZE big");
        ValidatorTestKit.validator("table-splitting").source(server).target(server).database(keyed)
                .settings(s -> s.splitTablesLargerThanBytes(1024 * 1024)).run().assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED);
        String unkeyed = database(server, "CREATE TABLE big (name text, pad text)",
                "INSERT INTO big SELECT g::text, repeat('x', 300) FROM generate_series(1, 8000) g", "ANALYZE big");
        ValidatorTestKit.validator("table-splitting").source(server).target(server).database(unkeyed)
                .settings(s -> s.splitTablesLargerThanBytes(1024 * 1024)).run().assertThatResults()
                .hasStatus(ValidationStatus.WARNING).mentions("big (");
    }

    @Test
    void databaseSettingsWarnWhenTheManagedTargetCannotApplyThem(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        String db = database(source);
        source.execute("postgres", "ALTER DATABASE " + db + " SET work_mem = '8MB'");
        run("database-settings", source, target, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("work_mem=8MB");
        source.execute("postgres", "ALTER DATABASE " + db + " SET log_statement = 'all'");
        run("database-settings", source, target, db).assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions("log_statement=all (only a superuser");
    }

    @Test
    void catalogSanityNamesEachKindOfInconsistency(@Pg("17") PostgresServer server) {
        passesThenReports("catalog-sanity", server, server, ValidationStatus.FAILED, "relation vt_orphan has no owner",
                "CREATE TABLE vt_orphan (id int)", "UPDATE pg_class SET relowner = 987654 WHERE relname = 'vt_orphan'");
        // Every kind at once, two of them on one relation, as a damaged catalog may have them.
        run("catalog-sanity", server, server, database(server, "CREATE SCHEMA vt_schema",
                "CREATE TABLE vt_lost (id int)", "CREATE TABLE vt_col (c int)", "CREATE VIEW vt_view AS SELECT 1 AS one",
                "CREATE TYPE vt_type AS ENUM ('a')", "CREATE FUNCTION vt_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "CREATE TABLE vt_indexed (id int)", "CREATE INDEX vt_idx ON vt_indexed (id)",
                "UPDATE pg_namespace SET nspowner = 987650 WHERE nspname = 'vt_schema'",
                "UPDATE pg_class SET relnamespace = 987651, relowner = 987652 WHERE relname = 'vt_lost'",
                "UPDATE pg_attribute SET atttypid = 987653 WHERE attrelid = 'vt_col'::regclass AND attname = 'c'",
                "DELETE FROM pg_rewrite WHERE ev_class = 'vt_view'::regclass",
                "UPDATE pg_type SET typowner = 987654 WHERE typname = 'vt_type'",
                "UPDATE pg_proc SET proowner = 987655, pronamespace = 987656 WHERE proname = 'vt_fn'",
                "UPDATE pg_index SET indrelid = 987657 WHERE indexrelid = 'vt_idx'::regclass"))
                .assertThatResults().hasStatus(ValidationStatus.FAILED).mentions("9 catalog inconsistencies",
                        "schema vt_schema has no owner (role oid 987650)",
                        "relation vt_lost is in a missing schema (oid 987651)",
                        "relation vt_lost has no owner (role oid 987652)",
                        "column vt_col.c has a missing type (oid 987653)", "view vt_view has no rewrite rule",
                        "type vt_type has no owner (role oid 987654)", "function vt_fn has no owner (role oid 987655)",
                        "function vt_fn is in a missing schema (oid 987656)",
                        "belongs to a missing table (oid 987657)");
    }

    @Test
    void lockTableSizeWarnsWhenPgDumpWouldRunOutOfLocks(@Pg(value = "17", settings = {
            "max_locks_per_transaction=10", "max_connections=20"}) PostgresServer server) {
        passesThenReports("lock-table-size", server, server, ValidationStatus.WARNING, "max_locks_per_transaction",
                "DO $$BEGIN FOR i IN 1..170 LOOP EXECUTE format('CREATE TABLE t%s (id int)', i); END LOOP; END$$");
    }

    @Test
    void lockTableSizeFailsWhenPgDumpCannotTakeItsLocks(@Pg(value = "17", settings = {
            "max_locks_per_transaction=10", "max_connections=20"}) PostgresServer server) {
        // 260 tables, more than the 200 locks this server's lock table holds.
        run("lock-table-size", server, server, database(server, tables260("int"))).assertThatResults()
                .hasStatus(ValidationStatus.FAILED).mentions("pg_dump locks 260 tables")
                .everyProblemHasARemedy();
    }

    /** Sequences, views and the like are not locked: 260 tables with a serial key each are 260 locks, not 520. */
    @Test
    void lockTableSizeCountsOnlyWhatIsLocked(@Pg(value = "17", settings = {
            "max_locks_per_transaction=10", "max_connections=30"}) PostgresServer server) {
        run("lock-table-size", server, server, database(server, tables260("serial"))).assertThatResults()
                .hasStatus(ValidationStatus.WARNING).mentions("pg_dump locks 260 tables");
    }

    /** 260 tables with an {@code id} of {@code type}, created ten per transaction (each holds their locks). */
    private static String[] tables260(String type) {
        String[] batches = new String[26];
        for (int b = 0; b < batches.length; b++) {
            batches[b] = "DO $$BEGIN FOR i IN " + (b * 10 + 1) + ".." + (b * 10 + 10) + " LOOP EXECUTE "
                    + "format('CREATE TABLE t%s (id " + type + ")', i); END LOOP; END$$";
        }
        return batches;
    }

    @Test
    void customTablespacesWarn(@Pg("17") PostgresServer server) throws IOException {
        Path location = Files.createTempDirectory(PostgresServer.tempBase(), "vt_ts");
        UserPrincipal owner = Files.getOwner(server.dataDirectory());
        Files.setOwner(location, owner);
        String tablespace = location.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        server.execute("postgres", "CREATE TABLESPACE " + tablespace + " LOCATION '" + location + "'");
        passesThenReports("custom-tablespaces", server, server, ValidationStatus.WARNING, tablespace,
                "CREATE TABLE placed (id int) TABLESPACE " + tablespace);
    }

    @Test
    void databaseSizeNamesTheLargestTables(@Pg("17") PostgresServer server) {
        run("database-size", server, server, database(server)).assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("has no tables");
        run("database-size", server, server, database(server, "CREATE TABLE orders AS SELECT g FROM"
                + " generate_series(1, 1000) g")).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("largest tables: orders");
    }
}
