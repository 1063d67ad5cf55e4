package dev.pgmigrate.validators;

import static dev.pgmigrate.validators.DatabaseValidatorsTest.database;
import static dev.pgmigrate.validators.DatabaseValidatorsTest.passesThenReports;
import static dev.pgmigrate.validators.DatabaseValidatorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.embedded.PagilaDataset;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.testkit.EverythingDataset;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.ValidatorTestKit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The database-level checks of what the target must support, on real servers of the versions they are about:
 * locales and collations, languages and C functions, types, casts and text search, and what a newer major or a
 * managed target no longer takes.
 */
@PostgresTest
class TargetSupportValidatorsTest {
    @Test
    void databaseLocaleFailsForALocaleTheTargetLacks(@Pg("17") PostgresServer server,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        run("database-locale", server, target, database(server)).assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("encoding UTF8");
        String db = database(server);
        server.execute("postgres", "UPDATE pg_database SET datcollate = 'xx_XX.UTF-8', datctype = 'xx_XX.UTF-8'"
                + " WHERE datname = '" + db + "'");
        run("database-locale", server, target, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("libc locale xx_XX.UTF-8");
    }

    @Test
    void databaseLocaleWarnsAboutSqlAscii(@Pg("17") PostgresServer server) {
        String db = "vt_ascii_" + System.nanoTime();
        server.execute("postgres", "CREATE DATABASE " + db + " ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'"
                + " TEMPLATE template0");
        run("database-locale", server, server, db).assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions("SQL_ASCII");
    }

    @Test
    void collationsInUseFailForALocaleTheTargetLacks(@Pg("17") PostgresServer server) {
        passesThenReports("collations-in-use", server, server, ValidationStatus.FAILED, "public.vt_coll",
                "CREATE COLLATION vt_coll (locale = 'C.utf8')", "CREATE TABLE t (name text COLLATE vt_coll)",
                "UPDATE pg_collation SET collcollate = 'xx_XX.utf8', collctype = 'xx_XX.utf8'"
                        + " WHERE collname = 'vt_coll'");
    }

    @Test
    void collationsInUseAcceptIcuLocalesWithKeywords(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) {
        // The documented case-insensitive recipe, a phone-book order and an old-style keyword: all ICU keywords.
        String db = database(source,
                "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
                "CREATE COLLATION phonebook (provider = icu, locale = 'de-DE-u-co-phonebk')",
                "CREATE COLLATION secondary (provider = icu, locale = 'en@colStrength=secondary')",
                "CREATE TABLE t (a text COLLATE ci, b text COLLATE phonebook, c text COLLATE secondary)");
        for (PostgresServer to : java.util.List.of(source, target)) {
            run("collations-in-use", source, to, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                    .mentions("3 defined here");
        }
        assertThat(Collations.icuBaseLocale("und-u-ks-level2")).isEqualTo("und");
        assertThat(Collations.icuBaseLocale("de-DE-u-co-phonebk")).isEqualTo("de-DE");
        assertThat(Collations.icuBaseLocale("en@colStrength=secondary")).isEqualTo("en");
        assertThat(Collations.icuBaseLocale("sr-Latn-RS-x-icu")).isEqualTo("sr-Latn-RS");
    }

    @Test
    void collationsInUseCountBuiltInOnesOfColumnsAndIndexes(@Pg("9.6") PostgresServer source,
            @Pg("17") PostgresServer target) {
        String db = database(source, "CREATE TABLE t (a text COLLATE \"C\", b text, c text)",
                "CREATE INDEX ON t (b COLLATE \"POSIX\")", "CREATE INDEX ON t (c)");
        run("collations-in-use", source, target, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("2 collations: pg_catalog.C, pg_catalog.POSIX used or defined (0 defined here);");
    }

    @Test
    void collationVersionsWarnWhenTheyDiffer(@Pg("17") PostgresServer server) {
        passesThenReports("collation-versions", server, server, ValidationStatus.WARNING, "source 0.1",
                "CREATE COLLATION vt_icu (provider = icu, locale = 'und')",
                "CREATE TABLE t (name text COLLATE vt_icu)",
                "UPDATE pg_collation SET collversion = '0.1' WHERE collname = 'vt_icu'");
    }

    @Test
    void proceduralLanguagesFailForALanguageTheTargetLacks(@Pg("17") PostgresServer server) {
        passesThenReports("procedural-languages", server, server, ValidationStatus.FAILED, "vt_pl",
                "CREATE FUNCTION vt_handler() RETURNS language_handler AS '$libdir/plpgsql', 'plpgsql_call_handler'"
                        + " LANGUAGE c",
                "CREATE LANGUAGE vt_pl HANDLER vt_handler",
                "CREATE FUNCTION vt_f() RETURNS int LANGUAGE vt_pl AS 'begin return 1; end'");
    }

    @Test
    void cFunctionsNeedASuperuserOnTheTarget(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        String db = database(source, "CREATE FUNCTION vt_lev(text, text) RETURNS int"
                + " AS '$libdir/fuzzystrmatch', 'levenshtein' LANGUAGE c STRICT");
        run("c-functions", source, source, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("every library is installed");
        run("c-functions", source, target, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("vt_lev(text,text)");
        run("c-functions", source, target, database(source)).assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void cFunctionsFailWhenTheLibraryIsThereButBuiltForAnotherMajor(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) {
        // The 15 server's own fuzzystrmatch, named by its absolute path: the file exists for the 17 target too.
        String library = source.binDirectory().getParent().resolve("lib/postgresql/fuzzystrmatch.so").toString();
        String db = database(source, "CREATE FUNCTION vt_lev(text, text) RETURNS int AS '" + library
                + "', 'levenshtein' LANGUAGE c STRICT");
        run("c-functions", source, source, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("loads");
        run("c-functions", source, target, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("vt_lev(text,text)").mentions("does not load").everyProblemHasARemedy();
    }

    @Test
    void customBaseTypesFailOnAManagedTarget(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        passesThenReports("custom-base-types", source, target, ValidationStatus.FAILED, "vt_text",
                "CREATE TYPE vt_text", "CREATE FUNCTION vt_text_in(cstring) RETURNS vt_text AS 'textin' LANGUAGE internal",
                "CREATE FUNCTION vt_text_out(vt_text) RETURNS cstring AS 'textout' LANGUAGE internal",
                "CREATE TYPE vt_text (INPUT = vt_text_in, OUTPUT = vt_text_out, LIKE = text)");
    }

    @Test
    void userDefinedCastsFailOnAManagedTarget(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        passesThenReports("user-defined-casts", source, target, ValidationStatus.FAILED, "boolean AS money",
                "CREATE FUNCTION vt_b2m(boolean) RETURNS money LANGUAGE sql"
                        + " AS 'SELECT CASE WHEN $1 THEN 1::money ELSE 0::money END'",
                "CREATE CAST (boolean AS money) WITH FUNCTION vt_b2m(boolean)");
    }

    @Test
    void textSearchTemplatesFailOnAManagedTarget(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        passesThenReports("text-search-parsers", source, target, ValidationStatus.FAILED, "template public.vt_tmpl",
                "CREATE TEXT SEARCH TEMPLATE vt_tmpl (INIT = dsimple_init, LEXIZE = dsimple_lexize)");
    }

    @Test
    void tablesWithOidsFailForA17Target(@Pg("11") PostgresServer source, @Pg("17") PostgresServer target) {
        passesThenReports("tables-with-oids", source, target, ValidationStatus.FAILED, "vt_oids",
                "CREATE TABLE vt_oids (id int) WITH OIDS");
    }

    @Test
    void lz4ColumnsFailOnATargetBuiltWithoutLz4UnlessTheirCompressionIsLeftOut(
            @Pg(value = "15", system = true) PostgresServer source, @Pg("17") PostgresServer target) {
        String db = database(source, "CREATE TABLE packed (id int, body text COMPRESSION lz4)",
                "CREATE TABLE plain (id int, body text)");
        run("toast-compression", source, source, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("supports lz4");
        run("toast-compression", source, target, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("packed.body").mentions("schema.noToastCompression").everyProblemHasARemedy();
        ValidatorTestKit.validator("toast-compression").source(source).target(target).database(db)
                .settings(b -> b.option("schema.noToastCompression", "true")).run()
                .assertThatResults().hasStatus(ValidationStatus.WARNING).mentions("packed.body");
        run("toast-compression", source, target, database(source, "CREATE TABLE plain (id int, body text)"))
                .assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void generatedColumnsOfInheritanceChildrenFailFor16AndLater(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) {
        String db = database(source, "CREATE TABLE gparent (a int, b int)",
                "CREATE TABLE gchild (a int, b int GENERATED ALWAYS AS (a * 2) STORED) INHERITS (gparent)",
                "CREATE TABLE gfine (a int, b int GENERATED ALWAYS AS (a * 3) STORED)");
        run("schema-compatibility", source, source, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
        run("schema-compatibility", source, target, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("gchild.b").everyProblemHasARemedy();
        run("schema-compatibility", source, target, database(source)).assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED);
    }

    /** The old manual's array_accum: array_append(anyarray, anyelement) is no more from 14 on. */
    @Test
    void polymorphicArrayAggregatesFailFor14AndLater(@Pg("13") PostgresServer source, @Pg("17") PostgresServer target) {
        passesThenReports("schema-compatibility", source, target, ValidationStatus.FAILED, "array_accum(anyelement)",
                "CREATE AGGREGATE array_accum (anyelement) (sfunc = array_append, stype = anyarray, initcond = '{}')");
    }

    @Test
    void postfixOperatorsFailFor14AndLater(@Pg("11") PostgresServer source, @Pg("15") PostgresServer target) {
        passesThenReports("schema-compatibility", source, target, ValidationStatus.FAILED, "!!!(bigint,NONE)",
                "CREATE OPERATOR !!! (LEFTARG = bigint, PROCEDURE = numeric_fac)");
    }

    /** 10 renamed the xlog functions: a view on one restores on 9.6 and nowhere from 10 on. */
    @Test
    void systemObjectsFailAViewOnAFunctionTheTargetRenamed(@Pg("9.6") PostgresServer source,
            @Pg("15") PostgresServer target) {
        // array_append's arguments became anycompatible in 14, yet a call by name restores; an extension's view
        // is made by CREATE EXTENSION on the target, never by the copy.
        String db = database(source, "CREATE TABLE stamp (id int)",
                "CREATE VIEW arrays AS SELECT array_append(ARRAY[id], 2) AS a FROM stamp", "CREATE EXTENSION citext",
                "CREATE VIEW ext_lsn AS SELECT pg_current_xlog_location() AS lsn",
                "ALTER EXTENSION citext ADD VIEW ext_lsn");
        run("system-objects", source, target, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("PostgreSQL 15 has all of them");
        source.execute(db, "CREATE VIEW lsn_now AS SELECT id, pg_current_xlog_location() AS lsn FROM stamp");
        run("system-objects", source, target, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("function pg_current_xlog_location(), used by view public.lsn_now (PostgreSQL 15 has "
                        + "pg_current_wal_lsn())").doesNotMention("ext_lsn", "arrays", "array_append")
                .everyProblemHasARemedy();
        ValidatorTestKit.validator("system-objects").source(source).target(target).database(db)
                .settings(b -> b.selection(Selection.builder().excludeTables("lsn_now").build())).run()
                .assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
        run("system-objects", source, source, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("of one major");
    }

    /**
     * 10 renamed pg_stat_replication's *_location columns to *_lsn: a view selecting one restores on 9.6 and nowhere
     * from 10 on. A function body is text: it restores, then fails when called, so what it mentions is a Warning.
     */
    @Test
    void systemObjectsFailAViewOnARenamedColumnAndWarnOfFunctionBodiesMentioningWhatTheTargetLacks(
            @Pg("9.6") PostgresServer source, @Pg("15") PostgresServer target) {
        String db = database(source, "CREATE VIEW fine AS SELECT pid, state FROM pg_stat_replication",
                "CREATE VIEW everyone AS SELECT a.pid, a.wait_event FROM pg_stat_activity a JOIN pg_stat_replication r "
                        + "USING (pid)",
                // A name that is a part of a longer word, or in a comment, or the source's own, is no mention.
                "CREATE FUNCTION quiet() RETURNS text LANGUAGE sql AS $$ SELECT 'my_pg_current_xlog_location_2'::text "
                        + "-- not pg_current_xlog_location()\n /* nor pg_switch_xlog() */ $$",
                "CREATE FUNCTION pg_xlogfile_name(text) RETURNS text LANGUAGE sql AS 'SELECT $1'",
                "CREATE FUNCTION shimmed() RETURNS text LANGUAGE plpgsql AS "
                        + "'BEGIN RETURN pg_xlogfile_name(''x''); END'");
        run("system-objects", source, target, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);

        source.execute(db, "CREATE VIEW lag AS SELECT r.pid, r.sent_location AS sent FROM pg_stat_replication r",
                "CREATE FUNCTION lag_bytes() RETURNS numeric LANGUAGE plpgsql AS $$ BEGIN RETURN "
                        + "PG_XLOG_LOCATION_DIFF(pg_catalog.pg_current_xlog_location(), (SELECT sent_location FROM "
                        + "pg_stat_replication LIMIT 1)); END $$",
                "CREATE SCHEMA old", "CREATE FUNCTION old.lag() RETURNS pg_lsn LANGUAGE sql AS "
                        + "'SELECT pg_current_xlog_location()'",
                "CREATE FUNCTION old.stamp(abstime) RETURNS int LANGUAGE sql AS 'SELECT 1'");
        List<ValidationResult> results = run("system-objects", source, target, db).results();
        assertThat(results).extracting(ValidationResult::status)
                .containsExactly(ValidationStatus.FAILED, ValidationStatus.WARNING);
        assertThat(results.get(0).items()).containsExactly("column pg_stat_replication.sent_location, used by view "
                + "public.lag (PostgreSQL 15 has pg_stat_replication.sent_lsn)", "type abstime, used by function "
                + "old.stamp(pg_catalog.abstime)");
        assertThat(results.get(1).items()).containsExactly(
                "function old.lag() mentions function pg_current_xlog_location (PostgreSQL 15 has "
                        + "pg_current_wal_lsn())",
                "function public.lag_bytes() mentions column pg_stat_replication.sent_location (PostgreSQL 15 has "
                        + "pg_stat_replication.sent_lsn)",
                "function public.lag_bytes() mentions function pg_current_xlog_location (PostgreSQL 15 has "
                        + "pg_current_wal_lsn())",
                "function public.lag_bytes() mentions function pg_xlog_location_diff (PostgreSQL 15 has "
                        + "pg_wal_lsn_diff(pg_lsn,pg_lsn))");
        assertThat(results.get(1).remedy()).isNotBlank();
        // What the selection leaves out is not checked: a view by its table, functions by their schema.
        ValidatorTestKit.validator("system-objects").source(source).target(target).database(db)
                .settings(b -> b.selection(Selection.builder().excludeTables("lag").excludeSchemas("old").build()))
                .run().assertThatResults().hasStatus(ValidationStatus.WARNING).mentions("public.lag_bytes()")
                .doesNotMention("old.lag", "old.stamp", "public.lag ");
    }

    /** Nothing is named in definitions that move across majors as they are. */
    @Test
    void systemObjectsNameNothingInTheEverythingDatasetOrPagila(@Pg("9.6") PostgresServer old,
            @Pg("15") PostgresServer source, @Pg("17") PostgresServer target) {
        String everythingOld = old.createUniqueDatabase("everything");
        EverythingDataset.load(old, everythingOld);
        run("system-objects", old, source, everythingOld).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
        String everything = source.createUniqueDatabase("everything");
        EverythingDataset.load(source, everything);
        run("system-objects", source, target, everything).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
        String pagila = source.createUniqueDatabase("pagila");
        PagilaDataset.load(source, pagila);
        run("system-objects", source, target, pagila).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void systemObjectsFailDefaultsAndConstraintsOnAbstimeFor12AndLater(@Pg("11") PostgresServer source,
            @Pg("15") PostgresServer target) {
        passesThenReports("system-objects", source, target, ValidationStatus.FAILED,
                "type abstime, used by default value for public.stamped.at, table constraint recent on "
                        + "public.stamped",
                "CREATE TABLE stamped (id int, at timestamptz DEFAULT now()::abstime,"
                        + " CONSTRAINT recent CHECK (at::abstime > '2000-01-01'::abstime))");
    }
}
