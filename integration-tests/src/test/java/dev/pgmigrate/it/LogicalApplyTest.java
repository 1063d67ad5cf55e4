package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.core.internal.online.ApplyStatement;
import dev.pgmigrate.core.internal.online.Change;
import dev.pgmigrate.core.internal.online.ChangeApplier;
import dev.pgmigrate.core.internal.online.PgOutputDecoder;
import dev.pgmigrate.core.internal.online.SourceSlot;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The online path's decoder and apply statements against a real {@code pgoutput} stream: every change kind the
 * stream carries, applied on another server, leaves the target equal to the source row for row — an unchanged
 * TOAST value kept, a key change followed, one of two equal rows of a keyless table changed, a truncate applied.
 */
@PostgresTest
class LogicalApplyTest {
    private static final String SCHEMA = "CREATE SCHEMA \"Sales \"\"eu\"\"\";"
            + "CREATE TABLE \"Sales \"\"eu\"\"\".orders (id bigint PRIMARY KEY, note text, doc text);"
            + "CREATE TABLE keyless (a int, b text); ALTER TABLE keyless REPLICA IDENTITY FULL;"
            + "CREATE TABLE emptied (x int PRIMARY KEY)";
    private static final String BIG =
            "(SELECT string_agg(md5(i::text || 'toast'), '') FROM generate_series(1, 2000) i)";

    @Test
    void everyChangeKindAppliedLeavesTheTargetEqualToTheSource(@Pg("17") PostgresServer target) throws Exception {
        try (PostgresServer source = PostgresServer.builder().version("15").setting("wal_level", "logical").start()) {
            String db = source.createDatabase(TestDatabases.unique("logical"));
            target.createDatabase(db);
            source.execute(db, SCHEMA, "INSERT INTO emptied SELECT generate_series(1, 5)",
                    "CREATE PUBLICATION everything FOR ALL TABLES");
            target.execute(db, SCHEMA, "INSERT INTO emptied SELECT generate_series(1, 5)");
            String start = source.queryForString(db,
                    "SELECT lsn FROM pg_create_logical_replication_slot('apply_test', 'pgoutput')");

            source.execute(db,
                    "INSERT INTO \"Sales \"\"eu\"\"\".orders SELECT i, 'n' || i, " + BIG
                            + " FROM generate_series(1, 3) i",
                    "UPDATE \"Sales \"\"eu\"\"\".orders SET note = 'changed, doc untouched' WHERE id = 1",
                    "UPDATE \"Sales \"\"eu\"\"\".orders SET id = 102 WHERE id = 2",
                    "DELETE FROM \"Sales \"\"eu\"\"\".orders WHERE id = 3",
                    "INSERT INTO keyless VALUES (1, 'same'), (1, 'same'), (2, NULL)",
                    "DELETE FROM keyless WHERE ctid = (SELECT min(ctid) FROM keyless WHERE a = 1)",
                    "UPDATE keyless SET b = 'was null' WHERE a = 2",
                    "TRUNCATE emptied");
            String end = source.queryForString(db, "SELECT pg_current_wal_insert_lsn()");

            int applied = apply(source, db, target, LogSequenceNumber.valueOf(start), LogSequenceNumber.valueOf(end));

            assertThat(applied).as("source transactions applied").isEqualTo(8);
            for (String table : List.of("\"Sales \"\"eu\"\"\".orders", "keyless", "emptied")) {
                String rows = "SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM " + table + " t";
                assertThat(target.queryForString(db, rows)).as(table).isEqualTo(source.queryForString(db, rows));
            }
            assertThat(target.queryForLong(db, "SELECT count(*) FROM \"Sales \"\"eu\"\"\".orders WHERE id = 1 AND "
                    + "length(doc) = 64000 AND note = 'changed, doc untouched'")).as("the unchanged TOAST value kept")
                    .isEqualTo(1);
            source.execute(db, "SELECT pg_drop_replication_slot('apply_test')");
        }
    }

    @Test
    void aCrashMidApplyResumesAfterTheLastCommittedTransactionWithNothingLostOrTwice(@Pg("17") PostgresServer target)
            throws Exception {
        try (PostgresServer source = PostgresServer.builder().version("15").setting("wal_level", "logical").start()) {
            String db = source.createDatabase(TestDatabases.unique("exactly_once"));
            target.createDatabase(db);
            String schema = "CREATE TABLE counter (id int PRIMARY KEY, n int);"
                    + "CREATE TABLE log (seq int, at text); ALTER TABLE log REPLICA IDENTITY FULL";
            source.execute(db, schema, "INSERT INTO counter VALUES (1, 0)", "CREATE PUBLICATION p FOR ALL TABLES");
            target.execute(db, schema, "INSERT INTO counter VALUES (1, 0)");
            String start = source.queryForString(db,
                    "SELECT lsn FROM pg_create_logical_replication_slot('once', 'pgoutput')");
            for (int i = 1; i <= 40; i++) {
                source.execute(db, "BEGIN; UPDATE counter SET n = n + 1 WHERE id = 1; INSERT INTO log VALUES (" + i
                        + ", 'tx " + i + "'); COMMIT");
            }
            long end = LogSequenceNumber.valueOf(source.queryForString(db, "SELECT pg_current_wal_insert_lsn()"))
                    .asLong();

            // First run: groups of 3 statements (one source transaction and a half); the process dies after 25
            // transactions, in the middle of a group whose statements the target has not committed.
            long resumeAt;
            try (Connection apply = target.connect(db); ChangeApplier applier = new ChangeApplier(apply, "once", 3)) {
                resumeAt = stream(source, db, "once", LogSequenceNumber.valueOf(start), applier, 25, end);
            }
            long committed;
            try (Connection check = target.connect(db)) {
                committed = Long.parseLong(Sql.one(check,
                        "SELECT count(*) FROM log"));
            }
            assertThat(committed).as("some, not all, transactions committed before the crash").isBetween(1L, 39L);

            try (Connection apply = target.connect(db); ChangeApplier applier = new ChangeApplier(apply, "once", 3)) {
                assertThat(applier.appliedLsn()).as("the target's origin says where it stopped").isEqualTo(resumeAt);
                // From the slot's start again: whatever the source sends twice, the target applies once.
                stream(source, db, "once", LogSequenceNumber.valueOf(start), applier, -1, end);
            }
            assertThat(target.queryForString(db, "SELECT n FROM counter")).isEqualTo("40");
            assertThat(target.queryForString(db, "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || sum(seq) "
                    + "FROM log")).as("each of the 40 exactly once").isEqualTo("40 40 820");
            source.execute(db, "SELECT pg_drop_replication_slot('once')");
            target.execute("postgres", "SELECT pg_replication_origin_drop('once')"); // server-wide: not dropped with db
        }
    }

    @Test
    void theSlotsSnapshotAndItsStreamMeetExactlyAndDropLeavesNothing(@Pg("17") PostgresServer target)
            throws Exception {
        try (PostgresServer source = PostgresServer.builder().version("15").setting("wal_level", "logical").start()) {
            String db = source.createDatabase(TestDatabases.unique("slot"));
            target.createDatabase(db);
            source.execute(db, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 100)");
            target.execute(db, "CREATE TABLE t (id int PRIMARY KEY)");
            ServerConnector connector = new ServerConnector(source.superuserSpec(), MigrationSettings.defaults());
            String name = SourceSlot.name("shop-move", db);
            assertThat(name).isEqualTo(SourceSlot.name("shop-move", db)).startsWith("pgmigrate_").hasSizeLessThan(64);
            long start;
            try (SourceSlot slot = SourceSlot.create(connector, db, name, List.of("public.t"))) {
                source.execute(db, "INSERT INTO t SELECT generate_series(101, 150)"); // after the slot: streamed
                try (Connection copy = source.connect(db); Connection into = target.connect(db)) {
                    copy.setAutoCommit(false);
                    Sql.execute(copy, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                    Sql.execute(copy, "SET TRANSACTION SNAPSHOT '" + slot.snapshot() + "'");
                    String ids = Sql.one(copy, "SELECT string_agg(id::text, ',') FROM t");
                    assertThat(ids.split(",")).as("the snapshot holds what precedes the slot").hasSize(100);
                    Sql.execute(into, "INSERT INTO t SELECT unnest('{" + ids + "}'::int[])");
                    copy.commit();
                }
                start = slot.consistentPoint();
            }
            source.execute(db, "DELETE FROM t WHERE id <= 10");
            long end = LogSequenceNumber.valueOf(source.queryForString(db, "SELECT pg_current_wal_insert_lsn()"))
                    .asLong();
            try (Connection apply = target.connect(db); ChangeApplier applier = new ChangeApplier(apply, name, 100)) {
                streamFrom(source, db, name, LogSequenceNumber.valueOf(start), applier, end);
            }
            String rows = "SELECT count(*) || ' ' || sum(id) FROM t";
            assertThat(target.queryForString(db, rows)).isEqualTo(source.queryForString(db, rows))
                    .isEqualTo("140 11270");

            try (Connection c = source.connect(db)) {
                assertThat(SourceSlot.leftovers(c)).extracting(r -> r[0]).contains(name);
                SourceSlot.drop(c, name);
                SourceSlot.drop(c, name); // again: nothing left, nothing to fail on
                assertThat(SourceSlot.leftovers(c)).extracting(r -> r[0]).doesNotContain(name);
            }
            assertThat(source.queryForLong(db, "SELECT count(*) FROM pg_publication WHERE pubname = '" + name + "'"))
                    .isZero();
            // The target's origin outlives the database: the shared target must not keep it for the next test class.
            target.execute("postgres", "SELECT pg_replication_origin_drop('" + name + "')");
        }
    }

    @Test
    void anOriginStillHeldByABrokenStreamsSessionIsTakenOverAndAnyOtherHolderNamed(@Pg("17") PostgresServer target)
            throws Exception {
        String db = target.createDatabase(TestDatabases.unique("origin"));
        String name = "held_origin";
        target.execute(db, "SELECT pg_replication_origin_create('" + name + "')");
        try {
            try (Connection stale = target.connect(db)) { // a stream's apply session whose client is gone
                Sql.execute(stale, "SET application_name = 'pgmigrate'");
                Sql.one(stale, "SELECT pg_replication_origin_session_setup(?)", name);
                try (Connection apply = target.connect(db);
                        ChangeApplier applier = new ChangeApplier(apply, name, 10)) {
                    assertThat(applier.appliedLsn()).isZero();
                }
                assertThat(stale.isValid(5)).as("the stale session was ended").isFalse();
            }
            try (Connection other = target.connect(db)) { // someone else's: named, left alone
                Sql.execute(other, "SET application_name = 'psql'");
                Sql.one(other, "SELECT pg_replication_origin_session_setup(?)", name);
                String pid = Sql.one(other, "SELECT pg_backend_pid()");
                try (Connection apply = target.connect(db)) {
                    assertThatThrownBy(() -> new ChangeApplier(apply, name, 10)).isInstanceOf(SQLException.class)
                            .hasMessageContaining("held by another session (PID " + pid + ")")
                            .hasMessageContaining("pg_terminate_backend(" + pid + ")");
                }
                assertThat(other.isValid(5)).isTrue();
            }
        } finally {
            target.execute("postgres", "SELECT pg_replication_origin_drop('" + name + "')");
        }
    }

    private static void streamFrom(PostgresServer source, String db, String slot, LogSequenceNumber start,
            ChangeApplier applier, long end) throws Exception {
        stream(source, db, slot, slot, start, applier, -1, end);
    }

    /**
     * Streams through {@code applier} from {@code start}: until a commit reaches {@code end}, or, with {@code dieAfter}
     * at 0 or more, until that many source commits were seen (then it stops without committing the open group, as a
     * killed process would); returns the position committed on the target.
     */
    private static long stream(PostgresServer source, String db, String slot, LogSequenceNumber start,
            ChangeApplier applier, int dieAfter, long end) throws Exception {
        return stream(source, db, slot, "p", start, applier, dieAfter, end);
    }

    private static long stream(PostgresServer source, String db, String slot, String publication,
            LogSequenceNumber start, ChangeApplier applier, int dieAfter, long end) throws Exception {
        int commits = 0;
        try (Connection replication = replication(source, db)) {
            PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical().withSlotName(slot).withStartPosition(start)
                    .withSlotOption("proto_version", "1").withSlotOption("publication_names", publication).start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                ByteBuffer message = stream.readPending();
                if (message == null) {
                    applier.commitGroup().ifPresent(lsn -> confirm(stream, lsn));
                    Thread.sleep(10);
                    continue;
                }
                Change change = PgOutputDecoder.decode(message);
                applier.apply(change).ifPresent(lsn -> confirm(stream, lsn));
                if (change instanceof Change.Commit c) {
                    commits++;
                    if (commits == dieAfter) {
                        return applier.appliedLsn();
                    }
                    if (c.endLsn() >= end) {
                        applier.commitGroup().ifPresent(lsn -> confirm(stream, lsn));
                        return applier.appliedLsn();
                    }
                }
            }
        }
        throw new AssertionError("the stream did not reach the end in 60 s");
    }

    private static void confirm(PGReplicationStream stream, long lsn) {
        stream.setFlushedLSN(LogSequenceNumber.valueOf(lsn));
        stream.setAppliedLSN(LogSequenceNumber.valueOf(lsn));
    }

    /** Streams from {@code start} until a commit reaches {@code end}, applying each transaction; returns how many. */
    private static int apply(PostgresServer source, String db, PostgresServer target, LogSequenceNumber start,
            LogSequenceNumber end) throws Exception {
        Map<Integer, Change.Relation> relations = new HashMap<>();
        int transactions = 0;
        try (Connection replication = replication(source, db);
                Connection apply = target.connect(db)) {
            apply.setAutoCommit(false);
            PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical().withSlotName("apply_test").withStartPosition(start)
                    .withSlotOption("proto_version", "1").withSlotOption("publication_names", "everything").start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                ByteBuffer message = stream.readPending();
                if (message == null) {
                    Thread.sleep(10);
                    continue;
                }
                Change change = PgOutputDecoder.decode(message);
                List<ApplyStatement> statements = new ArrayList<>();
                if (change instanceof Change.Relation r) {
                    relations.put(r.oid(), r);
                } else if (change instanceof Change.Insert i) {
                    statements.add(ApplyStatement.insert(relations.get(i.relationOid()), i.row()));
                } else if (change instanceof Change.Update u) {
                    statements.add(ApplyStatement.update(relations.get(u.relationOid()), u.oldRow(),
                            u.oldIsWholeRow(), u.newRow()));
                } else if (change instanceof Change.Delete d) {
                    statements.add(ApplyStatement.delete(relations.get(d.relationOid()), d.oldRow(),
                            d.oldIsWholeRow()));
                } else if (change instanceof Change.Truncate t) {
                    statements.add(ApplyStatement.truncate(t.relationOids().stream().map(relations::get).toList(),
                            t.cascade(), t.restartIdentity()));
                } else if (change instanceof Change.Commit c) {
                    apply.commit();
                    transactions++;
                    stream.setFlushedLSN(LogSequenceNumber.valueOf(c.endLsn()));
                    stream.setAppliedLSN(LogSequenceNumber.valueOf(c.endLsn()));
                    if (c.endLsn() >= end.asLong()) {
                        return transactions;
                    }
                }
                for (ApplyStatement s : statements) {
                    try (PreparedStatement ps = apply.prepareStatement(s.sql())) {
                        for (int i = 0; i < s.parameters().size(); i++) {
                            ps.setObject(i + 1, s.parameters().get(i), Types.OTHER);
                        }
                        assertThat(ps.executeUpdate()).as(s.sql()).isLessThanOrEqualTo(s.sql().startsWith("TRUNCATE")
                                ? 0 : 1);
                    }
                }
            }
        }
        throw new AssertionError("the stream did not reach " + end + " in 60 s; applied " + transactions);
    }

    /** A logical replication connection to {@code db} as the superuser. */
    private static Connection replication(PostgresServer source, String db) throws java.sql.SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, PostgresServer.SUPERUSER);
        PGProperty.PASSWORD.set(props, source.superuserPassword().reveal());
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        return DriverManager.getConnection(source.jdbcUrl(db), props);
    }
}
