package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Verification sees every change a value's text form would show, whichever row hash the two servers' versions
 * select (md5 of the row text before 11, {@code hashtextextended} of it before 14, typed column hashes from 14):
 * a numeric's scale, an interval's units, a jsonb number's scale, an array's dimensions, a float's sign of zero,
 * a timestamp's microsecond, one byte of a bytea, a letter's case under a case-insensitive collation, and values
 * swapped between rows or between the columns of a row.
 */
@PostgresTest
class VerificationFidelityTest {

    /** Table name, its column type, the source's value and a target value that differs only subtly. */
    record Change(String table, String type, String sourceValue, String targetValue) {
    }

    static final List<Change> CHANGES = List.of(
            new Change("numeric_scale", "numeric", "'1.0'", "'1.00'"),
            new Change("interval_units", "interval", "'1 day'", "'24 hours'"),
            new Change("jsonb_number", "jsonb", "'{\"a\": 1.0}'", "'{\"a\": 1.00}'"),
            new Change("array_dims", "integer[]", "'{1,2,3,4}'", "'{{1,2},{3,4}}'"),
            new Change("float_zero", "double precision", "'0'", "'-0'"),
            new Change("timestamp_micro", "timestamp with time zone", "'2024-01-01 00:00:00.000001+00'",
                    "'2024-01-01 00:00:00.000002+00'"),
            new Change("bytea_byte", "bytea", "'\\x00ff00'", "'\\x00fe00'"),
            new Change("char_padded", "character(6)", "'abc'", "'abd'"),
            new Change("uuid_value", "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
                    "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'"));

    @Test
    void md5OfRowTextBefore11(@Pg("9.6") PostgresServer source, @Pg("15") PostgresServer target) {
        assertEveryChangeIsCaught(source, target);
    }

    @Test
    void hashOfRowTextBefore14(@Pg("11") PostgresServer source, @Pg("17") PostgresServer target) {
        assertEveryChangeIsCaught(source, target);
    }

    @Test
    void typedColumnHashesFrom14(@Pg("15") PostgresServer source, @Pg("18") PostgresServer target) {
        assertEveryChangeIsCaught(source, target);
    }

    @Test
    void tablesWhoseColumnsDifferAreNamedWithTheirColumnsInsteadOfFailing(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) {
        String db = TestDatabases.unique("columns");
        source.createDatabase(db);
        target.createDatabase(db);
        try {
            source.execute(db, "CREATE TABLE same (id int, v text)", "INSERT INTO same VALUES (1, 'a')",
                    "CREATE TABLE fewer (id int, gone text, kept text)", "INSERT INTO fewer VALUES (1, 'x', 'y')",
                    "CREATE TABLE retyped (id int, amount numeric)", "INSERT INTO retyped VALUES (1, 2.5)",
                    "CREATE TABLE missing (id int)", "INSERT INTO missing VALUES (1)");
            target.execute(db, "CREATE TABLE same (id int, v text)", "INSERT INTO same VALUES (1, 'a')",
                    "CREATE TABLE fewer (id int, kept text, added int)", "INSERT INTO fewer VALUES (1, 'y', 0)",
                    "CREATE TABLE retyped (id int, amount double precision)", "INSERT INTO retyped VALUES (1, 2.5)");
            VerificationReport report;
            try (MigrationService service = MigrationService.builder().build()) {
                report = service.verify(source.serverSpec(), db, target.serverSpec(), db,
                        MigrationSettings.builder().parallelism(2).build());
            }
            assertThat(report.tableMismatches()).extracting(TableVerification::table)
                    .containsExactlyInAnyOrder("fewer", "retyped", "missing");
            assertThat(report.tableMismatches()).allSatisfy(t -> assertThat(t.difference()).isPresent());
            assertThat(report.tables()).filteredOn(t -> t.table().equals("fewer")).singleElement()
                    .satisfies(t -> assertThat(t.difference().orElseThrow()).contains("the target lacks column gone")
                            .contains("the target has column added"));
            assertThat(report.tables()).filteredOn(t -> t.table().equals("retyped")).singleElement()
                    .satisfies(t -> assertThat(t.difference().orElseThrow())
                            .contains("column amount is numeric on the source, double precision on the target"));
            assertThat(report.tables()).filteredOn(t -> t.table().equals("missing")).singleElement()
                    .satisfies(t -> assertThat(t.difference().orElseThrow()).contains("no table public.missing"));
            assertThat(report.tables()).filteredOn(t -> t.table().equals("same")).singleElement()
                    .satisfies(t -> assertThat(t.matches()).isTrue());
        } finally {
            source.dropDatabase(db);
            target.dropDatabase(db);
        }
    }

    private static void assertEveryChangeIsCaught(PostgresServer source, PostgresServer target) {
        String db = TestDatabases.unique("fidelity");
        source.createDatabase(db);
        target.createDatabase(db);
        try {
            boolean caseInsensitive = source.versionNum() >= 120000 && hasIcu(source) && hasIcu(target);
            // Every type the typed hash takes as it is, unchanged: both sides must hash them alike across versions.
            String[] same = {"CREATE TABLE unchanged (a smallint, b integer, c bigint, d boolean, e date, "
                    + "f time, g timetz, h timestamp, i timestamptz, j uuid, k oid, l macaddr, m inet, n cidr, "
                    + "o \"char\", p name, q text, r varchar(10), s char(4), t bytea, u numeric, v jsonb, w int[], "
                    + "x real, y interval)",
                "INSERT INTO unchanged VALUES (1, 2, 3, true, '2024-02-29', '12:34:56.789', '12:00+02', "
                    + "'2024-01-01 01:02:03.456789', '2024-01-01 01:02:03.456789+00', "
                    + "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 42, '08:00:2b:01:02:03', '10.0.0.1/8', '10.0.0.0/8', "
                    + "'x', 'name', 'text é', 'varchar', 'ch', '\\xdeadbeef', 1.50, '{\"k\": [1, 2.50]}', "
                    + "'{1,NULL,3}', 1.5, '1 mon 2 days')",
                "INSERT INTO unchanged (a) VALUES (NULL)"};
            for (PostgresServer server : List.of(source, target)) {
                server.execute(db, same);
                if (source.versionNum() >= 100000) {
                    server.execute(db, "CREATE TABLE unchanged_macaddr8 (m macaddr8)",
                            "INSERT INTO unchanged_macaddr8 VALUES ('08:00:2b:01:02:03:04:05'), (NULL)");
                }
                for (Change change : CHANGES) {
                    server.execute(db, "CREATE TABLE " + change.table() + " (id int, v " + change.type() + ")",
                            "INSERT INTO " + change.table() + " SELECT g, NULL FROM generate_series(1, 50) g",
                            "INSERT INTO " + change.table() + " VALUES (0, " + change.sourceValue() + ")");
                }
                // Values swapped between two rows: a hash that only adds its columns' hashes would not see it.
                server.execute(db, "CREATE TABLE swapped (id int, v text)", "INSERT INTO swapped VALUES (1, 'a'), (2, 'b')");
                // And between two columns of one row.
                server.execute(db, "CREATE TABLE swapped_columns (a text, b text)",
                        "INSERT INTO swapped_columns VALUES ('x', 'y')");
                if (caseInsensitive) {
                    server.execute(db, "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', "
                            + "deterministic = false)", "CREATE TABLE case_letter (v text COLLATE ci)",
                            "INSERT INTO case_letter VALUES ('Hello')");
                }
            }
            List<String> changed = new ArrayList<>();
            for (Change change : CHANGES) {
                target.execute(db, "UPDATE " + change.table() + " SET v = " + change.targetValue() + " WHERE id = 0");
                changed.add(change.table());
            }
            target.execute(db, "UPDATE swapped SET v = CASE id WHEN 1 THEN 'b' ELSE 'a' END");
            changed.add("swapped");
            target.execute(db, "UPDATE swapped_columns SET a = b, b = a");
            changed.add("swapped_columns");
            if (caseInsensitive) {
                target.execute(db, "UPDATE case_letter SET v = 'hello'");
                changed.add("case_letter");
            }

            VerificationReport report;
            try (MigrationService service = MigrationService.builder().build()) {
                report = service.verify(source.serverSpec(), db, target.serverSpec(), db,
                        MigrationSettings.builder().parallelism(2).build());
            }
            assertThat(report.tableMismatches()).extracting(TableVerification::table)
                    .containsExactlyInAnyOrderElementsOf(changed);
            assertThat(report.tableMismatches()).allMatch(t -> t.sourceRows() == t.targetRows());
            assertThat(report.tables()).filteredOn(t -> t.table().equals("unchanged")).singleElement()
                    .satisfies(t -> assertThat(t.targetChecksum()).isEqualTo(t.sourceChecksum()));
            assertThat(report.objectMismatches()).isEmpty();
        } finally {
            source.dropDatabase(db);
            target.dropDatabase(db);
        }
    }

    private static boolean hasIcu(PostgresServer server) {
        return server.queryForLong("postgres", "SELECT count(*) FROM pg_collation WHERE collprovider = 'i'") > 0;
    }
}
