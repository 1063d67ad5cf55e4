package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Changes applied while an online migration follows its source, for what the apply statements once got wrong (found
 * by a review; each case failed the migration, or stored other values, before): identity columns GENERATED ALWAYS,
 * rows of REPLICA IDENTITY FULL tables found by columns whose text the target writes otherwise than the source sent
 * it, an inheritance parent's own row, floats from a 10 source and intervals from a source whose IntervalStyle is
 * sql_standard (the walsender's settings).
 */
@PostgresTest
class OnlineApplyFidelityTest {

    /**
     * Starts following {@code schema}'s tables, applies {@code changes} on the source, cuts over, and compares the
     * {@code tables} row by row in text, or, when {@code same} is given, its result on both servers (for values
     * each server writes otherwise as text).
     */
    private static void follow(PostgresServer source, PostgresServer target, String name, String schema,
            List<String> tables, String same, String... changes) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("applied"));
        source.execute(db, schema);
        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().build();
                AutoCloseable c = OnlineMigrationTest.cancelOnClose(service)) {
            MigrationHandle handle = service.start(OnlineMigrationTest.spec(name, source, target, db));
            OnlineMigrationTest.awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            source.execute(db, changes);
            handle.cutover();
            done = handle.await(Duration.ofMinutes(3));
        }
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        if (same == null) {
            OnlineMigrationTest.assertTablesIdentical(source, target, db, tables);
        } else {
            assertThat(target.queryForString(db, same)).isEqualTo(source.queryForString(db, same));
        }
        OnlineMigrationTest.assertNothingLeft(source, target, db);
    }

    @Test
    void identityFullTablesAndInheritance(@Pg("17") PostgresServer target) throws Exception {
        try (PostgresServer source = OnlineMigrationTest.logicalSource("15")) {
            follow(source, target, "applied-15", "CREATE TABLE ev (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                    + "v text); INSERT INTO ev (v) SELECT 'v' || i FROM generate_series(1, 10) i;"
                    + "CREATE TABLE keyless (a int, ok boolean, code char(6), ip inet);"
                    + "INSERT INTO keyless SELECT i, i % 2 = 0, 'c' || i, ('10.0.0.' || i)::inet "
                    + "FROM generate_series(1, 10) i;"
                    + "CREATE TABLE parent (id int PRIMARY KEY, v text); CREATE TABLE child (PRIMARY KEY (id)) "
                    + "INHERITS (parent); INSERT INTO parent VALUES (1, 'p'); INSERT INTO child VALUES (1, 'c')",
                    List.of("ev", "keyless", "ONLY parent", "child"), null,
                    "INSERT INTO ev (v) VALUES ('new')", "UPDATE ev SET v = 'changed' WHERE id = 1",
                    "UPDATE ev SET id = DEFAULT WHERE id = 2",
                    "UPDATE keyless SET a = a + 100 WHERE a = 2", "DELETE FROM keyless WHERE a = 4",
                    "UPDATE ONLY parent SET v = 'p2' WHERE id = 1", "DELETE FROM ONLY parent WHERE id = 1");
        }
    }

    /** A change the target refuses for what it is fails the migration with advice other than resuming. */
    @Test
    void aChangeTheTargetRefusesIsNotLeftToAResume(@Pg("17") PostgresServer target) throws Exception {
        try (PostgresServer source = OnlineMigrationTest.logicalSource("15")) {
            Refused refused = changedOnBothSides(source, target, "refused",
                    "ALTER TABLE t ADD CONSTRAINT small CHECK (v < 100)", "UPDATE t SET v = 500 WHERE id = 1");
            assertThat(refused.done().errors()).anySatisfy(e -> assertThat(e.text()).contains("would refuse it again")
                    .doesNotContain("Resume the migration"));
        }
    }

    /**
     * A row gone from the target before the source's change to it arrives fails the migration, naming the row by its
     * key and the source transaction the change came from.
     */
    @Test
    void aChangeToARowTheTargetLostNamesTheRowAndItsSourceTransaction(@Pg("17") PostgresServer target)
            throws Exception {
        try (PostgresServer source = OnlineMigrationTest.logicalSource("15")) {
            Refused refused = changedOnBothSides(source, target, "lost", "DELETE FROM t WHERE id = 2",
                    "UPDATE t SET v = 20 WHERE id = 2");
            assertThat(refused.done().errors()).anySatisfy(e -> assertThat(e.text()).contains("(\"id\")=(2), found 0 "
                    + "on the target").contains("from source transaction " + refused.xid() + " committed at ")
                    .contains("(rows on the target with these values now: 0)").contains("would refuse it again"));
        }
    }

    /** How a migration that the target refused a change of ended, and the source transaction of that change. */
    private record Refused(MigrationRecord done, String xid) {
    }

    /**
     * Follows a table {@code t} (rows 1 and 2) into {@code target}, makes {@code onTarget} on its copy, then
     * {@code update} on the source; the migration must fail on it and leave nothing behind.
     */
    private static Refused changedOnBothSides(PostgresServer source, PostgresServer target, String name,
            String onTarget, String update) throws Exception {
        String db = source.createDatabase(TestDatabases.unique(name));
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t VALUES (1, 1), (2, 2)");
        MigrationRecord done;
        String xid;
        try (MigrationService service = MigrationService.builder().build();
                AutoCloseable c = OnlineMigrationTest.cancelOnClose(service)) {
            MigrationHandle handle = service.start(OnlineMigrationTest.spec(name, source, target, db));
            OnlineMigrationTest.awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            String working = target.queryForString("postgres", "SELECT datname FROM pg_database WHERE datname "
                    + "LIKE 'pgmigrate\\_%' ORDER BY oid DESC LIMIT 1");
            target.execute(working, onTarget);
            xid = source.queryForString(db, update + " RETURNING xmin::text");
            done = handle.await(Duration.ofMinutes(3));
        }
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
        OnlineMigrationTest.assertNothingLeft(source, target, db);
        return new Refused(done, xid);
    }

    @Test
    void floatsFromTenKeepTheirBits(@Pg("17") PostgresServer target) throws Exception {
        try (PostgresServer source = OnlineMigrationTest.logicalSource("10")) {
            follow(source, target, "applied-10", "CREATE TABLE m (a int PRIMARY KEY, x float8, y real);"
                    + "INSERT INTO m SELECT i, 1 / (i + 2.0), 1 / (i + 2.0) FROM generate_series(1, 5) i",
                    List.of("m"), "SELECT string_agg(a || ':' || encode(float8send(x), 'hex') || '/' "
                            + "|| encode(float4send(y), 'hex'), ' ' ORDER BY a) FROM m",
                    "INSERT INTO m SELECT i, 1 / (i + 2.0), 1 / (i + 2.0) FROM generate_series(6, 10) i",
                    "UPDATE m SET x = x * 3, y = y * 3 WHERE a IN (1, 2)");
        }
    }

    @Test
    void intervalsFromASqlStandardSource(@Pg("17") PostgresServer target) throws Exception {
        try (PostgresServer source = PostgresServer.builder().version("15").setting("wal_level", "logical")
                .setting("IntervalStyle", "sql_standard").setting("DateStyle", "SQL, DMY").start()) {
            follow(source, target, "applied-styles", "CREATE TABLE iv (a int PRIMARY KEY, v interval, d date)",
                    List.of("iv"), "SELECT string_agg(a || '=' || extract(epoch FROM v) || '/' || (d - DATE "
                            + "'2000-01-01'), ' ' ORDER BY a) FROM iv",
                    "INSERT INTO iv VALUES (1, '-1 day -02:00:00', '2024-03-01'), "
                            + "(2, '-3 days -04:05:06', '2024-12-31'), (3, '1 day 02:00:00', '2024-01-02')");
        }
    }
}
