package dev.pgmigrate.it;

import static dev.pgmigrate.it.EngineTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each table analyzed on the target as its data comes in, on every path its post-data takes (a small table's
 * one round trip, a large table's stages, a table with an index on an expression analyzed after it); with
 * {@code skipAnalyze}, none, as pg_restore leaves them. The target's {@code analyze_count} counts only ANALYZE
 * statements, not autovacuum's.
 */
@PostgresTest
class AnalyzeTest {
    private static final String[] SCHEMA = {
        "CREATE TABLE small (id int PRIMARY KEY, v text)",
        "INSERT INTO small SELECT g, md5(g::text) FROM generate_series(1, 1000) g",
        // Over the 16 MiB under which a table's post-data goes in one round trip.
        "CREATE TABLE large (id int PRIMARY KEY, v text, w text)",
        "INSERT INTO large SELECT g, md5(g::text), md5((-g)::text) FROM generate_series(1, 200000) g",
        "CREATE TABLE expressed (id int, v text)",
        "INSERT INTO expressed SELECT g, md5(g::text) FROM generate_series(1, 1000) g",
        "CREATE INDEX expressed_lower ON expressed (lower(v))",
        "CREATE TABLE parted (id int, v text) PARTITION BY RANGE (id)",
        "CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (500)",
        "CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (500) TO (1001) PARTITION BY RANGE (id)",
        "CREATE TABLE parted_high_a PARTITION OF parted_high FOR VALUES FROM (500) TO (750)",
        "CREATE TABLE parted_high_b PARTITION OF parted_high FOR VALUES FROM (750) TO (1001)",
        "INSERT INTO parted SELECT g, md5(g::text) FROM generate_series(1, 1000) g"};

    @Test
    void everyTableIsAnalyzedOnceOn18(@Pg("15") PostgresServer source, @Pg("18") PostgresServer target)
            throws Exception {
        analyzedOnce("analyzed18", source, target);
    }

    /**
     * Before 18, ANALYZE of a partitioned table analyzes every partition under it again: the partitions are analyzed
     * by their root's, not on their own as well.
     */
    @Test
    void everyTableIsAnalyzedOnceBefore18(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        analyzedOnce("analyzed17", source, target);
    }

    private static void analyzedOnce(String name, PostgresServer source, PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique(name));
        source.execute(db, SCHEMA);
        MigrationRecord done = migrate(name, source, target, db, MigrationSettings.builder().parallelism(2).build());
        assertThat(analyzeCounts(target, db)).containsExactly("expressed 1", "large 1", "parted 1", "parted_high 1",
                "parted_high_a 1", "parted_high_b 1", "parted_low 1", "small 1");
        assertThat(tables(done, db)).filteredOn(t -> !t.table().startsWith("parted_"))
                .allSatisfy(t -> assertThat(t.analyzeTime()).as(t.table()).isPresent());
        // The expression's statistics exist only when ANALYZE ran after its index.
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_stats WHERE tablename = 'expressed_lower'"))
                .isEqualTo(1);
        // A partitioned table, which autovacuum never analyzes, has statistics over its partitions.
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_stats WHERE tablename IN ('parted', "
                + "'parted_high') AND inherited")).isEqualTo(4);
    }

    @Test
    void skipAnalyzeLeavesEveryTableToAutovacuum(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("unanalyzed"));
        source.execute(db, SCHEMA);
        MigrationRecord done = migrate("unanalyzed", source, target, db,
                MigrationSettings.builder().parallelism(2).skipAnalyze(true).build());
        assertThat(analyzeCounts(target, db)).containsExactly("expressed 0", "large 0", "parted 0", "parted_high 0",
                "parted_high_a 0", "parted_high_b 0", "parted_low 0", "small 0");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_stats WHERE tablename = 'parted'")).isZero();
        assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.STATISTICS_LEFT_TO_AUTOVACUUM)
                .singleElement().satisfies(n -> assertThat(n.text()).contains("8 table(s) were not analyzed")
                        .contains("run ANALYZE on public.parted, public.parted_high."));
        assertThat(tables(done, db)).allSatisfy(t -> assertThat(t.analyzeTime()).as(t.table()).isEmpty());
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_indexes WHERE tablename IN ('small', 'large', "
                + "'expressed')")).isEqualTo(3);
    }

    private static MigrationRecord migrate(String name, PostgresServer source, PostgresServer target, String db,
            MigrationSettings settings) throws Exception {
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec(name, source, target, db).option(MigrationOption.MIGRATE)
                    .settings(settings).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
            return done;
        }
    }

    private static List<String> analyzeCounts(PostgresServer target, String db) {
        return target.query(db, "SELECT relname || ' ' || analyze_count FROM pg_stat_user_tables ORDER BY relname")
                .stream().map(row -> row.get(0)).toList();
    }

    private static List<TableProgress> tables(MigrationRecord done, String db) {
        return done.database(db).orElseThrow().tables();
    }
}
