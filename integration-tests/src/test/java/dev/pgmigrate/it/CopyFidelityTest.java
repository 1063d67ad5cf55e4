package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Values an offline migration once copied wrong, or failed to copy where {@code pg_dump | psql} succeeds (found by a
 * review): OID-alias columns copied as the source's raw OIDs (a migration that verified and succeeded, every value a
 * dangling OID), a LATIN1 database whose schema holds non-ASCII text, a database's own IntervalStyle under the text
 * mover, and ranges whose bounds' binary forms carry a user type's OID (a false mismatch and a rollback).
 */
@PostgresTest
class CopyFidelityTest {

    private static MigrationRecord migrate(PostgresServer source, PostgresServer target, String db) throws Exception {
        return migrate(source, target, db, MigrationOption.MIGRATE);
    }

    private static MigrationRecord migrate(PostgresServer source, PostgresServer target, String db,
            MigrationOption option) throws Exception {
        try (MigrationService service = MigrationService.builder().build()) {
            return service.start(MigrationSpec.builder().name(db.replace('_', '-') + "-" + (System.nanoTime() % 100000))
                    .source(source.serverSpec()).target(target.serverSpec()).databases(db).option(option)
                    .settings(MigrationSettings.builder().parallelism(2).build()).build()).await();
        }
    }

    /** Each value names the same object on the target, by name as pg_dump writes it, not by the source's OID. */
    @Test
    void oidAliasColumnsNameTheSameObjects(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target,
            @Pg("17") PostgresServer newer) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("regs"));
        // Objects made before the referenced ones take OIDs the target's restore gives to others.
        source.execute(db, "CREATE TABLE pad1 (a int)", "CREATE TABLE pad2 (a int)", "CREATE TABLE pad3 (a int)",
                "CREATE SCHEMA s", "CREATE TABLE s.ref (a int)", "CREATE TYPE s.mood AS ENUM ('a')",
                "CREATE FUNCTION s.f(int) RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "CREATE TEXT SEARCH CONFIGURATION s.cfg (COPY = english)", "CREATE DOMAIN s.rel AS regclass",
                "CREATE TABLE regs (id int PRIMARY KEY, c regclass, t regtype, p regprocedure, n regnamespace, "
                        + "g regconfig, ca regclass[], d s.rel)",
                "INSERT INTO regs VALUES (1, 's.ref', 's.mood', 's.f(int)', 's', 's.cfg', ARRAY['s.ref'::regclass], "
                        + "'s.ref'), (2, 'pg_class', 'int4', 'now()', 'pg_catalog', 'english', NULL, NULL)");
        String q = "SELECT id || ':' || c::text || ',' || t::text || ',' || p::text || ',' || n::text || ',' "
                + "|| g::text || ',' || coalesce(ca::text, '-') || ',' || coalesce(d::text, '-') FROM regs ORDER BY id";
        List<List<String>> before = source.query(db, q);
        for (PostgresServer into : List.of(target, newer)) {
            MigrationRecord done = migrate(source, into, db);
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(into.query(db, q)).isEqualTo(before);
            into.dropDatabase(db);
        }
    }

    @Test
    void aLatin1DatabaseWithNonAsciiSchemaText(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("latinschema");
        source.execute("postgres", "CREATE DATABASE " + db + " TEMPLATE template0 ENCODING 'LATIN1' "
                + "LC_COLLATE 'C' LC_CTYPE 'C'");
        source.execute(db, "CREATE TYPE mood AS ENUM ('caf\u00e9', 'na\u00efve')",
                "CREATE TABLE t (v text DEFAULT 'd\u00e9faut', m mood)",
                "COMMENT ON TABLE t IS 'Cr\u00e8me br\u00fbl\u00e9e'",
                "INSERT INTO t VALUES ('caf\u00e9', 'caf\u00e9')");
        MigrationRecord done = migrate(source, target, db);
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString(db, "SELECT obj_description('t'::regclass, 'pg_class')"))
                .isEqualTo("Cr\u00e8me br\u00fbl\u00e9e");
        assertThat(target.queryForString(db, "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum"))
                .isEqualTo("caf\u00e9,na\u00efve");
        assertThat(target.queryForString(db, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = '"
                + db + "'")).isEqualTo("LATIN1");
    }

    /**
     * A SQL_ASCII database holding bytes that are not UTF-8 (LATIN1 text written by an old application): pg_dump copies
     * them as they are; the copy used to fail with 22021 and roll back.
     */
    @Test
    void aSqlAsciiDatabasesBytesMoveAsTheyAre(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("sqlascii");
        source.execute("postgres", "CREATE DATABASE " + db + " TEMPLATE template0 ENCODING 'SQL_ASCII' "
                + "LC_COLLATE 'C' LC_CTYPE 'C'");
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text, c varchar(8), a text[], n bigint)",
                "CREATE TABLE big (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, E'caf\\xe9', E'\\xff\\xfeok', ARRAY[E'na\\xefve', 'x'], 7), "
                        + "(2, 'plain', NULL, NULL, NULL), (3, E'\\xc3\\xa9 is UTF-8 here', 'ok', '{}', 0)",
                // Past the size copied whole with COPY FREEZE.
                "INSERT INTO big SELECT i, repeat(E'\\xe9', 200) || i FROM generate_series(1, 100000) i");
        String q = "SELECT md5(string_agg(id || ':' || coalesce(v, '-') || ':' || coalesce(c, '-') || ':' "
                + "|| coalesce(a::text, '-') || ':' || coalesce(n::text, '-'), '|' ORDER BY id)) FROM t";
        String qBig = "SELECT count(*) || ' ' || md5(string_agg(v, '' ORDER BY id)) FROM big";
        MigrationRecord done = migrate(source, target, db, MigrationOption.VALIDATE_AND_MIGRATE);
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString(db, q)).isEqualTo(source.queryForString(db, q));
        assertThat(target.queryForString(db, qBig)).isEqualTo(source.queryForString(db, qBig));
        assertThat(target.queryForString(db, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = '"
                + db + "'")).isEqualTo("SQL_ASCII");

        // Such bytes in a definition cannot go through pg_dump's UTF-8 script: named, and nothing is left behind.
        target.dropDatabase(db);
        source.execute(db, "COMMENT ON TABLE t IS E'caf\\xe9'");
        List<List<String>> databases = target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1");
        MigrationRecord failed = migrate(source, target, db);
        assertThat(failed.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(failed.errors().toString()).contains("PGM-DUMP-FAILED", "hold bytes that are not UTF-8", db);
        assertThat(target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1")).isEqualTo(databases);
    }

    /** A table the text mover copies (an enum array), in a database whose IntervalStyle is sql_standard. */
    @Test
    void theDatabasesIntervalStyleUnderTheTextMover(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("ivstyle"));
        source.execute(db, "ALTER DATABASE " + db + " SET intervalstyle = 'sql_standard'",
                "ALTER DATABASE " + db + " SET datestyle = 'SQL, DMY'");
        source.execute(db, "CREATE TYPE mood AS ENUM ('a', 'b')",
                "CREATE TABLE t (id int PRIMARY KEY, m mood[], i interval, d date)",
                "INSERT INTO t VALUES (1, '{a}', '-1 day -2 hours -3 minutes', '2024-03-01'), "
                        + "(2, '{b}', '-3 days', '2024-12-31'), (3, NULL, '1 year 2 mons -3 days 04:05:06', NULL)");
        String q = "SELECT string_agg(id || '=' || extract(epoch FROM i)::text || '/' || coalesce((d - DATE "
                + "'2000-01-01')::text, '-'), ',' ORDER BY id) FROM t";
        String before = source.queryForString(db, q);
        MigrationRecord done = migrate(source, target, db);
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString(db, q)).isEqualTo(before);
    }

    /**
     * A table in a tablespace the target lacks: validation fails naming it, before anything is made (the check used
     * to say the target would use its default tablespace, and the restore then failed on pg_dump's SET
     * default_tablespace); with a tablespace of that name on the target the table is placed there.
     */
    @Test
    void aTablespaceTheTargetLacksFailsValidation(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        Path location = Files.createTempDirectory(PostgresServer.tempBase(), "vt_ts");
        Files.setOwner(location, Files.getOwner(source.dataDirectory()));
        Path there = Files.createTempDirectory(PostgresServer.tempBase(), "vt_ts_target");
        Files.setOwner(there, Files.getOwner(target.dataDirectory()));
        String ts = location.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        source.execute("postgres", "CREATE TABLESPACE " + ts + " LOCATION '" + location + "'");
        String db = source.createDatabase(TestDatabases.unique("tspace"));
        try {
            source.execute(db, "CREATE TABLE placed (id int PRIMARY KEY) TABLESPACE " + ts,
                    "INSERT INTO placed SELECT generate_series(1, 10)");
            MigrationRecord refused = migrate(source, target, db, MigrationOption.VALIDATE_AND_MIGRATE);
            assertThat(refused.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
            assertThat(refused.validationResults()).anySatisfy(r -> {
                assertThat(r.validatorId()).isEqualTo("custom-tablespaces");
                assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
                assertThat(r.items()).containsExactly(ts + " (1 relations)");
            });
            assertThat(target.query("postgres", "SELECT 1 FROM pg_database WHERE datname = '" + db + "'")).isEmpty();
            target.execute("postgres", "CREATE TABLESPACE " + ts + " LOCATION '" + there + "'");
            MigrationRecord done = migrate(source, target, db, MigrationOption.VALIDATE_AND_MIGRATE);
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForString(db, "SELECT t.spcname FROM pg_class c JOIN pg_tablespace t ON t.oid = "
                    + "c.reltablespace WHERE c.relname = 'placed'")).isEqualTo(ts);
            target.dropDatabase(db);
        } finally {
            source.dropDatabase(db);
            source.execute("postgres", "DROP TABLESPACE " + ts);
            target.execute("postgres", "DROP TABLESPACE IF EXISTS " + ts);
        }
    }

    /** Ranges over an enum array and over a composite holding an enum, and a multirange of the latter. */
    @Test
    void rangesOverUserArraysAndComposites(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("rangeoid"));
        source.execute(db, "CREATE TYPE pad AS ENUM ('x')", "CREATE TYPE mood AS ENUM ('a', 'b', 'c')",
                "CREATE TYPE moodsr AS RANGE (subtype = mood[])", "CREATE TYPE pair AS (m mood, n int)",
                "CREATE TYPE pairr AS RANGE (subtype = pair)",
                "CREATE TABLE t (id int PRIMARY KEY, r moodsr, pr pairr, mr pairr_multirange, ir int4range)",
                "INSERT INTO t VALUES (1, moodsr('{a}', '{c}'), pairr('(a,1)', '(c,2)'), "
                        + "pairr_multirange(pairr('(a,1)', '(b,1)')), '[1,5)'), (2, NULL, NULL, NULL, NULL)");
        String q = "SELECT string_agg(id || '=' || coalesce(r::text, '-') || coalesce(pr::text, '-') "
                + "|| coalesce(mr::text, '-') || coalesce(ir::text, '-'), ',' ORDER BY id) FROM t";
        String before = source.queryForString(db, q);
        MigrationRecord done = migrate(source, target, db);
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString(db, q)).isEqualTo(before);
    }
}
