package dev.pgmigrate.it;

import static dev.pgmigrate.it.OnlineMigrationTest.assertNothingLeft;
import static dev.pgmigrate.it.OnlineMigrationTest.awaitStatus;
import static dev.pgmigrate.it.OnlineMigrationTest.cancelOnClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PgbenchDataset;
import dev.pgmigrate.testkit.PostgresTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An online migration's lifecycle as its user meets it, on real servers: canceled with the target out of reach,
 * the target out of reach until the source drops the slot, a column retyped or a table created on the source while
 * it follows, the source written to during its cutover.
 */
@PostgresTest
class OnlineLifecycleTest {
    private static PostgresServer source;

    @BeforeAll
    static void logicalSource() {
        source = OnlineMigrationTest.logicalSource("15");
    }

    @AfterAll
    static void stopSource() {
        if (source != null) {
            source.close();
        }
    }

    @Test
    void aCancelWhileTheTargetIsOutOfReachStillDropsTheSlotOnTheSource() throws Exception {
        String db = bank("unreachable");
        try (PostgresServer target = PostgresServer.builder().version("17").start();
                SlowProxy relay = new SlowProxy(target, 0, 0);
                MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            List<String> before = PluginJarTest.databases(target);
            MigrationHandle handle = service.start(spec("unreachable", source.superuserSpec(), relay.serverSpec(), db,
                    MigrationSettings.builder().option("rollback.waitSeconds", "1")));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            relay.cut();
            handle.cancel();
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertThat(OnlineFaultsTest.slotAndPublication(source, db)).as("on the source, %s", done.errors()).isEqualTo("0/0");
            assertThat(OnlineFaultsTest.replicaIdentity(source, db)).as("pgbench_history's replica identity, set back").isEqualTo("d");
            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).extracting(MigrationMessage::code).contains(MessageCode.ROLLBACK_INCOMPLETE);
            assertThat(done.errors()).anyMatch(e -> e.text().contains("keeps no WAL for this migration"));

            relay.mend(); // the target back: cancel again to finish its part
            MigrationRecord again = service.cancel("unreachable");
            assertThat(again.errors()).extracting(MigrationMessage::code)
                    .doesNotContain(MessageCode.ROLLBACK_INCOMPLETE);
            assertThat(again.notes()).anyMatch(n -> n.is(MessageCode.ROLLED_BACK));
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
            assertNothingLeft(source, target, db);
        }
    }

    /**
     * The target out of reach while the migration follows: the slot keeps the source's WAL, which the record says
     * with the source's limit; once the source drops the slot for that limit, the migration fails and rolls back.
     */
    @Test
    void aTargetOutOfReachShowsTheWalTheSlotKeepsAndTheSlotsLossFailsTheMigration() throws Exception {
        try (PostgresServer limited = PostgresServer.builder().version("15").setting("wal_level", "logical")
                .setting("max_slot_wal_keep_size", "32MB").start();
                PostgresServer target = PostgresServer.builder().version("17").start();
                SlowProxy relay = new SlowProxy(target, 0, 0);
                MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            String db = limited.createDatabase(TestDatabases.unique("walkept"));
            PgbenchDataset.load(limited, db, 1);
            List<String> before = PluginJarTest.databases(target);
            MigrationHandle handle = service.start(spec("wal-kept", limited.superuserSpec(), relay.serverSpec(), db,
                    MigrationSettings.builder().option("rollback.waitSeconds", "1")));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            String slot = limited.queryForString(db, "SELECT slot_name FROM pg_replication_slots");
            relay.cut();
            limited.execute(db, "INSERT INTO pgbench_history (tid, bid, aid, delta) SELECT 1, 1, 1, g "
                    + "FROM generate_series(1, 20000) g");

            String activity = awaitActivity(handle, db, slot);
            assertThat(activity).contains("slot " + slot + " keeps ", " of the source's WAL",
                    "max_slot_wal_keep_size = 32MB", "wal_status ");
            assertThat(handle.record().notes()).anyMatch(n -> n.is(MessageCode.SOURCE_WAL_RETAINED)
                    && n.text().contains(slot) && n.text().contains("max_slot_wal_keep_size = 32MB"));

            for (int i = 0; i < 20 && !"lost".equals(limited.queryForString(db, "SELECT wal_status FROM "
                    + "pg_replication_slots")); i++) {
                limited.execute(db, "INSERT INTO pgbench_history (tid, bid, aid, delta) VALUES (1, 1, 1, 1)",
                        "SELECT pg_switch_wal()", "CHECKPOINT");
            }
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).extracting(MigrationMessage::code).contains(MessageCode.REPLICATION_SLOT_LOST);
            assertThat(done.errors().get(0).text()).contains(slot, "max_slot_wal_keep_size", db);
            assertThat(OnlineFaultsTest.slotAndPublication(limited, db)).as("on the source").isEqualTo("0/0");
            assertThat(OnlineFaultsTest.replicaIdentity(limited, db)).isEqualTo("d");

            relay.mend(); // the target back: a cancel finishes the rollback there
            MigrationRecord again = service.cancel("wal-kept");
            assertThat(again.notes()).anyMatch(n -> n.is(MessageCode.ROLLED_BACK));
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
            assertNothingLeft(limited, target, db);
        }
    }

    /** Waits until {@code db}'s activity names {@code slot}, and returns it. */
    private static String awaitActivity(MigrationHandle handle, String db, String slot) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        String activity = "";
        while (!activity.contains(slot) && System.nanoTime() < deadline) {
            MigrationRecord r = handle.record();
            assertThat(r.status().isFinal()).as("ended early: %s", r.errors()).isFalse();
            activity = r.database(db).flatMap(d -> d.activity()).orElse("");
            Thread.sleep(100);
        }
        assertThat(activity).as("the database's activity while the target is out of reach").contains(slot);
        return activity;
    }

    @Test
    void aColumnRetypedOnTheSourceWhileFollowingFailsNamingIt(@Pg("17") PostgresServer target) throws Exception {
        String db = bank("retyped");
        source.execute(db, "CREATE TABLE measure (id int PRIMARY KEY, v numeric(10, 2))",
                "INSERT INTO measure VALUES (1, 1)");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            MigrationHandle handle = service.start(spec("retyped", source.superuserSpec(), target.superuserSpec(), db,
                    MigrationSettings.builder()));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            source.execute(db, "ALTER TABLE measure ALTER COLUMN v TYPE numeric(10, 4)",
                    "INSERT INTO measure VALUES (2, 1.2345)");
            // Applied, the copy would hold 1.23: no error, the value rounded.
            MigrationRecord done = handle.await(Duration.ofSeconds(30));

            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).extracting(MigrationMessage::code).contains(MessageCode.SOURCE_SCHEMA_CHANGED);
            assertThat(done.errors().get(0).text()).contains("\"public\".\"measure\"",
                    "column \"v\" is now numeric(10,4), its copy's numeric(10,2)");
        }
        assertThat(PluginJarTest.databases(target)).as("rolled back").isEqualTo(before);
        assertNothingLeft(source, target, db);
    }

    /** A table created on the source while the migration follows: its rows are not carried, so it stops. */
    @Test
    void aTableCreatedOnTheSourceWhileFollowingFailsNamingIt(@Pg("17") PostgresServer target) throws Exception {
        String db = bank("newtable");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            MigrationHandle handle = service.start(spec("new-table", source.superuserSpec(), target.superuserSpec(),
                    db, MigrationSettings.builder()));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            source.execute(db, "CREATE TABLE arrived (id int PRIMARY KEY)", "INSERT INTO arrived VALUES (1)",
                    "CREATE UNLOGGED TABLE scratch (id int)", "CREATE TEMP TABLE t (id int)");
            MigrationRecord done = handle.await(Duration.ofSeconds(60));

            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).extracting(MigrationMessage::code).contains(MessageCode.SOURCE_SCHEMA_CHANGED);
            assertThat(done.errors().get(0).text()).contains("1 table(s) the migration takes appeared on the source",
                    "public.arrived").doesNotContain("scratch");
        }
        assertThat(PluginJarTest.databases(target)).as("rolled back").isEqualTo(before);
        assertNothingLeft(source, target, db);
    }

    @Test
    void writesTheCutoverDidNotSeeAreFollowedAndItEndsIdentical(@Pg("17") PostgresServer target) throws Exception {
        String db = bank("lightwriter");
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            try (Connection w = source.connect(db); Statement s = w.createStatement()) {
                for (int i = 0; writing.get(); i++) {
                    s.execute("INSERT INTO pgbench_history (tid, bid, aid, delta) VALUES (1, 1, 1, " + i + ")");
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            MigrationHandle handle = service.start(spec("light-writer", source.superuserSpec(),
                    target.superuserSpec(), db, MigrationSettings.builder()));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            writer.start(); // short transactions, seldom open when the cutover looks at the sessions
            Thread.sleep(1000);
            handle.cutover();
            Thread.sleep(3000); // rounds of the cutover while the writes go on
            writing.set(false);
            writer.join();
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            // Not a verification mismatch that rolls the whole migration back: the cutover goes on after the writes.
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.notes()).anyMatch(n -> n.is(MessageCode.CUTOVER_WRITES_CONTINUED));
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        } finally {
            writing.set(false);
        }
        String rows = "SELECT count(*) || ' rows, the last ' || max(delta) FROM pgbench_history";
        long last = target.queryForLong(db, "SELECT max(delta) FROM pgbench_history");
        assertThat(target.queryForString(db, rows)).as("none lost up to the cutover's point")
                .isEqualTo((last + 1) + " rows, the last " + last)
                .isEqualTo(source.queryForString(db, rows.replace("pgbench_history", "pgbench_history WHERE delta <= "
                        + last)));
        assertNothingLeft(source, target, db);
    }

    private static String bank(String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        PgbenchDataset.load(source, db, 1);
        return db;
    }

    private static MigrationSpec spec(String name, ServerSpec from, ServerSpec to, String db,
            MigrationSettings.Builder settings) {
        return MigrationSpec.builder().name(name).source(from).target(to).databases(db).mode(MigrationMode.ONLINE)
                .settings(settings.parallelism(1).option("online.replicaIdentityFull", "true").build()).build();
    }
}
