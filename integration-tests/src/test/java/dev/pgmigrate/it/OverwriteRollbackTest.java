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
import dev.pgmigrate.api.ServerParametersMode;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A database the user already had on the target, replaced by its copy (overwriteDbsInTarget), comes back with its
 * data, owner, privileges, comment and settings when the migration fails or is canceled after the replacement, at
 * each step of the completion that follows it. It is renamed aside, never dropped, until the whole migration has
 * succeeded.
 */
@PostgresTest
class OverwriteRollbackTest {
    private static final String STEP_WAITING = "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
            + "'pgmigrate' AND wait_event_type = 'Lock'";

    @Test
    void aCancelRightAfterTheRenamePutsTheUsersDatabaseBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        Case c = new Case(source, target, "right_after");
        MigrationRecord done = c.run(MigrationSettings.builder(), (event, handle) -> {
            if (event instanceof MigrationEvent.DatabaseFinished f && f.database().equals(c.alpha)) {
                handle.get().cancel();
            }
        });
        assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.CANCELED);
        c.assertTargetAsFound();
    }

    @Test
    void aFailedVerificationOfALaterDatabaseFailsBeforeAnyDatabaseIsReplaced(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        Case c = new Case(source, target, "later_verify");
        // A refresh on the target writes a row the source does not have: beta's verification fails, and every
        // database is verified before the first one takes its final name.
        source.execute(c.beta, "CREATE TABLE touched (n int)", "CREATE FUNCTION touch() RETURNS int LANGUAGE plpgsql "
                + "AS $$ BEGIN INSERT INTO public.touched VALUES (1); RETURN 1; END $$",
                "CREATE MATERIALIZED VIEW side_effect AS SELECT touch() AS t");
        MigrationRecord done = c.run(MigrationSettings.builder().option("verify.duringCopy", "false"), (e, h) -> { });
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.VERIFICATION_MISMATCH);
        assertThat(done.errors()).anySatisfy(e -> assertThat(e.text()).contains("Verification of database " + c.beta));
        assertThat(done.notes()).noneMatch(n -> n.text().contains("was set aside as"));
        c.assertTargetAsFound();
    }

    @Test
    void aCancelWhileALaterDatabasesSettingsWaitPutsTheUsersDatabaseBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        Case c = new Case(source, target, "settings");
        source.execute("postgres", "ALTER DATABASE " + c.beta + " SET work_mem = '6MB'");
        try (Connection lock = target.connect("postgres")) {
            MigrationRecord done = c.cancelWhileBlocked(lock, MigrationSettings.builder(), c.alpha);
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.CANCELED);
        }
        c.assertTargetAsFound();
    }

    @Test
    void aCancelWhileServerParametersAreAppliedPutsTheUsersDatabaseBack(
            @Pg(value = "15", settings = "work_mem=7MB") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        Case c = new Case(source, target, "parameters");
        try (Connection lock = target.connect("postgres")) {
            // After beta is in place, the server parameters step sets work_mem in both databases.
            MigrationRecord done = c.cancelWhileBlocked(lock, MigrationSettings.builder()
                    .serverParameters(ServerParametersMode.APPLY), c.beta);
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.CANCELED);
        }
        c.assertTargetAsFound();
    }

    @Test
    void aSucceededMigrationDropsTheSetAsideOriginal(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        Case c = new Case(source, target, "succeeds");
        MigrationRecord done = c.run(MigrationSettings.builder(), (e, h) -> { });
        assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForLong(c.alpha, "SELECT count(*) FROM copied")).isEqualTo(100);
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE "
                + "'pgmigrate\\_%'")).isZero();
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text()).startsWith("Dropped the original database " + c.alpha));
    }

    /** Two source databases; the target already holds the user's alpha, with everything that makes it theirs. */
    private static final class Case {
        final PostgresServer source;
        final PostgresServer target;
        final String alpha;
        final String beta;
        final String owner;
        final String reader;
        final List<List<String>> before;

        Case(PostgresServer source, PostgresServer target, String name) {
            this.source = source;
            this.target = target;
            this.alpha = TestDatabases.unique("alpha_" + name);
            this.beta = TestDatabases.unique("beta_" + name);
            this.owner = alpha + "_owner";
            this.reader = alpha + "_reader";
            source.createDatabase(alpha);
            source.createDatabase(beta);
            source.execute(alpha, "CREATE TABLE copied (id int PRIMARY KEY)", "INSERT INTO copied SELECT "
                    + "generate_series(1, 100)");
            source.execute(beta, "CREATE TABLE other (id int)", "INSERT INTO other SELECT generate_series(1, 100)");
            target.execute("postgres", "CREATE ROLE " + owner + " NOLOGIN", "CREATE ROLE " + reader + " LOGIN",
                    "CREATE DATABASE " + alpha + " OWNER " + owner,
                    "REVOKE CONNECT, TEMPORARY ON DATABASE " + alpha + " FROM PUBLIC",
                    "GRANT CONNECT ON DATABASE " + alpha + " TO " + reader,
                    "COMMENT ON DATABASE " + alpha + " IS 'the user''s own'",
                    "ALTER DATABASE " + alpha + " SET work_mem = '5MB'");
            target.execute(alpha, "CREATE TABLE mine (id int, note text)",
                    "INSERT INTO mine SELECT g, 'kept ' || g FROM generate_series(1, 500) g",
                    "ALTER TABLE mine OWNER TO " + owner);
            this.before = state();
        }

        /** Everything that makes the target the user's: databases, the original's owner, ACL, comment, settings, rows. */
        List<List<String>> state() {
            List<List<String>> state = new java.util.ArrayList<>(target.query("postgres", "SELECT datname, "
                    + "pg_get_userbyid(datdba), coalesce(datacl::text, ''), coalesce(shobj_description(oid, "
                    + "'pg_database'), ''), coalesce((SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s "
                    + "WHERE s.setdatabase = d.oid AND s.setrole = 0), '') FROM pg_database d ORDER BY 1"));
            state.addAll(target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1"));
            state.addAll(target.query(alpha, "SELECT count(*)::text, md5(string_agg(id || note, ',' ORDER BY id)), "
                    + "(SELECT tableowner FROM pg_tables WHERE tablename = 'mine') FROM mine"));
            return state;
        }

        void assertTargetAsFound() {
            assertThat(state()).isEqualTo(before);
        }

        MigrationRecord run(MigrationSettings.Builder settings,
                BiConsumer<MigrationEvent, AtomicReference<MigrationHandle>> listener) throws Exception {
            AtomicReference<MigrationHandle> handle = new AtomicReference<>();
            try (MigrationService service = MigrationService.builder().listener(e -> listener.accept(e, handle))
                    .build()) {
                handle.set(service.start(spec(settings)));
                return handle.get().await(Duration.ofMinutes(3));
            }
        }

        /**
         * Runs the migration, takes the lock every {@code ALTER DATABASE ... SET} needs once {@code after} is in
         * place, cancels while a step waits for it, and lets go.
         */
        MigrationRecord cancelWhileBlocked(Connection lock, MigrationSettings.Builder settings, String after)
                throws Exception {
            lock.setAutoCommit(false);
            CompletableFuture<Void> locked = new CompletableFuture<>();
            AtomicReference<MigrationHandle> handle = new AtomicReference<>();
            try (MigrationService service = MigrationService.builder().listener(e -> {
                if (e instanceof MigrationEvent.DatabaseFinished f && f.database().equals(after)) {
                    try (Statement s = lock.createStatement()) {
                        // EXCLUSIVE: writers of settings wait, logins (which read them) do not.
                        s.execute("LOCK TABLE pg_catalog.pg_db_role_setting IN EXCLUSIVE MODE");
                        locked.complete(null);
                    } catch (Exception ex) {
                        locked.completeExceptionally(ex);
                    }
                }
            }).build()) {
                handle.set(service.start(spec(settings)));
                locked.get(3, java.util.concurrent.TimeUnit.MINUTES);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (target.queryForLong("postgres", STEP_WAITING) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(target.queryForLong("postgres", STEP_WAITING)).as("a step waits for the lock").isPositive();
                handle.get().cancel();
                lock.rollback();
                return handle.get().await(Duration.ofMinutes(3));
            }
        }

        MigrationSpec spec(MigrationSettings.Builder settings) {
            return MigrationSpec.builder().name("overwrite-" + alpha.replace('_', '-')).source(source.serverSpec())
                    .target(target.serverSpec()).databases(alpha, beta).option(MigrationOption.MIGRATE)
                    .settings(settings.parallelism(2).overwriteDbsInTarget(true).build()).build();
        }
    }
}
