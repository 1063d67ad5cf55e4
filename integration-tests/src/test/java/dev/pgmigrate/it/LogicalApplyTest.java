package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.core.internal.online.ApplyStatement;
import dev.pgmigrate.core.internal.online.Change;
import dev.pgmigrate.core.internal.online.PgOutputDecoder;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
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
    private static final String BIG = "(SELECT string_agg(md5(i::text || 'toast'), '') FROM generate_series(1, 2000) i)";

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
                    "INSERT INTO \"Sales \"\"eu\"\"\".orders SELECT i, 'n' || i, " + BIG + " FROM generate_series(1, 3) i",
                    "UPDATE \"Sales \"\"eu\"\"\".orders SET note = 'changed, doc untouched' WHERE id = 1",
                    "UPDATE \"Sales \"\"eu\"\"\".orders SET id = 102 WHERE id = 2",
                    "DELETE FROM \"Sales \"\"eu\"\"\".orders WHERE id = 3",
                    "INSERT INTO keyless VALUES (1, 'same'), (1, 'same'), (2, NULL)",
                    "DELETE FROM keyless WHERE ctid = (SELECT min(ctid) FROM keyless WHERE a = 1)",
                    "UPDATE keyless SET b = 'was null' WHERE a = 2",
                    "TRUNCATE emptied");
            String end = source.queryForString(db, "SELECT pg_current_wal_lsn()");

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

    /** Streams from {@code start} until a commit reaches {@code end}, applying each transaction; returns how many. */
    private static int apply(PostgresServer source, String db, PostgresServer target, LogSequenceNumber start,
            LogSequenceNumber end) throws Exception {
        Properties props = new Properties();
        PGProperty.USER.set(props, PostgresServer.SUPERUSER);
        PGProperty.PASSWORD.set(props, source.superuserPassword().reveal());
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        Map<Integer, Change.Relation> relations = new HashMap<>();
        int transactions = 0;
        try (Connection replication = DriverManager.getConnection(source.jdbcUrl(db), props);
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
}
