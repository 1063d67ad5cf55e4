package dev.pgmigrate.it;

import static dev.pgmigrate.it.OnlineMigrationTest.assertNothingLeft;
import static dev.pgmigrate.it.OnlineMigrationTest.cancelOnClose;
import static dev.pgmigrate.it.OnlineMigrationTest.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationListener;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PgbenchDataset;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online migrations that do not go straight to their cutover, on real servers: canceled while they copy, follow
 * or cut over; killed while they copy or apply and resumed by another process; stopped by a schema change or by a
 * table without a replica identity; servers restarted while they follow. One rolled back leaves nothing of its own
 * on either server; one that ends leaves a target equal to the source, no change lost or applied twice. (Past 300
 * lines: its tests share one logical source server, started once for the class, and the helpers that drive it.)
 */
@PostgresTest
class OnlineFaultsTest {
    private static final List<String> BANK = List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers",
            "pgbench_history");

    /** The class's logical source; each test has its own databases and migration name, hence its own slots. */
    private static PostgresServer source;
    /** pgbench at scale 10 (about 130 MB): a copy of a few seconds at parallelism 1. */
    private static String bigDb;

    @BeforeAll
    static void logicalSource() {
        source = OnlineMigrationTest.logicalSource("15");
        bigDb = source.createDatabase(TestDatabases.unique("big"));
        PgbenchDataset.load(source, bigDb, 10);
    }

    @AfterAll
    static void stopSource() {
        if (source != null) {
            source.close();
        }
    }

    @Test
    void aCancelWhileFollowingRollsBackBothServers(@Pg("17") PostgresServer target) throws Exception {
        String db = bank("following");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            MigrationHandle handle = service.start(spec("cancel-following", source.superuserSpec(),
                    target.superuserSpec(), db, true));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            assertThat(replicaIdentity(source, db)).as("pgbench_history while the migration runs").isEqualTo("f");
            source.execute(db, "INSERT INTO pgbench_history (tid, bid, aid, delta) VALUES (1, 1, 1, 7)");
            awaitApplied(handle, db, 1);
            assertThat(slotAndPublication(source, db)).as("on the source").isEqualTo("1/1");
            assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_replication_origin WHERE roname LIKE "
                    + "'pgmigrate%'")).as("origins on the target").isEqualTo(1);
            handle.cancel();
            MigrationRecord done = handle.await(Duration.ofSeconds(60));

            assertRolledBack(done, MigrationStatus.CANCELED, target, before, db);
            assertThat(done.notes()).anyMatch(n -> n.is(MessageCode.REPLICA_IDENTITY_SET));
        }
    }

    @Test
    void aCancelDuringTheCopyRollsBackBothServers(@Pg("17") PostgresServer target) throws Exception {
        List<String> before = PluginJarTest.databases(target);
        CountDownLatch copying = new CountDownLatch(1);
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            MigrationHandle handle = service.start(spec("cancel-copy", source.superuserSpec(), target.superuserSpec(),
                    bigDb, true), e -> {
                        if (e instanceof MigrationEvent.TableStarted) {
                            copying.countDown();
                        }
                    });
            assertThat(copying.await(60, TimeUnit.SECONDS)).as("the copy started").isTrue();
            assertThat(slotAndPublication(source, bigDb)).as("on the source").isEqualTo("1/1");
            handle.cancel();
            MigrationRecord done = handle.await(Duration.ofSeconds(60));

            assertThat(done.notes()).as("canceled before it followed the source")
                    .noneMatch(n -> n.is(MessageCode.REPLICATION_STARTED))
                    .anyMatch(n -> n.is(MessageCode.REPLICA_IDENTITY_SET));
            assertRolledBack(done, MigrationStatus.CANCELED, target, before, bigDb);
        }
    }

    @Test
    void aCancelWhileTheCutoverWaitsForTheWritersRollsBackBothServers(@Pg("17") PostgresServer target)
            throws Exception {
        String db = bank("cutover");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service);
                Connection writer = source.connect(db); Statement s = writer.createStatement()) {
            MigrationHandle handle = service.start(spec("cancel-cutover", source.superuserSpec(),
                    target.superuserSpec(), db, true));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            writer.setAutoCommit(false);
            // A writer in the middle of a pgbench transaction, which stays open: the cutover waits for it to end.
            s.execute("UPDATE pgbench_branches SET bbalance = bbalance + 1 WHERE bid = 1");
            s.execute("INSERT INTO pgbench_history (tid, bid, aid, delta) VALUES (1, 1, 1, 1)");
            handle.cutover();
            awaitNote(handle, MessageCode.SOURCE_LOCK_WAIT);
            assertThat(handle.record().substatus()).isEqualTo(MigrationSubstatus.COMPLETING_MIGRATION);
            handle.cancel();
            // The rollback sets pgbench_history's replica identity back once the writer lets it, and meanwhile
            // holds up no other session of the source on that table.
            awaitSourceSlotDropped(db);
            Thread.sleep(1000);
            try (Connection other = source.connect(db); Statement o = other.createStatement()) {
                o.execute("SET statement_timeout = '5s'");
                o.execute("INSERT INTO pgbench_history (tid, bid, aid, delta) VALUES (2, 1, 2, 0)");
            }
            writer.rollback();
            MigrationRecord done = handle.await(Duration.ofSeconds(60));

            assertRolledBack(done, MigrationStatus.CANCELED, target, before, db);
        }
    }

    @Test
    void aProcessKilledWhileApplyingIsResumedWithoutLosingOrRepeatingAChange(@Pg("17") PostgresServer target,
            @TempDir Path dir) throws Exception {
        String db = bank("killedapply");
        List<String> before = PluginJarTest.databases(target);
        Path state = dir.resolve("state");
        Process load = OnlineMigrationTest.pgbench(source, db, 2);
        Process child = onlineChild(state, "killed-apply", db, target, dir);
        try {
            awaitLine(child, "FOLLOWING", dir);
            Thread.sleep(2000); // the load streams in: the child applies it when it is killed
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no rollback, no last word
            try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build();
                    AutoCloseable c = cancelOnClose(service)) {
                MigrationRecord seen = service.show("killed-apply").orElseThrow();
                assertThat(seen.interrupted()).isTrue();
                assertThat(seen.status()).isEqualTo(MigrationStatus.WAITING_FOR_USER_ACTION);

                CountDownLatch following = new CountDownLatch(1);
                MigrationHandle handle = service.resume("killed-apply", following(following));
                assertThat(following.await(3, TimeUnit.MINUTES)).as("follows again").isTrue();
                Thread.sleep(1000); // the load goes on into the resumed stream
                load.destroy();
                assertThat(load.waitFor(30, TimeUnit.SECONDS)).isTrue();
                handle.cutover();
                MigrationRecord done = handle.await(Duration.ofMinutes(3));

                assertThat(done.status()).as("%s %s", done.errors(), done.notes())
                        .isEqualTo(MigrationStatus.SUCCEEDED);
                assertThat(done.verification().orElseThrow().matches()).isTrue();
            }
        } finally {
            load.destroyForcibly();
            child.destroyForcibly();
        }
        assertBankIdentical(target, db);
        assertNothingLeft(source, target, db);
        assertThat(replicaIdentity(source, db)).isEqualTo("d");
        assertThat(PluginJarTest.databases(target)).as("the dead process's working database is gone")
                .containsExactlyInAnyOrderElementsOf(plus(before, db));
    }

    @Test
    void aProcessKilledDuringTheCopyIsResumedWithANewSlot(@Pg("17") PostgresServer target, @TempDir Path dir)
            throws Exception {
        String db = TestDatabases.unique("killedcopy");
        source.execute("postgres", "CREATE DATABASE " + db + " TEMPLATE " + bigDb + " STRATEGY FILE_COPY");
        List<String> before = PluginJarTest.databases(target);
        Path state = dir.resolve("state");
        Process child = onlineChild(state, "killed-copy", db, target, dir);
        try {
            awaitLine(child, "COPYING", dir);
            awaitCompletedTable(state, child, dir); // a table the resume cannot keep: its snapshot died too
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }
        pgbenchTransactions(db, 50); // the source changes before the resume, as an online source may
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build();
                AutoCloseable c = cancelOnClose(service)) {
            MigrationRecord seen = service.show("killed-copy").orElseThrow();
            assertThat(seen.interrupted()).isTrue();
            assertThat(seen.substatus()).isEqualTo(MigrationSubstatus.MIGRATING_DATA);

            CountDownLatch following = new CountDownLatch(1);
            MigrationHandle handle = service.resume("killed-copy", following(following));
            assertThat(following.await(3, TimeUnit.MINUTES)).as("follows again").isTrue();
            pgbenchTransactions(db, 50);
            handle.cutover();
            MigrationRecord done = handle.await(Duration.ofMinutes(3));

            assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.notes()).anyMatch(n -> n.is(MessageCode.RESUMED)
                    && n.text().contains("copied again from a new replication slot"));
        }
        assertBankIdentical(target, db);
        assertNothingLeft(source, target, db);
        assertThat(replicaIdentity(source, db)).isEqualTo("d");
        assertThat(PluginJarTest.databases(target)).as("the dead process's working database is gone")
                .containsExactlyInAnyOrderElementsOf(plus(before, db));
    }

    @Test
    void aSchemaChangeWhileFollowingFailsNamingTheTableAndRollsBack(@Pg("17") PostgresServer target)
            throws Exception {
        String db = bank("altered");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            MigrationHandle handle = service.start(spec("schema-change", source.superuserSpec(),
                    target.superuserSpec(), db, true));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            source.execute(db, "ALTER TABLE pgbench_tellers ADD COLUMN note text",
                    "INSERT INTO pgbench_tellers VALUES (1000, 1, 0, '', 'after the change')");
            MigrationRecord done = handle.await(Duration.ofSeconds(60));

            assertRolledBack(done, MigrationStatus.FAILED, target, before, db);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code)
                    .contains(MessageCode.SOURCE_SCHEMA_CHANGED);
            assertThat(done.errors().get(0).text()).contains("\"public\".\"pgbench_tellers\"");
        }
    }

    @Test
    void theStreamOutlivesARestartOfTheSource(@Pg("17") PostgresServer target) throws Exception {
        String db = bank("sourcerestart");
        // The engine reaches the source through a relay that follows it to the new port of its restart.
        try (SlowProxy relay = new SlowProxy(source, 0, 0)) {
            followThroughARestart("source-restart", db, relay.serverSpec(), target.superuserSpec(), source, target);
        }
    }

    @Test
    void theStreamOutlivesARestartOfTheTarget() throws Exception {
        String db = bank("targetrestart");
        try (PostgresServer target = PostgresServer.builder().version("17").start();
                SlowProxy relay = new SlowProxy(target, 0, 0)) {
            followThroughARestart("target-restart", db, source.superuserSpec(), relay.serverSpec(), target, target);
        }
    }

    /**
     * The time a broken stream is retried counts from its last break: a stream that was taken up again and breaks
     * once more, later than that time after its first break, is taken up again too (it failed at once before).
     */
    @Test
    void aStreamBrokenAgainAfterItRecoveredIsTakenUpAgain() throws Exception {
        String db = bank("twicerestart");
        try (PostgresServer target = PostgresServer.builder().version("17").start();
                SlowProxy relay = new SlowProxy(target, 0, 0);
                MigrationService service = MigrationService.builder().build();
                AutoCloseable c = cancelOnClose(service)) {
            MigrationSpec spec = MigrationSpec.builder().name("twice-restart").source(source.superuserSpec())
                    .target(relay.serverSpec()).databases(db).mode(MigrationMode.ONLINE)
                    .settings(MigrationSettings.builder().parallelism(1).option("online.replicaIdentityFull", "true")
                            .option("online.reconnectSeconds", "4").build()).build();
            MigrationHandle handle = service.start(spec);
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            int applied = 0;
            for (int restart = 0; restart < 2; restart++) {
                target.restart();
                pgbenchTransactions(db, 20);
                applied += 20;
                awaitApplied(handle, db, applied);
                Thread.sleep(5000); // longer than online.reconnectSeconds after the break
            }
            assertThat(handle.record().status()).as("%s", handle.record().errors())
                    .isEqualTo(MigrationStatus.WAITING_FOR_USER_ACTION);
            cutOverAndAssertIdentical(handle, target, db);
        }
    }

    /**
     * Follows {@code db} with writes before and after {@code restarted} restarts: the stream, taken up again, applies
     * those after too (the cutover would drain them otherwise), and the cutover ends identical.
     */
    private static void followThroughARestart(String name, String db, ServerSpec from, ServerSpec to,
            PostgresServer restarted, PostgresServer target) throws Exception {
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            MigrationHandle handle = service.start(spec(name, from, to, db, true));
            awaitStatus(handle, MigrationStatus.WAITING_FOR_USER_ACTION);
            pgbenchTransactions(db, 50);
            awaitApplied(handle, db, 50);
            restarted.restart();
            pgbenchTransactions(db, 50);
            awaitApplied(handle, db, 100);
            cutOverAndAssertIdentical(handle, target, db);
        }
    }

    @Test
    void aKeylessTableWithoutTheOptionFailsNamingItAndMakesNothing(@Pg("17") PostgresServer target)
            throws Exception {
        String db = bank("keyless");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build(); AutoCloseable c = cancelOnClose(service)) {
            // The premigration check names it first...
            MigrationRecord validated = service.start(spec("keyless-checked", source.superuserSpec(),
                    target.superuserSpec(), db, false)).await(Duration.ofSeconds(60));
            assertThat(validated.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
            assertThat(validated.validationResults()).anyMatch(r -> r.validatorId().equals("online-replica-identity")
                    && r.status() == dev.pgmigrate.api.ValidationStatus.FAILED);
            // ...and the engine refuses it too when the checks are skipped (migrationOption Migrate).
            MigrationSpec unchecked = spec("keyless", source.superuserSpec(), target.superuserSpec(), db, false);
            MigrationRecord done = service.start(new MigrationSpec(unchecked.name(), unchecked.source(),
                    unchecked.target(), unchecked.databases(), dev.pgmigrate.api.MigrationOption.MIGRATE,
                    unchecked.mode(), unchecked.settings())).await(Duration.ofSeconds(60));

            assertRolledBack(done, MigrationStatus.FAILED, target, before, db);
            assertThat(done.errors()).as("codes").extracting(MigrationMessage::code)
                    .contains(MessageCode.REPLICATION_FAILED);
            assertThat(done.errors().get(0).text()).contains("public.pgbench_history")
                    .contains("online.replicaIdentityFull");
        }
    }

    /** Counts {@code latch} down when the run's status becomes WaitingForUserAction. */
    private static MigrationListener following(CountDownLatch latch) {
        return e -> {
            if (e instanceof MigrationEvent.PhaseChanged p && p.status() == MigrationStatus.WAITING_FOR_USER_ACTION) {
                latch.countDown();
            }
        };
    }

    /** A new source database with pgbench's tables at scale 1; pgbench_history has no key. */
    private static String bank(String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        PgbenchDataset.load(source, db, 1);
        return db;
    }

    private static MigrationSpec spec(String name, ServerSpec from, ServerSpec to, String db, boolean fullIdentity) {
        MigrationSettings.Builder settings = MigrationSettings.builder().parallelism(1);
        if (fullIdentity) {
            settings.option("online.replicaIdentityFull", "true");
        }
        return MigrationSpec.builder().name(name).source(from).target(to).databases(db).mode(MigrationMode.ONLINE)
                .settings(settings.build()).build();
    }

    static String replicaIdentity(PostgresServer source, String db) {
        return source.queryForString(db, "SELECT relreplident FROM pg_class WHERE oid = 'pgbench_history'::regclass");
    }

    /** The slots and the publications of pgmigrate in {@code db} on {@code source}, as {@code slots/publications}. */
    static String slotAndPublication(PostgresServer source, String db) {
        return source.queryForString(db, "SELECT (SELECT count(*) FROM pg_replication_slots WHERE database = "
                + "current_database() AND slot_name LIKE 'pgmigrate%') || '/' || (SELECT count(*) FROM pg_publication "
                + "WHERE pubname LIKE 'pgmigrate%')");
    }

    private static void awaitSourceSlotDropped(String db) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!slotAndPublication(source, db).equals("0/0") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(slotAndPublication(source, db)).as("the rollback dropped the slot and the publication").isEqualTo("0/0");
    }

    /** Ended with {@code status}, and neither server keeps anything of the migration. */
    private static void assertRolledBack(MigrationRecord done, MigrationStatus status, PostgresServer target,
            List<String> before, String db) {
        assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(status);
        assertThat(done.errors()).as("codes").extracting(MigrationMessage::code)
                .doesNotContain(MessageCode.ROLLBACK_INCOMPLETE);
        assertThat(PluginJarTest.databases(target)).as("the target's databases").isEqualTo(before);
        assertNothingLeft(source, target, db);
        assertThat(replicaIdentity(source, db)).as("pgbench_history's replica identity, set back").isEqualTo("d");
    }

    /** pgbench's tables equal on both servers: every history row once, the balances its sums. */
    private static void assertBankIdentical(PostgresServer target, String db) {
        String history = "SELECT count(*) || ' rows, delta ' || coalesce(sum(delta), 0) FROM pgbench_history";
        String balances = "SELECT (SELECT sum(abalance) FROM pgbench_accounts) || '/' || (SELECT sum(bbalance) FROM "
                + "pgbench_branches) || '/' || (SELECT sum(tbalance) FROM pgbench_tellers)";
        assertThat(target.queryForString(db, history)).isEqualTo(source.queryForString(db, history));
        assertThat(target.queryForString(db, balances)).isEqualTo(source.queryForString(db, balances));
        assertThat(source.queryForLong(db, "SELECT count(*) FROM pgbench_history")).as("the load ran").isPositive();
        OnlineMigrationTest.assertTablesIdentical(source, target, db, BANK);
    }

    private static void cutOverAndAssertIdentical(MigrationHandle handle, PostgresServer target, String db)
            throws Exception {
        handle.cutover();
        MigrationRecord done = handle.await(Duration.ofMinutes(2));
        assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.verification().orElseThrow().matches()).isTrue();
        assertBankIdentical(target, db);
        assertNothingLeft(source, target, db);
        assertThat(replicaIdentity(source, db)).isEqualTo("d");
    }

    private static List<String> plus(List<String> databases, String db) {
        List<String> all = new java.util.ArrayList<>(databases);
        all.add(db);
        return all;
    }

    /** Runs {@code count} pgbench transactions on {@code db}, each of its own, and waits for them. */
    private static void pgbenchTransactions(String db, int count) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(OnlineMigrationTest.pgbenchBinary(source).toString(), "-n", "-t",
                String.valueOf(count), "-h", source.host(), "-p", String.valueOf(source.port()), "-U",
                PostgresServer.SUPERUSER, db).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", source.superuserPassword().reveal());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    /** Waits until the stream of {@code db} applied at least {@code transactions} source transactions. */
    private static void awaitApplied(MigrationHandle handle, String db, long transactions) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long applied = 0;
        while (applied < transactions && System.nanoTime() < deadline) {
            MigrationRecord r = handle.record();
            assertThat(r.status().isFinal()).as("ended early: %s", r.errors()).isFalse();
            applied = r.database(db).flatMap(d -> d.replication()).map(p -> p.transactions()).orElse(0L);
            Thread.sleep(100);
        }
        assertThat(applied).as("source transactions applied").isGreaterThanOrEqualTo(transactions);
    }

    private static void awaitNote(MigrationHandle handle, MessageCode code) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (handle.record().notes().stream().noneMatch(n -> n.is(code)) && System.nanoTime() < deadline) {
            assertThat(handle.record().status().isFinal()).as("ended early: %s", handle.record().errors()).isFalse();
            Thread.sleep(50);
        }
        assertThat(handle.record().notes()).anyMatch(n -> n.is(code));
    }

    /** An {@link OnlineChild} migrating {@code db} from the class's source to {@code target}. */
    private static Process onlineChild(Path state, String name, String db, PostgresServer target, Path dir)
            throws Exception {
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), OnlineChild.class.getName(), state.toString(), name, db,
                MigrationChild.endpoint(source, dir, "s"), MigrationChild.endpoint(target, dir, "t")))
                .redirectError(dir.resolve("child.err").toFile()).start();
    }

    /** Reads the child's output until {@code expected}; the child must get there. */
    private static void awaitLine(Process child, String expected, Path dir) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.equals(expected)) {
            // COPYING, once per table, comes before FOLLOWING
        }
        assertThat(line).as("the child's stderr: %s", Files.exists(dir.resolve("child.err"))
                ? Files.readString(dir.resolve("child.err")) : "").isEqualTo(expected);
    }

    /** Waits until the child's store holds a table copied completely, while the child still copies. */
    private static void awaitCompletedTable(Path state, Process child, Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline && child.isAlive()) {
            boolean completed = Files.isDirectory(state) && new FileMigrationStore(state).list().stream()
                    .flatMap(m -> m.record().databases().stream()).flatMap(d -> d.tables().stream())
                    .anyMatch(t -> t.state() == TableState.COMPLETED);
            if (completed) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no table completed while the child copied; its stderr: "
                + Files.readString(dir.resolve("child.err")));
    }
}
