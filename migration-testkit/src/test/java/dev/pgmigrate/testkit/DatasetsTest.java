package dev.pgmigrate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@PostgresTest
class DatasetsTest {

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(strings = {"9.6", "11", "17", "18"})
    void everythingDatasetLoadsAndHoldsWhatItPromises(String version) {
        PostgresServer server = PostgresServer.builder().version(version).startShared();
        String db = server.createDatabase(TestDatabases.unique("everything"));
        EverythingDataset.load(server, db);
        EverythingDataset.Contents expected = EverythingDataset.expected(server.versionNum());
        String ns = "(SELECT oid FROM pg_namespace WHERE nspname = 'everything')";

        assertThat(names(server, db, "SELECT relname FROM pg_class WHERE relnamespace = " + ns
                + " AND relkind IN ('r', 'p')")).isEqualTo(expected.tables());
        assertThat(names(server, db, "SELECT relname FROM pg_class WHERE relnamespace = " + ns + " AND relkind = 'v'"))
                .isEqualTo(expected.views());
        assertThat(names(server, db, "SELECT relname FROM pg_class WHERE relnamespace = " + ns + " AND relkind = 'm'"))
                .isEqualTo(expected.materializedViews());
        assertThat(names(server, db, "SELECT relname FROM pg_class WHERE relnamespace = " + ns + " AND relkind = 'S'"))
                .isEqualTo(expected.sequences());
        String procedures = server.versionNum() >= 110000 ? "prokind = 'p'" : "false";
        assertThat(names(server, db, "SELECT proname FROM pg_proc WHERE pronamespace = " + ns + " AND NOT ("
                + procedures + ")")).isEqualTo(expected.functions());
        assertThat(names(server, db, "SELECT proname FROM pg_proc WHERE pronamespace = " + ns + " AND " + procedures))
                .isEqualTo(expected.procedures());
        assertThat(names(server, db, "SELECT typname FROM pg_type WHERE typnamespace = " + ns + " AND typtype = 'e'"))
                .isEqualTo(expected.enums());
        assertThat(names(server, db, "SELECT t.typname FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid "
                + "WHERE t.typnamespace = " + ns + " AND c.relkind = 'c'")).isEqualTo(expected.composites());
        assertThat(names(server, db, "SELECT typname FROM pg_type WHERE typnamespace = " + ns + " AND typtype = 'd'"))
                .isEqualTo(expected.domains());
        assertThat(names(server, db, "SELECT relname FROM pg_class WHERE relnamespace = " + ns
                + " AND relkind IN ('i', 'I')")).containsAll(expected.indexes());
        Map<String, Character> constraints = server.query(db, "SELECT conname, contype FROM pg_constraint "
                + "WHERE connamespace = " + ns).stream()
                .collect(Collectors.toMap(r -> r.get(0), r -> r.get(1).charAt(0), (a, b) -> a));
        assertThat(constraints).containsAllEntriesOf(expected.constraints());
        assertThat(names(server, db, "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                + "WHERE c.relnamespace = " + ns + " AND NOT t.tgisinternal")).isEqualTo(expected.triggers());
        assertThat(names(server, db, "SELECT polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
                + "WHERE c.relnamespace = " + ns)).isEqualTo(expected.policies());
        assertThat(names(server, db, "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'"))
                .isEqualTo(expected.extensions());
        assertThat(server.queryForLong(db, "SELECT count(*) FROM pg_largeobject_metadata"))
                .isEqualTo(expected.largeObjects());
        expected.rowCounts().forEach((table, rows) -> assertThat(
                server.queryForLong(db, "SELECT count(*) FROM everything." + table)).as(table).isEqualTo(rows));
        assertThat(server.queryForLong(db, "SELECT count(*) FROM everything.empty_table")).isZero();
        assertThat(server.queryForString(db, "SELECT relpersistence FROM pg_class WHERE relname = 'session_cache'"))
                .isEqualTo("u");
        assertThat(server.queryForLong(db, "SELECT count(*) FROM pg_attribute WHERE attrelid = "
                + "'everything.with_dropped_column'::regclass AND attisdropped")).isEqualTo(2);
        assertThat(server.queryForString(db, "SELECT collname FROM pg_attribute a JOIN pg_collation c "
                + "ON c.oid = a.attcollation WHERE attrelid = 'everything.collated_names'::regclass "
                + "AND attname = 'c_name'")).isEqualTo("C");
        assertThat(server.queryForLong(db, "SELECT last_value FROM everything.invoice_no_seq")).isEqualTo(5000);
        assertThat(server.queryForLong(db, "SELECT count(*) FROM information_schema.role_table_grants "
                + "WHERE grantee = 'everything_reader'")).isPositive();
        assertThat(server.queryForString(db, "SELECT obj_description('everything.customers'::regclass, 'pg_class')"))
                .isEqualTo("people who order");
        if (server.versionNum() >= 120000) {
            assertThat(server.queryForString(db, "SELECT attgenerated FROM pg_attribute WHERE attrelid = "
                    + "'everything.orders'::regclass AND attname = 'total'")).isEqualTo("s");
        }
        if (server.versionNum() >= 100000) {
            assertThat(server.queryForString(db, "SELECT attidentity FROM pg_attribute WHERE attrelid = "
                    + "'everything.orders'::regclass AND attname = 'id'")).isEqualTo("d");
        }
        server.dropDatabase(db);
    }

    @Test
    void everythingDatasetIsDeterministic(@Pg("17") PostgresServer server) {
        String one = server.createDatabase(TestDatabases.unique("everything"));
        String two = server.createDatabase(TestDatabases.unique("everything"));
        EverythingDataset.load(server, one);
        EverythingDataset.load(server, two);
        String digest = "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM everything.all_types t";

        assertThat(server.queryForString(one, digest)).isEqualTo(server.queryForString(two, digest));
        server.dropDatabase(one);
        server.dropDatabase(two);
    }

    @Test
    void pgbenchDatasetHasTheFourTablesWithPrimaryKeys(@Pg("17") PostgresServer server) {
        String db = server.createDatabase(TestDatabases.unique("pgbench"));
        PgbenchDataset.load(server, db, 2);

        PgbenchDataset.expectedRowCounts(2).forEach((table, rows) -> assertThat(
                server.queryForLong(db, "SELECT count(*) FROM " + table)).as(table).isEqualTo(rows));
        assertThat(names(server, db, "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'p' "
                + "AND connamespace = 'public'::regnamespace"))
                .containsExactlyInAnyOrder("pgbench_accounts", "pgbench_branches", "pgbench_tellers");
        assertThat(server.queryForLong(db, "SELECT count(DISTINCT bid) FROM pgbench_accounts")).isEqualTo(2);
        server.dropDatabase(db);
    }

    @Test
    void pgbenchDatasetLoadsOn96(@Pg("9.6") PostgresServer server) {
        String db = server.createDatabase(TestDatabases.unique("pgbench"));
        PgbenchDataset.load(server, db, 1);

        assertThat(server.queryForLong(db, "SELECT count(*) FROM pgbench_accounts")).isEqualTo(100_000);
        server.dropDatabase(db);
    }

    private static Set<String> names(PostgresServer server, String db, String sql) {
        return new HashSet<>(server.query(db, sql).stream().map(r -> r.get(0)).toList());
    }
}
