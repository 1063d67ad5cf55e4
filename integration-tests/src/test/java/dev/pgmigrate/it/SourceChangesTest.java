package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * An offline migration's source should take no writes; when it does anyway, the copy is still the source as of
 * one snapshot, and the user is told: every table is held in ACCESS SHARE from before the snapshot until the copy
 * and its verification are done, so a TRUNCATE or DDL waits for the migration (it was copied wrong and reported
 * verified before); a lock another session holds is waited for a bounded time, by name; plain writes are named
 * afterwards.
 */
@PostgresTest
class SourceChangesTest {

    @Test
    void aTruncateAfterATablesCopyWaitsForTheMigrationInsteadOfEmptyingTheCopy(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        AtomicBoolean waitingAtTheLastCopy = new AtomicBoolean();
        Truncation t = new Truncation(source, "truncated");
        MigrationRecord done = migrate(source, target, t.db, MigrationSettings.builder().verify(false), event -> {
            t.onEvent(event);
            if (event instanceof MigrationEvent.TableFinished f && f.table().equals("accounts")) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!waitsForLock(source, "truncating-test") && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                waitingAtTheLastCopy.set(waitsForLock(source, "truncating-test"));
            }
        });
        assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(waitingAtTheLastCopy).as("the TRUNCATE still waited when the last table was copied").isTrue();
        t.done.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(target.queryForLong(t.db, "SELECT count(*) FROM tellers")).isEqualTo(300);
    }

    @Test
    void aTruncateThatAReaderWouldWaitBehindFailsTheMigrationByNameInBoundedTime(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        // The comparison reads the table again: behind the queued TRUNCATE it would wait for ever.
        Truncation t = new Truncation(source, "truncated_read");
        List<List<String>> before = target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1");
        MigrationRecord done = migrate(source, target, t.db, MigrationSettings.builder()
                .option("verify.duringCopy", "false").option("source.lockTimeoutSeconds", "3"), t::onEvent);
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.SOURCE_NOT_CONSISTENT);
        assertThat(done.errors()).anySatisfy(e -> assertThat(e.text()).contains("public.tellers")
                .contains("waits for an exclusive lock").contains("takes no TRUNCATE or DDL"));
        t.done.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1")).isEqualTo(before);
    }

    /** The session: once tellers is copied, empty it and fill it again, in one transaction. */
    private static final class Truncation {
        final PostgresServer source;
        final String db;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Truncation(PostgresServer source, String name) {
            this.source = source;
            this.db = source.createDatabase(TestDatabases.unique(name));
            source.execute(db, "CREATE TABLE accounts (id bigint PRIMARY KEY, filler text)",
                    "INSERT INTO accounts SELECT g, repeat('a', 200) FROM generate_series(1, 400000) g",
                    "CREATE TABLE tellers (id int PRIMARY KEY, balance int)",
                    "INSERT INTO tellers SELECT g, g FROM generate_series(1, 300) g");
        }

        void onEvent(MigrationEvent event) {
            if (event instanceof MigrationEvent.TableFinished f && f.table().equals("tellers")) {
                CompletableFuture.runAsync(() -> {
                    try (Connection c = source.connect(db); Statement s = c.createStatement()) {
                        s.execute("SET application_name = 'truncating-test'");
                        c.setAutoCommit(false);
                        s.execute("CREATE TEMP TABLE x AS SELECT * FROM tellers");
                        s.execute("TRUNCATE tellers");
                        s.execute("INSERT INTO tellers SELECT * FROM x");
                        c.commit();
                        done.complete(null);
                    } catch (Exception e) {
                        done.completeExceptionally(e);
                    }
                });
            }
        }
    }

    @Test
    void aTableAnotherSessionHoldsIsWaitedForABoundedTimeByName(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("held"));
        source.execute(db, "CREATE TABLE held (id int)", "INSERT INTO held VALUES (1)");
        List<List<String>> before = target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1");
        try (Connection holder = source.connect(db); Statement s = holder.createStatement()) {
            s.execute("SET application_name = 'holding-test'");
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
            long started = System.nanoTime();
            MigrationRecord done = migrate(source, target, db, MigrationSettings.builder()
                    .option("source.lockTimeoutSeconds", "2"), e -> { });
            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.SOURCE_NOT_CONSISTENT);
            assertThat(done.errors()).anySatisfy(e -> assertThat(e.text()).contains("source.lockTimeoutSeconds = 2 s")
                    .contains("public.held held by session").contains("holding-test"));
            assertThat(done.notes()).anySatisfy(n -> assertThat(n.text()).contains("waiting, at most 2 s")
                    .contains("holding-test"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
            holder.rollback();
        }
        assertThat(target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1")).isEqualTo(before);
    }

    @Test
    void aCancelDoesNotWaitBehindALock(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("held_cancel"));
        source.execute(db, "CREATE TABLE held (id int)");
        try (Connection holder = source.connect(db); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
            AtomicReference<MigrationHandle> handle = new AtomicReference<>();
            try (MigrationService service = MigrationService.builder().build()) {
                handle.set(service.start(spec(source, target, db, MigrationSettings.builder()
                        .option("source.lockTimeoutSeconds", "600"))));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (handle.get().record().notes().stream().noneMatch(n -> n.text().contains("waiting, at most"))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                long canceled = System.nanoTime();
                handle.get().cancel();
                MigrationRecord done = handle.get().await(Duration.ofSeconds(60));
                assertThat(done.status()).isEqualTo(MigrationStatus.CANCELED);
                assertThat(Duration.ofNanos(System.nanoTime() - canceled)).isLessThan(Duration.ofSeconds(15));
            }
            holder.rollback();
        }
    }

    @Test
    void tablesWrittenDuringTheMigrationAreNamed(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("written"));
        source.execute(db, "CREATE TABLE big (id bigint PRIMARY KEY, filler text)",
                "INSERT INTO big SELECT g, repeat('b', 200) FROM generate_series(1, 200000) g",
                "CREATE TABLE orders (id int)", "CREATE TABLE quiet (id int)", "INSERT INTO quiet VALUES (1)");
        MigrationRecord done = migrate(source, target, db, MigrationSettings.builder(), event -> {
            if (event instanceof MigrationEvent.TableStarted t && t.table().equals("big")) {
                source.execute(db, "INSERT INTO orders VALUES (1), (2)"); // its own session: statistics flushed at exit
            }
        });
        assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text()).startsWith("Warning: 1 table(s) of database " + db)
                .contains("public.orders").doesNotContain("quiet").doesNotContain("public.big"));
        assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).as("the copy is the snapshot's").isZero();
    }

    private static boolean waitsForLock(PostgresServer server, String application) {
        return server.queryForLong("postgres", "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                + application + "' AND wait_event_type = 'Lock'") > 0;
    }

    private static MigrationRecord migrate(PostgresServer source, PostgresServer target, String db,
            MigrationSettings.Builder settings, Consumer<MigrationEvent> listener) throws Exception {
        try (MigrationService service = MigrationService.builder().listener(listener::accept).build()) {
            return service.start(spec(source, target, db, settings)).await(Duration.ofMinutes(3));
        }
    }

    private static MigrationSpec spec(PostgresServer source, PostgresServer target, String db,
            MigrationSettings.Builder settings) {
        return MigrationSpec.builder().name("changes-" + db.replace('_', '-')).source(source.serverSpec())
                .target(target.serverSpec()).databases(db).option(MigrationOption.MIGRATE)
                .settings(settings.parallelism(2).build()).build();
    }
}
