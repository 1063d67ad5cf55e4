package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What verification compares beyond the copied columns' values, and what it must not fail (found by a review): floats
 * inside other types across the text form's change in 12, text under a nondeterministic collation in an array or a
 * domain, stored generated columns, large objects' bytes, a sequence not yet called.
 */
@PostgresTest
class VerificationCoverageTest {

    private static VerificationReport verify(PostgresServer source, PostgresServer target, String db) {
        try (MigrationService service = MigrationService.builder().build()) {
            return service.verify(source.serverSpec(), db, target.serverSpec(), db,
                    MigrationSettings.builder().parallelism(2).build());
        }
    }

    private static MigrationRecord migrate(PostgresServer source, PostgresServer target, String db) throws Exception {
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationSpec spec = MigrationSpec.builder().name("coverage-" + Math.abs(db.hashCode() % 100000))
                    .source(source.serverSpec()).target(target.serverSpec()).databases(db)
                    .settings(MigrationSettings.builder().parallelism(2).build()).build();
            return service.start(spec).await();
        }
    }

    /** Identical floats in a domain, a point[] and a composite: printed otherwise by 11 and 17, never a mismatch. */
    @Test
    void floatsInsideOtherTypesCompareAlikeAcrossTwelve(@Pg("11") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("floatdom");
        source.createDatabase(db);
        target.createDatabase(db);
        try {
            for (PostgresServer server : List.of(source, target)) {
                server.execute(db, "CREATE DOMAIN price AS double precision CHECK (VALUE >= 0)",
                        "CREATE TABLE priced (id int, p price)", "INSERT INTO priced VALUES (1, 0.1), (2, 19.99)",
                        "CREATE TABLE shapes (id int, pts point[])",
                        "INSERT INTO shapes VALUES (1, ARRAY[point(0.1, 0.2)])",
                        "CREATE TYPE reading AS (at int, v double precision)",
                        "CREATE TABLE readings (id int, r reading)",
                        "INSERT INTO readings VALUES (1, ROW(1, 0.3)::reading)");
            }
            assertThat(verify(source, target, db).tableMismatches()).as("identical data").isEmpty();
            target.execute(db, "UPDATE priced SET p = 0.2 WHERE id = 1");
            assertThat(verify(source, target, db).tableMismatches()).extracting(TableVerification::table)
                    .containsExactly("priced");
        } finally {
            source.dropDatabase(db);
            target.dropDatabase(db);
        }
        String migrated = source.createDatabase(TestDatabases.unique("floatmig"));
        source.execute(migrated, "CREATE DOMAIN price AS double precision CHECK (VALUE >= 0)",
                "CREATE TABLE priced (id int PRIMARY KEY, p price)", "INSERT INTO priced VALUES (1, 0.1), (2, 19.99)");
        MigrationRecord done = migrate(source, target, migrated);
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.verification().orElseThrow().matches()).isTrue();
    }

    /** A letter's case in a text[] or a domain under a case-insensitive collation is a difference. */
    @Test
    void caseUnderANondeterministicCollationOfAnArrayOrADomain(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) {
        assumeTrue(source.queryForLong("postgres", "SELECT count(*) FROM pg_collation WHERE collprovider = 'i'") > 0);
        String db = TestDatabases.unique("cicoll");
        source.createDatabase(db);
        target.createDatabase(db);
        try {
            for (PostgresServer server : List.of(source, target)) {
                server.execute(db, "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', "
                        + "deterministic = false)", "CREATE DOMAIN ci_text AS text COLLATE ci",
                        "CREATE TABLE tags (id int, t text[] COLLATE ci)", "INSERT INTO tags VALUES (1, ARRAY['Hello'])",
                        "CREATE TABLE names (id int, n ci_text)", "INSERT INTO names VALUES (1, 'Hello')");
            }
            assertThat(verify(source, target, db).matches()).isTrue();
            target.execute(db, "UPDATE tags SET t = ARRAY['hello']", "UPDATE names SET n = 'HELLO'");
            assertThat(verify(source, target, db).tableMismatches()).extracting(TableVerification::table)
                    .containsExactlyInAnyOrder("tags", "names");
        } finally {
            source.dropDatabase(db);
            target.dropDatabase(db);
        }
    }

    /**
     * A stored generated column is computed by the target, not copied: a function changed since the source's rows
     * were written makes the target's values differ, and the migration's verification says so. Between servers of
     * one major, where the target sums the copied columns itself while other tables still copy.
     */
    @Test
    void storedGeneratedColumnsAreCompared(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("gencol"));
        source.execute(db, "CREATE FUNCTION f(x int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT x + 1'",
                "CREATE TABLE g (x int PRIMARY KEY, y int GENERATED ALWAYS AS (f(x)) STORED, z text)",
                "INSERT INTO g (x, z) VALUES (1, 'a'), (2, 'b')", "CREATE TABLE same (x int, "
                        + "y int GENERATED ALWAYS AS (x * 2) STORED)", "INSERT INTO same (x) VALUES (1), (2)");
        assertThat(migrate(source, target, db).status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(verify(source, target, db).matches()).as("generated alike on both").isTrue();
        target.dropDatabase(db);

        source.execute(db, "CREATE OR REPLACE FUNCTION f(x int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT x + 2'");
        MigrationRecord done = migrate(source, target, db);
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(done.errors()).anySatisfy(e -> {
            assertThat(e.code()).isEqualTo(MessageCode.VERIFICATION_MISMATCH);
            assertThat(e.text()).contains("Table public.g:").contains("generated columns y");
        });
        assertThat(done.verification().orElseThrow().tableMismatches()).extracting(TableVerification::table)
                .containsExactly("g");
    }

    /** Large objects of the same number and OIDs whose bytes differ are a difference. */
    @Test
    void largeObjectsAreComparedByTheirBytes(@Pg("16") PostgresServer source, @Pg("17") PostgresServer target) {
        String db = TestDatabases.unique("lobj");
        source.createDatabase(db);
        target.createDatabase(db);
        try {
            for (PostgresServer server : List.of(source, target)) {
                server.execute(db, "SELECT lo_from_bytea(424242, '\\x0102030405'::bytea)",
                        "SELECT lo_from_bytea(424243, ''::bytea)");
            }
            assertThat(verify(source, target, db).matches()).as("the same bytes").isTrue();
            target.execute(db, "SELECT lo_put(424242, 2, '\\xff'::bytea)");
            assertThat(verify(source, target, db).objectMismatches()).extracting(ObjectCount::kind)
                    .containsExactly("large objects' content (checksum)");
        } finally {
            source.dropDatabase(db);
            target.dropDatabase(db);
        }
    }

    /** A sequence set to 100 but not yet called gives 100 next: it differs from a fresh one, not from 99 called. */
    @Test
    void aSequenceIsComparedByItsNextValue(@Pg("9.6") PostgresServer source, @Pg("17") PostgresServer target) {
        String db = TestDatabases.unique("seqcalled");
        source.createDatabase(db);
        target.createDatabase(db);
        try {
            for (PostgresServer server : List.of(source, target)) {
                server.execute(db, "CREATE SEQUENCE s", "CREATE SEQUENCE by_ten INCREMENT 10");
            }
            assertThat(verify(source, target, db).matches()).as("both fresh").isTrue();
            source.execute(db, "SELECT setval('s', 100, false)", "SELECT setval('by_ten', 100, false)");
            target.execute(db, "SELECT setval('by_ten', 90, true)");
            assertThat(verify(source, target, db).objectMismatches()).extracting(ObjectCount::kind)
                    .containsExactly("sequence s");
            target.execute(db, "SELECT setval('s', 99, true)");
            assertThat(verify(source, target, db).matches()).as("nextval 100 on both").isTrue();
        } finally {
            source.dropDatabase(db);
            target.dropDatabase(db);
        }
    }
}
