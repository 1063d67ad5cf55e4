package dev.pgmigrate.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PagilaDatasetTest {

    @Test
    void loadsWithAllItsTablesAndRows() {
        PostgresServer server = PostgresServer.builder().version("17").startShared();
        String db = server.createDatabase(TestDatabases.unique("pagila"));
        PagilaDataset.load(server, db);

        List<String> tables = server.query(db, "SELECT relname FROM pg_class WHERE relkind = 'r' "
                + "AND relnamespace = 'public'::regnamespace").stream().map(r -> r.get(0)).toList();
        assertThat(tables).hasSize(PagilaDataset.TABLES);
        long rows = tables.stream().mapToLong(t -> server.queryForLong(db, "SELECT count(*) FROM public." + t)).sum();
        assertThat(rows).isEqualTo(PagilaDataset.ROWS);
        PagilaDataset.SOME_ROW_COUNTS.forEach((table, count) -> assertThat(
                server.queryForLong(db, "SELECT count(*) FROM public." + table)).as(table).isEqualTo(count));
        assertThat(server.queryForString(db, "SELECT relispopulated::text FROM pg_class WHERE relname = "
                + "'rental_by_category'")).isEqualTo("false");
        assertThat(server.queryForLong(db, "SELECT last_value FROM public.actor_actor_id_seq")).isEqualTo(200);
        server.dropDatabase(db);
    }

    @Test
    void refusesServersOlderThan12() {
        PostgresServer server = PostgresServer.builder().version("11").startShared();
        assertThatThrownBy(() -> PagilaDataset.load(server, "postgres"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PostgreSQL 12 or later");
    }
}
