package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A small table is copied as soon as the schema's restore has created it, beside the rest of that restore: with
 * thousands of tables the schema no longer runs alone on one session while the workers wait. What the schema says of
 * a table later (its columns' defaults, its sequence) still lands, and a copy that fails stops the restore and
 * leaves the target as it was.
 */
@PostgresTest
class CopiesBesideTheSchemaTest {
    private static final int TABLES = 600;

    @Test
    void smallTablesCopyWhileTheRestOfTheSchemaIsStillRestored(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("beside"));
        createTables(source, db);
        AtomicLong fewestTablesSeen = new AtomicLong(Long.MAX_VALUE);
        AtomicLong copiedBeforeTheirDefault = new AtomicLong();
        DataMover spying = TestMovers.textMoverThen("schema-spy", task -> true, (task, context) -> {
            try (var statement = context.target().createStatement(); var rs = statement.executeQuery(
                    "SELECT (SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname ~ '^t[0-9]+$'), "
                            + "(SELECT count(*) FROM pg_attrdef WHERE adrelid = 'public." + task.table() + "'::regclass)")) {
                rs.next();
                fewestTablesSeen.accumulateAndGet(rs.getLong(1), Math::min);
                if (rs.getLong(2) == 0) {
                    copiedBeforeTheirDefault.incrementAndGet();
                }
            }
        });
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(spying)).build()) {
            MigrationRecord done = service.start(spec("beside", source, target, db)).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        assertThat(fewestTablesSeen.get()).as("tables on the target when the first copy ran").isLessThan(TABLES);
        assertThat(copiedBeforeTheirDefault.get()).as("tables copied before their column's default was set")
                .isPositive();
        // What the schema's restore did after those copies is all there, and the verification found every table
        // identical (the run succeeded with it on).
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid "
                + "WHERE c.relname ~ '^t[0-9]+$'")).isEqualTo(TABLES);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_constraint WHERE contype = 'p' "
                + "AND conname ~ '^t[0-9]+_pkey$'"))
                .isEqualTo(TABLES);
        assertThat(target.queryForLong(db, "SELECT sum(nextval(format('public.t%s_id_seq', lpad(g::text, 3, '0')))) FROM "
                + "generate_series(1, " + TABLES + ") g")).as("each sequence goes on after its table's rows")
                .isEqualTo(4L * TABLES);
        assertThat(target.queryForString(db, "SELECT obj_description('public.t600'::regclass)")).isEqualTo("the last");
    }

    @Test
    void aCopyThatFailsBesideTheSchemaStopsItAndLeavesTheTargetAsFound(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("besidefail"));
        createTables(source, db);
        List<String> before = PluginJarTest.databases(target);
        DataMover failing = TestMovers.textMoverThen("failing-early", task -> true, (task, context) -> {
            if (task.table().equals("t005")) {
                throw new SQLException("planted failure of t005");
            }
        });
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(failing)).build()) {
            MigrationRecord done = service.start(spec("besidefail", source, target, db)).await();
            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors().get(0).text()).contains("planted failure of t005");
        }
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    /**
     * Once the schema's restore has ended, small tables' keys and ANALYZE go to the target several tables per
     * transaction (one round trip each), not one table's per transaction: each key's constraint row carries the
     * transaction that made it (one per table before). The copies here wait for the restore's end, so that every
     * table's post-data comes after it.
     */
    @Test
    void afterTheRestoreSmallTablesKeysAreBuiltSeveralTablesPerTransaction(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("batched"));
        createTables(source, db);
        // Every copy waits until a second after the restore's last statement is in: the engine gathers the
        // post-data once the restore's last commit has returned, and copies that end before send theirs alone.
        AtomicLong restoredAt = new AtomicLong();
        DataMover waiting = TestMovers.textMoverAround("after-restore", task -> true, (task, context) -> {
            try {
                for (int i = 0; i < 3000 && restoredAt.get() == 0; i++) {
                    if (restored(context.target())) {
                        restoredAt.compareAndSet(0, System.nanoTime());
                    } else {
                        Thread.sleep(10);
                    }
                }
                long wait = restoredAt.get() + 1_000_000_000L - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted", e);
            }
        }, (task, context) -> { });
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.discover().withMover(waiting)).build()) {
            MigrationRecord done = service.start(spec("batched", source, target, db)).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.databases().get(0).tables()).as("every table's builds done")
                    .allSatisfy(t -> assertThat(t.buildsDone()).isEqualTo(t.builds()));
        }
        String keys = "FROM pg_constraint WHERE contype = 'p' AND conname ~ '^t[0-9]+_pkey$'";
        assertThat(target.queryForLong(db, "SELECT count(*) " + keys)).isEqualTo(TABLES);
        assertThat(target.queryForLong(db, "SELECT count(DISTINCT xmin::text) " + keys))
                .as("transactions that made the %s keys", TABLES).isLessThanOrEqualTo(TABLES / 4);
        assertThat(target.queryForLong(db, "SELECT count(DISTINCT starelid) FROM pg_statistic s JOIN pg_class c "
                + "ON c.oid = s.starelid WHERE c.relname ~ '^t[0-9]+$'")).as("tables analyzed").isEqualTo(TABLES);
    }

    /** Whether the restore's last statement, t600's comment, is in. */
    private static boolean restored(java.sql.Connection target) throws SQLException {
        try (var statement = target.createStatement(); var rs = statement.executeQuery(
                "SELECT obj_description(oid) FROM pg_class WHERE relname = 't600' AND relnamespace = 'public'::regnamespace")) {
            return rs.next() && rs.getString(1) != null;
        }
    }

    /** Tables t001 to t600 of 3 rows each, with a serial key: pg_dump sets their defaults after every table. */
    private static void createTables(PostgresServer source, String db) {
        source.execute(db, "DO $$ BEGIN FOR i IN 1.." + TABLES + " LOOP EXECUTE format('CREATE TABLE t%s (id serial "
                + "PRIMARY KEY, v text); INSERT INTO t%1$s (v) VALUES (''a''), (''b''), (''c'')', lpad(i::text, 3, "
                + "'0')); END LOOP; END $$", "COMMENT ON TABLE t600 IS 'the last'");
    }

    private static MigrationSpec spec(String name, PostgresServer source, PostgresServer target, String db) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec()).databases(db)
                .option(MigrationOption.MIGRATE).settings(MigrationSettings.builder().parallelism(2).verify(true)
                        .build()).build();
    }
}
