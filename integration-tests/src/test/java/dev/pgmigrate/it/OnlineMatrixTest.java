package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The online path across versions: the oldest source it supports (10, pgoutput's first) and pairs of old and new
 * servers, each copied from its slot's snapshot, followed through changes of every kind, and cut over identical.
 */
class OnlineMatrixTest {
    private static final String SCHEMA = "CREATE SCHEMA \"Sales \"\"eu\"\"\";"
            + "CREATE TABLE \"Sales \"\"eu\"\"\".orders (id bigserial PRIMARY KEY, note text, doc text);"
            + "CREATE TABLE keyless (a int, b text);"
            + "INSERT INTO \"Sales \"\"eu\"\"\".orders (note, doc) SELECT 'n' || i, (SELECT string_agg(md5(j::text), "
            + "'') FROM generate_series(1, 300) j) FROM generate_series(1, 100) i;"
            + "INSERT INTO keyless SELECT i % 5, 'k' || i FROM generate_series(1, 30) i";
    private static final String[] CHANGES = {
        "UPDATE \"Sales \"\"eu\"\"\".orders SET note = 'doc untouched' WHERE id <= 20",
        "DELETE FROM \"Sales \"\"eu\"\"\".orders WHERE id > 90",
        "INSERT INTO \"Sales \"\"eu\"\"\".orders (note, doc) SELECT 'late', repeat('y', 5000) FROM generate_series(1, 5)",
        "UPDATE keyless SET b = NULL WHERE a = 2",
        "DELETE FROM keyless WHERE a = 4",
    };

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"10, 15", "13, 17", "15, 18"})
    void copiedFollowedAndCutOverIdentical(String from, String to) throws Exception {
        try (PostgresServer source = OnlineMigrationTest.logicalSource(from);
                PostgresServer target = PostgresServer.builder().version(to).start()) {
            String db = source.createDatabase(TestDatabases.unique("online_matrix"));
            source.execute(db, SCHEMA);
            try (MigrationService service = MigrationService.builder().build()) {
                MigrationHandle handle = service.start(OnlineMigrationTest.spec("online-" + from + "-" + to, source,
                        target, db));
                OnlineMigrationTest.awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
                source.execute(db, CHANGES);
                handle.cutover();
                MigrationRecord done = handle.await(Duration.ofMinutes(3));
                assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
                assertThat(done.verification().orElseThrow().matches()).isTrue();
            }
            for (String table : new String[] {"\"Sales \"\"eu\"\"\".orders", "keyless"}) {
                String rows = "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
                        + " FROM " + table + " t";
                assertThat(target.queryForString(db, rows)).as(table).isEqualTo(source.queryForString(db, rows));
            }
            String sequence = "SELECT last_value FROM \"Sales \"\"eu\"\"\".orders_id_seq";
            assertThat(target.queryForString(db, sequence)).isEqualTo(source.queryForString(db, sequence))
                    .isEqualTo("105");
            OnlineMigrationTest.assertNothingLeft(source, target, db);
        }
    }
}
