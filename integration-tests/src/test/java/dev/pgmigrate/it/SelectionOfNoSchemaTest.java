package dev.pgmigrate.it;

import static dev.pgmigrate.it.SelectionTest.migrate;
import static dev.pgmigrate.it.SelectionTest.runName;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What belongs to no schema (casts, event triggers, foreign-data wrappers, languages, access methods, transforms,
 * publications) moves with every selection, as pg_dump dumps it with the exclusions pgmigrate gives it: one that
 * needs what a schema left out holds is refused before the target is touched, and a publication loses the tables
 * and schemas left out, as pg_dump drops them.
 */
@PostgresTest
class SelectionOfNoSchemaTest {
    @Test
    void whatBelongsToNoSchemaButNeedsASchemaLeftOutIsRefusedBeforeTheTargetIsTouched(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("selglobal"));
        source.execute(db, "CREATE SCHEMA lib", "CREATE TYPE lib.mood AS ENUM ('sad', 'ok')",
                "CREATE TYPE pair AS (a int, b int)", "CREATE TABLE keep (id int PRIMARY KEY, p pair)",
                "CREATE FUNCTION lib.pair_int(pair) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1.a'",
                "CREATE CAST (pair AS int) WITH FUNCTION lib.pair_int(pair)",
                "CREATE CAST (lib.mood AS int) WITH INOUT",
                "CREATE FUNCTION lib.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END'",
                "CREATE EVENT TRIGGER ddl_watch ON ddl_command_end EXECUTE FUNCTION lib.on_ddl()",
                "CREATE FUNCTION lib.fdw_handler() RETURNS fdw_handler LANGUAGE c AS '$libdir/postgres_fdw', "
                        + "'postgres_fdw_handler'",
                "CREATE FOREIGN DATA WRAPPER wrapper HANDLER lib.fdw_handler",
                "CREATE SERVER far FOREIGN DATA WRAPPER wrapper",
                "CREATE FUNCTION lib.pl_handler() RETURNS language_handler LANGUAGE c AS '$libdir/plpgsql', "
                        + "'plpgsql_call_handler'",
                "CREATE LANGUAGE plx HANDLER lib.pl_handler",
                "CREATE FUNCTION lib.am_handler(internal) RETURNS index_am_handler LANGUAGE internal AS 'bthandler'",
                "CREATE ACCESS METHOD tree TYPE INDEX HANDLER lib.am_handler",
                "CREATE FUNCTION lib.from_sql(internal) RETURNS internal LANGUAGE internal IMMUTABLE STRICT "
                        + "AS 'int4recv'",
                "CREATE TRANSFORM FOR int LANGUAGE plpgsql (FROM SQL WITH FUNCTION lib.from_sql(internal))",
                "INSERT INTO keep VALUES (1, (1, 2))");
        List<String> needs = List.of(
                "access method tree needs function lib.am_handler(pg_catalog.internal)",
                "cast (lib.mood AS integer) needs type lib.mood",
                "cast (public.pair AS integer) needs function lib.pair_int(public.pair)",
                "event trigger ddl_watch needs function lib.on_ddl()",
                "foreign-data wrapper wrapper needs function lib.fdw_handler()",
                "language plx needs function lib.pl_handler()",
                "transform for integer on language plpgsql needs function lib.from_sql(pg_catalog.internal)");
        List<String> before = target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream()
                .map(r -> r.get(0)).toList();

        // Unvalidated, pg_dump would dump each of them without its function or type, and the restore would fail.
        Selection withoutLib = Selection.builder().excludeSchemas("lib").build();
        MigrationRecord refused = migrate(source, target, runName(), db, withoutLib, MigrationOption.MIGRATE);
        assertThat(refused.errors()).as(refused.status() + " " + refused.errors()).anySatisfy(e -> {
            assertThat(e.code()).isEqualTo(MessageCode.SPEC_INVALID);
            assertThat(e.text()).contains("event trigger ddl_watch", "lib.on_ddl()", "cast (lib.mood AS integer)",
                    "belongs to no schema");
        });
        assertThat(refused.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream()
                .map(r -> r.get(0)).toList()).isEqualTo(before);

        for (Selection selection : List.of(withoutLib, Selection.builder().schemas("public").build())) {
            MigrationRecord validated = migrate(source, target, runName(), db, selection, MigrationOption.VALIDATE);
            assertThat(validated.validationResults()).as(selection.toString())
                    .filteredOn(r -> r.validatorId().equals("selection")).singleElement().satisfies(r -> {
                        assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
                        assertThat(r.items()).containsExactlyInAnyOrderElementsOf(needs);
                        assertThat(r.remedy()).contains("belongs to no schema");
                    });
        }
        // Only tables left out: what belongs to no schema has all it needs.
        MigrationRecord fine = migrate(source, target, runName(), db, Selection.builder().excludeTables("keep")
                .build(), MigrationOption.VALIDATE);
        assertThat(fine.validationResults()).filteredOn(r -> r.validatorId().equals("selection"))
                .extracting(ValidationResult::status).containsExactly(ValidationStatus.SUCCEEDED);
    }

    /** pg_dump drops a publication's membership of a table or schema it does not dump: validation says so. */
    @Test
    void aPublicationMovesWithoutTheTablesAndSchemasLeftOut(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("selpub"));
        source.execute(db, "CREATE SCHEMA lib", "CREATE TABLE lib.lt (id int PRIMARY KEY)",
                "CREATE TABLE keep (id int PRIMARY KEY)", "CREATE TABLE gone (id int PRIMARY KEY)",
                "CREATE PUBLICATION pub FOR TABLE keep, gone", "CREATE PUBLICATION pubs FOR TABLES IN SCHEMA lib");

        MigrationRecord done = migrate(source, target, runName(), db, Selection.builder().excludeSchemas("lib")
                .excludeTables("gone").build(), MigrationOption.VALIDATE_AND_MIGRATE);

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.validationResults()).filteredOn(r -> r.validatorId().equals("selection")
                && r.status() == ValidationStatus.WARNING).singleElement().satisfies(r -> {
                    assertThat(r.items()).containsExactly("lib in publication pubs", "public.gone in publication pub");
                    assertThat(r.found()).contains("pg_dump");
                });
        assertThat(done.notes()).filteredOn(n -> n.is(MessageCode.SELECTION_APPLIED)).singleElement()
                .extracting(MigrationMessage::text).asString()
                .contains("lib in publication pubs", "public.gone in publication pub");
        assertThat(target.query(db, "SELECT p.pubname || ':' || coalesce(string_agg(t.schemaname || '.' || "
                + "t.tablename, ','), '') FROM pg_publication p LEFT JOIN pg_publication_tables t ON t.pubname = "
                + "p.pubname GROUP BY p.pubname ORDER BY 1").stream().map(r -> r.get(0)).toList())
                .containsExactly("pub:public.keep", "pubs:");
    }
}
