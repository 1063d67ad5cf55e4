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
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PgbenchDataset;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An online migration's cutover against a source that is not quiet, on real servers: writers that never stop end
 * the cutover (the migration follows on, to be cut over again), and a sequence advanced without a row written
 * during it still leaves the target's sequence at the source's value.
 */
@PostgresTest
class OnlineCutoverTest {
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
    void writersThatNeverStopEndTheCutoverNamingThemAndTheMigrationFollowsOn(@Pg("17") PostgresServer target,
            @TempDir Path state) throws Exception {
        String db = bank("neverstop");
        AtomicBoolean writing = new AtomicBoolean(true);
        long[] writerPid = {0};
        Thread writer = new Thread(() -> {
            try (Connection w = source.connect(db); Statement s = w.createStatement()) {
                s.execute("SET application_name = 'till-the-end'");
                try (ResultSet pid = s.executeQuery("SELECT pg_backend_pid()")) {
                    pid.next();
                    writerPid[0] = pid.getLong(1);
                }
                for (int i = 0; writing.get(); i++) {
                    s.execute("INSERT INTO pgbench_history (tid, bid, aid, delta) VALUES (1, 1, 1, " + i + ")");
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build();
                MigrationService other = MigrationService.builder().store(new FileMigrationStore(state)).build();
                AutoCloseable c = cancelOnClose(service)) {
            MigrationHandle handle = service.start(spec("never-stop", target, db, MigrationSettings.builder()
                    .option("online.cutoverWaitSeconds", "3")));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            writer.start();
            Thread.sleep(500);
            other.cutover("never-stop"); // through the store, as from another process
            MigrationRecord stopped = awaitNote(handle, MessageCode.CUTOVER_STOPPED, Duration.ofSeconds(40));

            MigrationMessage note = stopped.notes().stream().filter(n -> n.is(MessageCode.CUTOVER_STOPPED))
                    .findFirst().orElseThrow();
            assertThat(note.text()).contains("session " + writerPid[0], "application 'till-the-end'",
                    "client 127.0.0.1", "database " + db, "pgmigrate migration update --cutover --name never-stop");
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            Thread.sleep(1500); // the store's request, were it left, would start the cutover again meanwhile
            MigrationRecord waiting = handle.record();
            assertThat(waiting.status()).isEqualTo(MigrationStatus.WAITING_FOR_USER_ACTION);
            assertThat(waiting.substatus()).isEqualTo(MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER);
            assertThat(waiting.cutoverRequestedAt()).as("the cutover request is withdrawn").isEmpty();
            assertThat(other.show("never-stop").orElseThrow().cutoverRequestedAt()).as("in the store").isEmpty();
            assertThat(OnlineFaultsTest.slotAndPublication(source, db)).as("still following").isEqualTo("1/1");

            writing.set(false);
            writer.join();
            other.cutover("never-stop"); // the writers stopped: a cutover again ends it
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        } finally {
            writing.set(false);
        }
        String rows = "SELECT count(*) || ' rows, delta ' || sum(delta) FROM pgbench_history";
        assertThat(target.queryForString(db, rows)).as("every row written up to the end")
                .isEqualTo(source.queryForString(db, rows));
        assertNothingLeft(source, target, db);
    }

    /**
     * {@code nextval()} writes no row, so the slot shows nothing of it: here it runs between the cutover's setting of
     * the sequences and its last look at the source, while the verification waits for a table the test holds.
     */
    @Test
    void aSequenceAdvancedWithoutARowDuringTheCutoverIsNotBehindOnTheTarget(@Pg("17") PostgresServer target)
            throws Exception {
        String db = bank("nextval");
        source.execute(db, "CREATE SEQUENCE ticket", "SELECT nextval('ticket')");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            MigrationHandle handle = service.start(spec("bare-nextval", target, db, MigrationSettings.builder()));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            String working = PluginJarTest.databases(target).stream().filter(d -> !before.contains(d)).findFirst()
                    .orElseThrow();
            try (Connection holder = target.connect(working); Statement h = holder.createStatement()) {
                holder.setAutoCommit(false);
                h.execute("LOCK TABLE pgbench_tellers IN ACCESS EXCLUSIVE MODE");
                handle.cutover();
                awaitLockWait(target, working);
                source.execute(db, "SELECT nextval('ticket')", "SELECT nextval('ticket')",
                        "SELECT nextval('ticket')");
                holder.commit();
            }
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        }
        String ticket = "SELECT last_value FROM ticket";
        assertThat(source.queryForLong(db, ticket)).isEqualTo(4);
        assertThat(target.queryForLong(db, ticket)).as("the target's sequence").isEqualTo(4);
        assertNothingLeft(source, target, db);
    }

    /** Waits until a session of {@code database} on {@code server} waits for a lock. */
    private static void awaitLockWait(PostgresServer server, String database) throws InterruptedException {
        String waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database
                + "' AND wait_event_type = 'Lock'";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (server.queryForLong("postgres", waiting) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.queryForLong("postgres", waiting)).as("the verification waits for the table").isPositive();
    }

    private static MigrationRecord awaitNote(MigrationHandle handle, MessageCode code, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            MigrationRecord r = handle.record();
            if (r.notes().stream().anyMatch(n -> n.is(code))) {
                return r;
            }
            assertThat(r.status().isFinal()).as("ended early: %s", r.errors()).isFalse();
            Thread.sleep(50);
        }
        throw new AssertionError("no " + code.label() + " within " + within.toSeconds() + " s: "
                + handle.record().notes());
    }

    private static String bank(String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        PgbenchDataset.load(source, db, 1);
        return db;
    }

    private static MigrationSpec spec(String name, PostgresServer target, String db,
            MigrationSettings.Builder settings) {
        return MigrationSpec.builder().name(name).source(source.superuserSpec()).target(target.superuserSpec())
                .databases(db)
                .mode(MigrationMode.ONLINE).settings(settings.parallelism(1)
                        .option("online.replicaIdentityFull", "true").build()).build();
    }
}
