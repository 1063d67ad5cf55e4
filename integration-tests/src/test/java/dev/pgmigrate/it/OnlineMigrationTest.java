package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PgbenchDataset;
import dev.pgmigrate.testkit.PostgresTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Online migrations end to end on real servers: a source under a steady pgbench load and a second workload of
 * unchanged TOAST values, deletes, truncates, a keyless table and hostile names, followed until the cutover; the
 * target then equals the source row for row, and nothing of the migration is left on the source.
 */
@PostgresTest
class OnlineMigrationTest {
    static final String WORKLOAD = "CREATE SCHEMA \"Sales \"\"eu\"\"\";"
            + "CREATE TABLE \"Sales \"\"eu\"\"\".orders (id bigint PRIMARY KEY, note text, doc text, "
            + "total numeric GENERATED ALWAYS AS (id * 2) STORED);"
            + "CREATE TABLE keyless (a int, b text);"
            + "CREATE TABLE emptied (x serial PRIMARY KEY, y text);"
            + "CREATE TABLE big (id int PRIMARY KEY, payload text);"
            + "INSERT INTO \"Sales \"\"eu\"\"\".orders (id, note, doc) SELECT i, 'n' || i, (SELECT string_agg(md5(j::text),"
            + " '') FROM generate_series(1, 300) j) FROM generate_series(1, 200) i;"
            + "INSERT INTO keyless SELECT i % 7, 'k' || i FROM generate_series(1, 50) i;"
            + "INSERT INTO emptied (y) SELECT 'e' || i FROM generate_series(1, 20) i";

    /** Changes of every kind the stream carries, made while the migration follows the source. */
    static final String[] CHANGES = {
        "UPDATE \"Sales \"\"eu\"\"\".orders SET note = 'changed, doc untouched' WHERE id <= 50",
        "DELETE FROM \"Sales \"\"eu\"\"\".orders WHERE id > 190",
        "INSERT INTO \"Sales \"\"eu\"\"\".orders (id, note, doc) VALUES (1000, NULL, repeat('x', 10000))",
        "UPDATE keyless SET b = NULL WHERE a = 3",
        "DELETE FROM keyless WHERE a = 5",
        "INSERT INTO keyless VALUES (1, 'k1'), (NULL, NULL)",
        "TRUNCATE emptied",
        "INSERT INTO emptied (y) VALUES ('after the truncate')",
        // One transaction of 100 MB in the stream (10,000 values of 10 KiB, sent whole though stored compressed).
        "INSERT INTO big SELECT i, repeat(md5(i::text), 320) FROM generate_series(1, 10000) i",
    };

    @Test
    void aSourceUnderLoadFollowedUntilTheCutoverEndsIdenticalWithNothingLeftOnTheSource(
            @Pg("17") PostgresServer target) throws Exception {
        try (PostgresServer source = logicalSource("15")) {
            String db = source.createDatabase(TestDatabases.unique("online"));
            PgbenchDataset.load(source, db, 2);
            source.execute(db, WORKLOAD);
            List<MigrationEvent.ReplicationProgressed> lag = new CopyOnWriteArrayList<>();
            Process load = pgbench(source, db, 2);
            try (MigrationService service = MigrationService.builder().listener(e -> {
                if (e instanceof MigrationEvent.ReplicationProgressed p) {
                    lag.add(p);
                }
            }).build(); AutoCloseable c = cancelOnClose(service)) {
                MigrationHandle handle = service.start(spec("online-load", source, target, db));
                MigrationRecord waiting = awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
                assertThat(waiting.substatus()).isEqualTo(MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER);
                source.execute(db, CHANGES);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (handle.record().database(db).orElseThrow().replication().isEmpty()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(handle.record().database(db).orElseThrow().replication()).as("lag in the record")
                        .isPresent();
                Thread.sleep(2000); // the load streams in a while longer
                load.destroy();
                assertThat(load.waitFor(30, TimeUnit.SECONDS)).isTrue();
                handle.cutover();
                MigrationRecord done = handle.await(Duration.ofMinutes(3));

                assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
                assertThat(done.verification().orElseThrow().matches()).isTrue();
                assertThat(done.downtime(done.endedAt().orElseThrow())).isPresent();
                assertThat(done.notes()).anyMatch(n -> n.is(MessageCode.CUTOVER_COMPLETED))
                        .anyMatch(n -> n.is(MessageCode.REPLICA_IDENTITY_SET))
                        .anyMatch(n -> n.is(MessageCode.SOURCE_CLEANED_UP));
                assertThat(done.database(db).orElseThrow().replication().orElseThrow().transactions())
                        .as("source transactions applied after the copy").isGreaterThan(10);
                assertThat(lag).as("lag events").isNotEmpty();
            } finally {
                load.destroyForcibly();
            }
            assertIdentical(source, target, db);
            assertNothingLeft(source, target, db);
            assertThat(source.queryForString(db, "SELECT relreplident FROM pg_class WHERE oid = 'keyless'::regclass"))
                    .as("the replica identity set back").isEqualTo("d");
        }
    }

    /**
     * Cancels, when the test leaves, what still runs in {@code service}: its close waits for its migrations, and an
     * online one that a failed assertion left waiting for its cutover would never end.
     */
    static AutoCloseable cancelOnClose(MigrationService service) {
        return () -> service.list().stream().filter(r -> !r.status().isFinal())
                .forEach(r -> service.handle(r.name()).ifPresent(handle -> {
                    try {
                        handle.cancel();
                    } catch (MigrationException e) {
                        // it ended meanwhile
                    }
                }));
    }

    /** A source server that can decode its WAL logically. */
    static PostgresServer logicalSource(String version) {
        return PostgresServer.builder().version(version).setting("wal_level", "logical").start();
    }

    static MigrationSpec spec(String name, PostgresServer source, PostgresServer target, String db) {
        return MigrationSpec.builder().name(name).source(source.superuserSpec()).target(target.superuserSpec())
                .databases(db).mode(MigrationMode.ONLINE).settings(MigrationSettings.builder().parallelism(2)
                        .option("online.replicaIdentityFull", "true").build()).build();
    }

    /** pgbench's TPC-B load with {@code clients} clients until it is stopped. */
    static Process pgbench(PostgresServer source, String db, int clients) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(pgbenchBinary(source).toString(), "-n", "-c",
                String.valueOf(clients), "-T", "600", "-h", source.host(), "-p", String.valueOf(source.port()), "-U",
                PostgresServer.SUPERUSER, db).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PGPASSWORD", source.superuserPassword().reveal());
        return pb.start();
    }

    /** The server's own pgbench, or the machine's (the binaries from Maven Central have none). */
    static java.nio.file.Path pgbenchBinary(PostgresServer source) throws java.io.IOException {
        java.nio.file.Path own = source.binDirectory().resolve("pgbench");
        if (java.nio.file.Files.isExecutable(own)) {
            return own;
        }
        try (var versions = java.nio.file.Files.list(java.nio.file.Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin/pgbench")).filter(java.nio.file.Files::isExecutable)
                    .max(java.util.Comparator.naturalOrder()).orElseThrow(() -> new AssertionError(
                            "no pgbench under /usr/lib/postgresql: install postgresql-client"));
        }
    }

    static MigrationRecord awaitStatus(MigrationHandle handle, MigrationStatus status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            MigrationRecord r = handle.record();
            if (r.status() == status) {
                return r;
            }
            assertThat(r.status().isFinal()).as("ended early: " + r.errors()).isFalse();
            Thread.sleep(100);
        }
        throw new AssertionError("not " + status.label() + " within 3 minutes: " + handle.record().status());
    }

    /** Every table of {@code db} on both servers, row for row, compared independently of the verification. */
    static void assertIdentical(PostgresServer source, PostgresServer target, String db) {
        assertTablesIdentical(source, target, db, List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers",
                "pgbench_history", "\"Sales \"\"eu\"\"\".orders", "keyless", "emptied", "big"));
        assertThat(target.queryForString(db, "SELECT last_value FROM emptied_x_seq"))
                .isEqualTo(source.queryForString(db, "SELECT last_value FROM emptied_x_seq"));
    }

    /** The {@code tables} of {@code db} on both servers, row for row. */
    static void assertTablesIdentical(PostgresServer source, PostgresServer target, String db, List<String> tables) {
        for (String table : tables) {
            String rows = "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                    + "FROM " + table + " t";
            assertThat(target.queryForString(db, rows)).as(table).isEqualTo(source.queryForString(db, rows));
        }
    }

    static void assertNothingLeft(PostgresServer source, PostgresServer target, String db) {
        assertThat(source.queryForLong(db, "SELECT count(*) FROM pg_replication_slots")).as("slots").isZero();
        assertThat(source.queryForLong(db, "SELECT count(*) FROM pg_publication")).as("publications").isZero();
        // Every test that makes an origin on a shared target drops it, so none of pgmigrate's may be left.
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_replication_origin WHERE roname LIKE "
                + "'pgmigrate%'")).as("origins").isZero();
    }
}
