package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.StoredMigration.JournalEntry;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.run.JournalKind;
import dev.pgmigrate.core.internal.run.Rollback;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A rollback run a second time over the same journal (the first left a problem, was killed before clearing it, or
 * found the state disk full) once dropped the user's database that the first had renamed back: RENAME_DATABASE's
 * undo saw no working database and a database of the final name. It now drops that name only while it is the copy,
 * by the OID journaled with the rename. Found by a review, with the two other rollback defects below.
 */
@PostgresTest
class RollbackAgainTest {

    /** The primitive: Rollback.undo, "safe to run twice", run twice over the same journal. */
    @Test
    void undoTwiceKeepsTheUsersDatabase(@Pg("17") PostgresServer target) throws Exception {
        String name = TestDatabases.unique("twice");
        String working = "pgmigrate_rv_" + Long.toHexString(System.nanoTime() & 0xffffffL);
        String aside = "pgmigrate_aside_rv_" + Long.toHexString(System.nanoTime() & 0xffffffL);
        target.execute("postgres", "CREATE DATABASE " + name);
        target.execute(name, "CREATE TABLE mine (id int)", "INSERT INTO mine SELECT generate_series(1, 500)");
        // What finalName does: the copy is created under its working name, the user's database set aside, the copy
        // renamed into place; each journaled before it is made.
        Instant now = Instant.now();
        target.execute("postgres", "CREATE DATABASE " + working);
        long copy = target.queryForLong("postgres", "SELECT oid FROM pg_database WHERE datname = '" + working + "'");
        List<JournalEntry> journal = List.of(
                new JournalEntry(JournalKind.CREATE_DATABASE.label(), working, name, now),
                new JournalEntry(JournalKind.SET_ASIDE_DATABASE.label(), name, aside, now),
                new JournalEntry(JournalKind.RENAME_DATABASE.label(), working, name + "\t" + copy, now));
        target.execute("postgres", "ALTER DATABASE " + name + " RENAME TO " + aside,
                "ALTER DATABASE " + working + " RENAME TO " + name);

        ServerConnector connector = new ServerConnector(target.serverSpec(), MigrationSettings.builder().build());
        assertThat(Rollback.undo(connector, "postgres", journal)).isEmpty();
        assertThat(target.queryForLong(name, "SELECT count(*) FROM mine")).as("after the first rollback").isEqualTo(500);

        // A second run of the same journal: what StoredRollbacks.again/interrupted do whenever the first rollback did
        // not clear the journal (a problem on another entry, a kill before the journal's clear, a full state disk).
        List<String> problems = Rollback.undo(connector, "postgres", journal);
        assertThat(target.query("postgres", "SELECT datname FROM pg_database WHERE datname = '" + name + "'"))
                .as("the user's database after a second rollback (problems: %s)", problems).isNotEmpty();
    }

    /**
     * End to end: overwrite, canceled once alpha is in place; the rollback renames the user's alpha back but cannot drop
     * beta's working database (held by a prepared transaction), so it is incomplete and keeps the journal; the user
     * clears what held it and cancels again, as the error says.
     */
    @Test
    void cancelingAgainAfterAnIncompleteRollbackKeepsTheUsersDatabase(@Pg("15") PostgresServer source,
            @Pg(value = "17", settings = "max_prepared_transactions=4") PostgresServer target) throws Exception {
        String alpha = TestDatabases.unique("alpha_again");
        String beta = TestDatabases.unique("beta_again");
        source.createDatabase(alpha);
        source.createDatabase(beta);
        source.execute(alpha, "CREATE TABLE copied (id int PRIMARY KEY)", "INSERT INTO copied SELECT "
                + "generate_series(1, 100)");
        source.execute(beta, "CREATE TABLE other (id int)", "INSERT INTO other SELECT generate_series(1, 100)");
        target.execute("postgres", "CREATE DATABASE " + alpha);
        target.execute(alpha, "CREATE TABLE mine (id int, note text)",
                "INSERT INTO mine SELECT g, 'kept ' || g FROM generate_series(1, 500) g");
        List<String> before = PluginJarTest.databases(target);

        String name = "again-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        MigrationSpec spec = MigrationSpec.builder().name(name).source(source.serverSpec())
                .target(target.serverSpec()).databases(alpha, beta).option(MigrationOption.MIGRATE)
                .settings(MigrationSettings.builder().parallelism(1).overwriteDbsInTarget(true).build()).build();
        AtomicReference<MigrationHandle> handle = new AtomicReference<>();
        AtomicReference<String> betaWorking = new AtomicReference<>();
        AtomicReference<Connection> held = new AtomicReference<>();
        try (MigrationService service = MigrationService.builder().listener(e -> {
            if (e instanceof MigrationEvent.DatabaseFinished f && f.database().equals(alpha)) {
                try {
                    String w = target.queryForString("postgres", "SELECT datname FROM pg_database WHERE datname "
                            + "LIKE 'pgmigrate\\_%' AND datname NOT LIKE 'pgmigrate\\_aside\\_%'");
                    betaWorking.set(w);
                    Connection c = target.connect(w);
                    held.set(c);
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.execute("CREATE TABLE held (n int)");
                        s.execute("PREPARE TRANSACTION 'pgmigrate_test_held'");
                    }
                    c.setAutoCommit(true);
                } catch (Exception ex) {
                    throw new RuntimeException(ex);
                }
                handle.get().cancel();
            }
        }).build()) {
            handle.set(service.start(spec));
            MigrationRecord first = handle.get().await(Duration.ofMinutes(3));
            assertThat(first.errors()).as("%s", first.errors())
                    .anyMatch(m -> m.is(MessageCode.ROLLBACK_INCOMPLETE))
                    .anyMatch(m -> m.is(MessageCode.CANCELED) && m.text().equals("The migration was canceled; its "
                            + "rollback could not undo everything it made on the target, so it ended Failed."));
            assertThat(target.queryForLong(alpha, "SELECT count(*) FROM mine")).as("alpha renamed back")
                    .isEqualTo(500);

            target.execute("postgres", "ALTER DATABASE " + betaWorking.get() + " ALLOW_CONNECTIONS true");
            try (Connection c = target.connect(betaWorking.get()); Statement s = c.createStatement()) {
                s.execute("ROLLBACK PREPARED 'pgmigrate_test_held'");
            }
            MigrationRecord again = service.cancel(name);
            assertThat(again.status()).isEqualTo(MigrationStatus.FAILED);
            // Its rollback finished: what is left to say why it ended Failed is the cancel.
            assertThat(again.errors()).extracting(m -> m.code()).containsExactly(MessageCode.CANCELED);
            assertThat(again.notes()).anyMatch(m -> m.is(MessageCode.ROLLED_BACK));
            assertThat(PluginJarTest.databases(target)).as("databases after canceling again: %s", again.errors())
                    .isEqualTo(before);
            assertThat(target.queryForLong(alpha, "SELECT count(*) FROM mine")).isEqualTo(500);
        }
    }

    /**
     * A role another session creates between the migration's read of the target's roles and its CREATE ROLE makes
     * that CREATE fail: the rollback must not drop the other session's role, journaled as the migration's.
     */
    @Test
    void aRoleAnotherSessionCreatedIsNotDroppedByTheRollback(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("roles_race");
        String owner = db + "_owner";
        source.execute("postgres", "CREATE ROLE " + owner + " NOLOGIN", "CREATE DATABASE " + db + " OWNER " + owner);
        source.execute(db, "CREATE TABLE t (id int)", "ALTER TABLE t OWNER TO " + owner);
        try (Connection other = target.connect("postgres"); MigrationService service = MigrationService.builder()
                .build()) {
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("CREATE ROLE " + owner + " NOLOGIN"); // not committed yet: the migration does not see it
            }
            MigrationHandle handle = service.start(RoleMigrationTest.spec(source, target, db, MigrationOption.MIGRATE, s -> { }));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (target.queryForLong("postgres", "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                    + "'Lock' AND query LIKE 'CREATE ROLE%'") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            other.commit(); // the other session's role exists now; the migration's CREATE ROLE fails on it
            MigrationRecord done = handle.await(Duration.ofMinutes(2));
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.FAILED);
            assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + owner
                    + "'")).as("the other session's role after the rollback (errors %s)", done.errors()).isEqualTo(1);
        }
    }

    private static MigrationSpec dataOnly(PostgresServer source, PostgresServer target, String name, String db,
            MigrationOption option) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec())
                .databases(db).option(option).settings(MigrationSettings.builder().parallelism(1)
                        .selection(Selection.builder().content(Selection.Content.DATA_ONLY).build()).build()).build();
    }

    /**
     * The target's table holds rows its admin (no superuser, the table's owner) cannot see under a forced policy:
     * the "empty" check once passed, the fill failed, and the rollback's TRUNCATE took the user's rows. The check
     * now reads with row_security off, and refuses the table.
     */
    @Test
    void rowsHiddenByAPolicyAreNotTakenByTheRollback(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("dorls"));
        source.execute(db, "CREATE TABLE secret (id int PRIMARY KEY, tenant text)",
                "INSERT INTO secret SELECT g, 'acme' FROM generate_series(1, 10) g");
        target.execute("postgres", "CREATE DATABASE " + db + " OWNER " + target.adminLogin());
        target.executeAsAdmin(db, "CREATE TABLE secret (id int PRIMARY KEY, tenant text)",
                "INSERT INTO secret VALUES (100, 'other'), (101, 'other')",
                "ALTER TABLE secret ENABLE ROW LEVEL SECURITY", "ALTER TABLE secret FORCE ROW LEVEL SECURITY",
                "CREATE POLICY own ON secret USING (tenant = current_user)");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM secret")).isEqualTo(2);

        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().build()) {
            done = service.start(dataOnly(source, target, "do-rls", db, MigrationOption.MIGRATE))
                    .await(Duration.ofMinutes(2));
        }
        assertThat(done.status()).as("%s", done.errors()).isNotEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM secret"))
                .as("the user's rows after a failed data only (errors %s)", done.errors()).isEqualTo(2);
    }

    /**
     * Data only fills tables whose triggers fire, as a pg_dump --data-only restore does; a rollback empties the filled
     * tables but cannot take back what the triggers wrote elsewhere: validation says so, naming each trigger.
     */
    @Test
    void dataOnlyWarnsOfTheTargetsTriggers(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("dotrig"));
        source.execute(db, "CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO customer SELECT g, 'c' || g FROM generate_series(1, 40) g");
        target.execute("postgres", "CREATE DATABASE " + db);
        target.execute(db, "CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL)",
                "CREATE SCHEMA audit", "CREATE TABLE audit.log (n bigserial, what text)",
                "CREATE FUNCTION audit.note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "INSERT INTO audit.log (what) VALUES (NEW.name); RETURN NEW; END $$",
                "CREATE TRIGGER noted AFTER INSERT ON customer FOR EACH ROW EXECUTE FUNCTION audit.note()");
        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().build()) {
            done = service.start(dataOnly(source, target, "do-trig", db, MigrationOption.VALIDATE))
                    .await(Duration.ofMinutes(2));
        }
        assertThat(done.validationResults()).filteredOn(r -> r.validatorId().equals("target-database"))
                .singleElement().satisfies(r -> {
                    assertThat(r.status()).isEqualTo(ValidationStatus.WARNING);
                    assertThat(r.items()).containsExactly("public.customer (noted)");
                });
    }
}
