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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A target that restarts (fast shutdown, then start) at moments the other fault tests do not reach: while the
 * rollback itself drops the copy and renames the user's original database back, and while the pre-data schema is
 * restored. One target of this class's own, restarted by its tests, reached through a relay that follows it.
 */
@PostgresTest
class TargetRestartMomentsTest {
    private static final String ROLLBACK_WAITS = "SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgmigrate' "
            + "AND wait_event_type = 'Lock' AND query LIKE '%ALLOW_CONNECTIONS false'";
    private static PostgresServer target;
    private static SlowProxy relay;

    @BeforeAll
    static void target() throws Exception {
        target = PostgresServer.builder().version("17").start();
        relay = new SlowProxy(target, 0, 0);
    }

    @AfterAll
    static void close() throws Exception {
        relay.close();
        target.close();
    }

    /**
     * Canceled once the first of two databases replaced the user's; the rollback's drop of that copy waits for a
     * lock, and the target restarts under it. The rollback connects again, waiting for the target, and finishes:
     * the user's database comes back with its rows and comment.
     */
    @Test
    void aTargetRestartDuringTheRollbackIsWaitedForAndTheUsersDatabaseComesBack(@Pg("15") PostgresServer source)
            throws Exception {
        Overwrite c = new Overwrite(source, "during");
        try (MigrationService service = c.service()) {
            MigrationRecord done = c.cancelWithTheRollbackHeld(service, b -> { }, target::restart);

            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.CANCELED);
            assertThat(done.errors()).noneMatch(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
        }
        c.assertTargetAsFound();
    }

    /**
     * The same, with the target down for longer than rollback.waitSeconds: the record says what is left on the
     * target and how to finish, and a cancel once it is back puts the user's database back.
     */
    @Test
    void aRollbackThatTheTargetOutlastsSaysWhatIsLeftAndACancelFinishesIt(@Pg("15") PostgresServer source)
            throws Exception {
        Overwrite c = new Overwrite(source, "outlasted");
        try (MigrationService service = c.service()) {
            MigrationRecord failed;
            try {
                failed = c.cancelWithTheRollbackHeld(service, b -> b.option("rollback.waitSeconds", "1"), target::stop);
            } finally {
                target.restart();
            }
            assertThat(failed.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(failed.errors()).filteredOn(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE)).singleElement()
                    .satisfies(e -> assertThat(e.text()).startsWith("Rollback incomplete: Could not connect to the "
                            + "target").contains("left on the target: database " + c.alpha + " (the copy, under its "
                            + "final name); database " + c.alpha + " of the user, set aside as pgmigrate_aside_")
                            .contains("run 'pgmigrate migration cancel --name " + failed.name()
                                    + "' again once the target is reachable"));

            MigrationRecord again = service.cancel(failed.name());
            assertThat(again.errors()).noneMatch(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
        }
        c.assertTargetAsFound();
    }

    /**
     * Restarted while the pre-data restore waits for a lock on a table it created: the failure is the target's
     * (it ended the restore's session), not that of a statement run again alone on the closed session, and is rolled
     * back once the target is up.
     */
    @Test
    void aTargetRestartDuringThePreDataRestoreIsNamedAsSuchAndRolledBack(@Pg("15") PostgresServer source)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("predata_restart"));
        // Over 200 statements, so in batches: a_hold is created in the first, its column's default set in the last.
        // Six batches apart, so that the lock below is taken before the restore gets there: with two (150 views),
        // a loaded host once restored them all before the test had connected (the restore never waited).
        source.execute(db, "CREATE TABLE a_hold (id serial, v text)", "INSERT INTO a_hold (v) VALUES ('x')",
                "DO $$ BEGIN FOR i IN 1..600 LOOP EXECUTE format('CREATE VIEW v%s AS SELECT %s AS n', i, i); END LOOP; "
                + "END $$");
        List<String> before = PluginJarTest.databases(target);
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationHandle handle = service.start(FaultsTest.spec("predata-restart", source.serverSpec(),
                    relay.serverSpec(), db, b -> { }));
            try (Connection hold = holdWhenCreated("a_hold", handle)) {
                String restore = "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgmigrate' AND "
                        + "wait_event_type = 'Lock' AND query LIKE '%a_hold%'";
                await("the restore waits for a_hold", () -> !target.query("postgres", restore).isEmpty());
                // The shutdown ends every session at once, the lock's holder too: the restore could get its lock
                // and commit before it ends itself. Its session is ended first, as the shutdown would end it.
                target.execute("postgres", "SELECT pg_terminate_backend(pid) FROM (" + restore + ") r");
                target.restart();
            }
            MigrationRecord done = handle.await(Duration.ofMinutes(2));

            FaultsTest.assertFailedAndRolledBack(done, target, before);
            assertThat(done.errors()).extracting(MigrationMessage::code)
                    .containsExactly(MessageCode.SERVER_UNREACHABLE);
            assertThat(done.errors().get(0).text()).startsWith("Cannot restore the schema of database " + db
                    + ": the target server " + relay.serverSpec().address() + " ended the session (")
                    .contains("SQLState 57P01").contains("as a restart or shutdown does");
        }
        source.dropDatabase(db);
    }

    /** Waits for a working database holding {@code table}, then holds ACCESS SHARE on it in an open transaction. */
    private static Connection holdWhenCreated(String table, MigrationHandle handle) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            assertThat(Instant.now()).as("%s created", table).isBefore(deadline);
            assertThat(handle.completion()).as("the migration runs").isNotDone();
            for (List<String> row : target.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE "
                    + "'pgmigrate\\_%'")) {
                Connection c;
                try {
                    c = target.connect(row.get(0));
                } catch (SQLException e) {
                    continue; // being created
                }
                c.setAutoCommit(false);
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT to_regclass('public." + table + "') IS NOT NULL")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        s.execute("LOCK TABLE public." + table + " IN ACCESS SHARE MODE");
                        return c;
                    }
                }
                c.close();
            }
            Thread.sleep(5);
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            Thread.sleep(20);
        }
    }

    /** Two source databases; the target holds the user's alpha, with rows and a comment of its own. */
    private static final class Overwrite {
        final PostgresServer source;
        final String alpha;
        final String beta;
        final List<List<String>> before;

        Overwrite(PostgresServer source, String name) {
            this.source = source;
            this.alpha = TestDatabases.unique("alpha_" + name);
            this.beta = TestDatabases.unique("beta_" + name);
            source.createDatabase(alpha);
            source.createDatabase(beta);
            source.execute(alpha, "CREATE TABLE copied (id int PRIMARY KEY)", "INSERT INTO copied SELECT "
                    + "generate_series(1, 100)");
            source.execute(beta, "CREATE TABLE other (id int)", "INSERT INTO other SELECT generate_series(1, 100)");
            target.execute("postgres", "CREATE DATABASE " + alpha, "COMMENT ON DATABASE " + alpha + " IS 'mine'");
            target.execute(alpha, "CREATE TABLE mine (id int, note text)",
                    "INSERT INTO mine SELECT g, 'kept ' || g FROM generate_series(1, 500) g");
            this.before = state();
        }

        /** The target's databases with their comments, and the user's rows. */
        List<List<String>> state() {
            List<List<String>> state = new ArrayList<>(target.query("postgres", "SELECT datname, coalesce("
                    + "shobj_description(oid, 'pg_database'), '') FROM pg_database ORDER BY 1"));
            state.addAll(target.query(alpha, "SELECT count(*)::text, md5(string_agg(id || note, ',' ORDER BY id)) "
                    + "FROM mine"));
            return state;
        }

        void assertTargetAsFound() {
            assertThat(state()).isEqualTo(before);
        }

        private final AtomicReference<MigrationHandle> handle = new AtomicReference<>();
        private final AtomicReference<Connection> lock = new AtomicReference<>();

        /**
         * A service that, once alpha has replaced the user's database, holds the rollback's first drop with a lock on
         * pg_database and cancels the migration.
         */
        MigrationService service() {
            return MigrationService.builder().listener(e -> {
                if (e instanceof MigrationEvent.DatabaseFinished f && f.database().equals(alpha)
                        && lock.get() == null) {
                    try {
                        Connection c = target.connect("postgres");
                        c.setAutoCommit(false);
                        try (Statement s = c.createStatement()) {
                            // EXCLUSIVE: DROP and ALTER DATABASE wait, logins (which only read it) do not.
                            s.execute("LOCK TABLE pg_catalog.pg_database IN EXCLUSIVE MODE");
                        }
                        lock.set(c);
                    } catch (SQLException ex) {
                        throw new IllegalStateException(ex);
                    }
                    handle.get().cancel();
                }
            }).build();
        }

        /** Runs the migration on {@link #service()}'s {@code service}; calls {@code fault} while the rollback waits. */
        MigrationRecord cancelWithTheRollbackHeld(MigrationService service,
                java.util.function.Consumer<MigrationSettings.Builder> settings, Runnable fault) throws Exception {
            MigrationSettings.Builder b = MigrationSettings.builder().parallelism(2).overwriteDbsInTarget(true);
            settings.accept(b);
            handle.set(service.start(MigrationSpec.builder().name("restart-" + alpha.replace('_', '-'))
                    .source(source.serverSpec()).target(relay.serverSpec()).databases(alpha, beta)
                    .option(MigrationOption.MIGRATE).settings(b.build()).build()));
            try {
                await("the rollback's drop of the copy waits for the lock",
                        () -> !target.query("postgres", ROLLBACK_WAITS).isEmpty());
                fault.run(); // ends the lock's session too
            } finally {
                if (lock.get() != null) {
                    lock.get().close();
                }
            }
            return handle.get().await(Duration.ofMinutes(2));
        }
    }
}
