package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Over a network a small table's round trips are most of its time. The built-in movers' COPY is applied whole or not
 * at all by itself, so a small table is copied without a transaction of the engine's around it: no {@code BEGIN}
 * and {@code COMMIT} round trips per table on the target.
 */
@PostgresTest
class SmallTableRoundTripsTest {
    private static final int TABLES = 40;

    @Test
    void smallTablesAreCopiedWithoutABeginAndCommitEach(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "log_statement=all") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("roundtrips"));
        source.execute(db, "DO $$ BEGIN FOR i IN 1.." + TABLES + " LOOP EXECUTE format('CREATE TABLE t%s (id int "
                + "PRIMARY KEY, v text); INSERT INTO t%1$s SELECT g, md5(g::text) FROM generate_series(1, 20) g', i); "
                + "END LOOP; END $$");
        long logStart = Files.size(target.logFile());
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(MigrationSpec.builder().name("roundtrips").source(source.serverSpec())
                    .target(target.serverSpec()).databases(db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().parallelism(2).verify(true).build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        }
        String log;
        try (var in = Files.newInputStream(target.logFile())) {
            in.skipNBytes(logStart);
            log = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(count(log, "statement: COPY \"public\"\\.\"t[0-9]+\" .* FROM STDIN"))
                .as("COPYs into the tables").isEqualTo(TABLES);
        assertThat(count(log, "(statement|execute [^:]*): BEGIN\\b")).as("BEGINs on the target (%s tables)", TABLES)
                .isLessThan(TABLES / 4);
        assertThat(count(log, "(statement|execute [^:]*): COMMIT\\b")).as("COMMITs on the target (%s tables)", TABLES)
                .isLessThan(TABLES / 4);
    }

    private static long count(String log, String regex) {
        Pattern pattern = Pattern.compile(regex);
        try (Stream<String> lines = log.lines()) {
            return lines.filter(line -> pattern.matcher(line).find()).count();
        }
    }
}
