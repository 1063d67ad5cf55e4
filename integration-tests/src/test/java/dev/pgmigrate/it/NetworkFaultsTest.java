package dev.pgmigrate.it;

import static dev.pgmigrate.it.FaultsTest.THROTTLE;
import static dev.pgmigrate.it.FaultsTest.assertFailedAndRolledBack;
import static dev.pgmigrate.it.FaultsTest.awaitCopy;
import static dev.pgmigrate.it.FaultsTest.service;
import static dev.pgmigrate.it.FaultsTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.SchemaSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Networks that slow down or stall while a migration runs, through a relay between pgmigrate and a server: a slow one
 * is waited for, a stalled one is noted while it is waited for, and one past the socket timeout fails the run with the
 * setting named and the target as it was; a cancel ends a wait for a server that stopped answering within seconds.
 */
@PostgresTest
class NetworkFaultsTest {
    private static String bigDb;

    @BeforeAll
    static void bigDatabase(@Pg("15") PostgresServer source) {
        bigDb = FaultsTest.bigDatabase(source, "network");
    }

    @Test
    void aSlowNetworkSlowsTheMigrationButItCompletes(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("latency"));
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, repeat('x', g % 300) FROM generate_series(1, 3000) g");
        try (SlowProxy sourceRelay = new SlowProxy(source, 5, 0); SlowProxy targetRelay = new SlowProxy(target, 5, 0);
                MigrationService service = service()) {
            MigrationRecord done = service.start(spec("slow-network", sourceRelay.serverSpec(),
                    targetRelay.serverSpec(), db, b -> b.option("connection.socketTimeoutSeconds", "30")))
                    .await(Duration.ofMinutes(3));
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        }
        assertThat(SchemaSnapshot.of(target, db).differences(SchemaSnapshot.of(source, db))).isEmpty();
        target.execute("postgres", "DROP DATABASE " + db);
    }

    /** Without a socket timeout a stalled server is waited for, never silently: noted, then noted again. */
    @Test
    void aStalledTargetIsNotedWithTheTimeSinceItsLastAnswerAndTheMigrationGoesOnWhenItAnswers(
            @Pg("15") PostgresServer source, @Pg("17") PostgresServer target) throws Exception {
        List<MigrationMessage> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Throttled, so that the copy goes on for seconds after the thaw: time for the next answer to be noted.
        try (SlowProxy relay = new SlowProxy(target, 0, THROTTLE); MigrationService service = service()) {
            MigrationHandle handle = service.start(spec("stalled-target", source.serverSpec(), relay.serverSpec(),
                    bigDb, b -> b.option("connection.watchSeconds", "1")), e -> {
                        if (e instanceof MigrationEvent.Noted n) {
                            notes.add(n.note());
                        }
                    });
            awaitCopy(target, "FROM STDIN");
            relay.freeze();
            Instant deadline = Instant.now().plusSeconds(60);
            while (notes.stream().noneMatch(n -> n.is(MessageCode.SERVER_SILENT)) && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertThat(handle.completion()).as("waits for the target").isNotDone();
            relay.thaw();
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(notes).as("the progress display's notes").anySatisfy(n -> assertThat(n.text())
                    .startsWith("Warning: the target server " + PostgresServer.HOST + ":" + relay.port()
                            + " has not answered for ").contains("its last answer at ")
                    .contains("connection.socketTimeoutSeconds"));
            assertThat(notes).filteredOn(n -> n.is(MessageCode.SERVER_ANSWERS_AGAIN)).anySatisfy(n -> assertThat(
                    n.text()).startsWith("The target server " + PostgresServer.HOST
                    + ":" + relay.port() + " answers again, after "));
            assertThat(done.notes()).containsAll(notes);
        }
        target.dropDatabase(bigDb);
    }

    @Test
    void aStalledNetworkHitsTheSocketTimeoutWithAnErrorNamingTheSetting(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        CountDownLatch copying = new CountDownLatch(1);
        try (SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = service()) {
            MigrationHandle handle = service.start(spec("stalled-network", relay.serverSpec(), target.serverSpec(),
                    bigDb, b -> b.option("connection.socketTimeoutSeconds", "2")), e -> {
                        if (e instanceof MigrationEvent.TableStarted) {
                            copying.countDown();
                        }
                    });
            assertThat(copying.await(60, TimeUnit.SECONDS)).isTrue();
            awaitCopy(source, "TO STDOUT");
            relay.freeze();
            MigrationRecord done = handle.await(Duration.ofMinutes(2));
            relay.thaw();

            assertFailedAndRolledBack(done, target, before);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.SERVER_NOT_ANSWERING);
            assertThat(done.errors().get(0).text()).contains("Cannot copy table public.big").contains("from the source")
                    .contains("connection.socketTimeoutSeconds").contains("2 s")
                    .contains(PostgresServer.HOST + ":" + relay.port());
        }
    }

    /**
     * A server that stops answering without closing its connections, with no socket timeout: a cancel request cannot
     * reach it either, so the cancel closes the sockets it has no answer on, and ends within seconds instead of
     * waiting for the server for ever. The rollback that needs the target comes when canceled again.
     */
    @Test
    void aCancelWhileTheTargetStopsAnsweringEndsWithinSeconds(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        try (SlowProxy relay = new SlowProxy(target, 0, THROTTLE); MigrationService service = service()) {
            MigrationHandle handle = service.start(spec("silent-target-cancel", source.serverSpec(),
                    relay.serverSpec(), bigDb, b -> b.option("rollback.waitSeconds", "2")
                            .connectTimeout(Duration.ofSeconds(2))));
            awaitCopy(target, "FROM STDIN");
            relay.freeze();
            Instant canceled = Instant.now();
            handle.cancel();
            MigrationRecord done;
            try {
                done = handle.await(Duration.ofSeconds(60));
            } finally {
                relay.thaw(); // a migration still waiting ends, and the service can close
            }
            assertThat(Duration.between(canceled, Instant.now())).as("the cancel's time").isLessThan(
                    Duration.ofSeconds(30));
            assertThat(done.status()).as("a cancel whose rollback is incomplete").isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors()).as("the target did not answer the rollback either")
                    .anySatisfy(e -> assertThat(e.code()).isEqualTo(MessageCode.ROLLBACK_INCOMPLETE));

            MigrationRecord again = service.cancel("silent-target-cancel");
            assertThat(again.errors()).noneMatch(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
        }
    }

    @Test
    void aCancelWhileTheSourceStopsAnsweringEndsWithinSecondsAndRollsBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        try (SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = service()) {
            MigrationHandle handle = service.start(spec("silent-source-cancel", relay.serverSpec(),
                    target.serverSpec(), bigDb, b -> { }));
            awaitCopy(source, "TO STDOUT");
            relay.freeze();
            Instant canceled = Instant.now();
            handle.cancel();
            MigrationRecord done;
            try {
                done = handle.await(Duration.ofSeconds(60));
            } finally {
                relay.thaw();
            }

            assertThat(Duration.between(canceled, Instant.now())).as("the cancel's time").isLessThan(
                    Duration.ofSeconds(30));
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.CANCELED);
            assertThat(done.errors()).noneMatch(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
            assertThat(PluginJarTest.databases(target)).isEqualTo(before);
        }
    }

    /** A table copied in parts by several workers at once: each progress event counts every part's rows so far. */
    @Test
    void aTableCopiedInPartsReportsRowsThatNeverGoBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        // Narrow rows in the first pages, wide ones after: parts of equal bytes hold very different numbers of rows.
        String db = source.createDatabase(TestDatabases.unique("parts"));
        source.execute(db, "CREATE TABLE big (id int PRIMARY KEY, v text)",
                "INSERT INTO big SELECT g, 'n' FROM generate_series(1, 190000) g",
                "INSERT INTO big SELECT g, repeat(md5(g::text), 40) FROM generate_series(190001, 200000) g");
        List<Long> rows = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Integer> parts = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Throttled, so that each part reports several times while the others copy.
        try (SlowProxy relay = new SlowProxy(source, 0, THROTTLE); MigrationService service = service()) {
            MigrationRecord done = service.start(spec("parts-progress", relay.serverSpec(), target.serverSpec(), db,
                    b -> b.parallelism(3).splitTablesLargerThanBytes(1024 * 1024)), e -> {
                        if (e instanceof MigrationEvent.TableStarted started && started.table().equals("big")) {
                            parts.add(started.parts());
                        }
                        if (e instanceof MigrationEvent.TableProgressed progressed && progressed.table().equals("big")) {
                            rows.add(progressed.rows());
                        }
                    }).await(Duration.ofMinutes(3));

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        assertThat(parts).as("the table is copied in parts").singleElement()
                .satisfies(n -> assertThat(n).isGreaterThan(1));
        assertThat(rows).as("rows of big in its progress events").hasSizeGreaterThan(6).isSorted()
                .allSatisfy(n -> assertThat(n).isBetween(0L, 200_000L));
        target.dropDatabase(db);
        source.dropDatabase(db);
    }
}
