package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.report.MigrationReport;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The progress display and the report tell what happens: a database waiting its turn is queued, the builds that
 * follow the last copy show what is built and how far they are instead of a copy at 100% with a second left, and
 * the report's copy rate counts copy time while index builds and ANALYZE have times of their own.
 */
@PostgresTest
class ProgressDisplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2 ms a row, on the target only (pgmigrate's sessions name themselves): its index takes 3 s to build there. */
    private static final String SLOW_ON_TARGET = "CREATE FUNCTION slow(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE "
            + "AS $$BEGIN IF pg_catalog.current_setting('application_name') = 'pgmigrate' THEN "
            + "PERFORM pg_catalog.pg_sleep(0.002); END IF; RETURN i; END$$";

    @Test
    void aWaitingDatabaseIsQueuedAndTheBuildsAfterTheLastCopyShowWhatIsBuilt(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String first = source.createDatabase(TestDatabases.unique("progbuild"));
        source.execute(first, SLOW_ON_TARGET, "CREATE TABLE s (id int PRIMARY KEY, v text)",
                "INSERT INTO s SELECT g, md5(g::text) FROM generate_series(1, 1500) g",
                "CREATE INDEX s_slow ON s (slow(id))");
        String second = CliRuns.smallDatabase(source, "progqueued");
        MigrationSpec spec = MigrationSpec.builder().name("progress-truth").source(source.serverSpec())
                .target(target.serverSpec()).databases(first, second).option(MigrationOption.MIGRATE)
                .settings(MigrationSettings.builder().parallelism(2).build()).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().build();
                ProgressPrinter printer = new ProgressPrinter(out, ProgressPrinter.Style.BARS)) {
            MigrationHandle handle = service.start(spec, printer);
            printer.watch(handle);
            Screen screen = awaitScreen(bytes, "building public.s: index s_slow");
            MigrationRecord during = handle.record();

            assertThat(during.database(second).orElseThrow().queued()).as(during.toString()).isTrue();
            DatabaseProgress building = during.database(first).orElseThrow();
            assertThat(building.copied()).isTrue();
            assertThat(building.buildsDone()).isLessThan(building.builds());
            String secondLine = line(screen, second);
            assertThat(secondLine).contains("queued").doesNotContain("copying the schema");
            assertThat(line(screen, first)).contains("indexes and constraints built");
            assertThat(line(screen, "overall")).contains("100%").contains("rows in;")
                    .contains("indexes and constraints built").doesNotContain(" left");

            done = handle.await(Duration.ofMinutes(3));
            MigrationReport report = service.report(spec.name()).orElseThrow();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);

            TableProgress s = done.database(first).orElseThrow().tables().get(0);
            assertThat(s.buildsDone()).isEqualTo(s.builds()).isGreaterThanOrEqualTo(2); // the key and s_slow
            assertThat(s.buildTime()).isPresent();
            assertThat(s.analyzeTime()).isPresent();
            assertThat(s.building()).isEmpty();

            JsonNode json = JSON.readTree(report.json());
            JsonNode table = json.at("/databases/0/tableFigures/0");
            assertThat(table.at("/table").asText()).isEqualTo("s");
            assertThat(table.at("/indexMillis").asLong()).isEqualTo(s.buildTime().orElseThrow().toMillis());
            assertThat(table.at("/analyzeMillis").isNumber()).isTrue();
            assertThat(json.at("/summary/indexMillis").asLong()).isGreaterThanOrEqualTo(table.at("/indexMillis")
                    .asLong());
            // s's builds ran after its copy and before the second database's: no copy ran meanwhile, so the copy
            // time leaves them out, where the window from the first copy's start to the last one's end held them.
            List<TableProgress> all = done.databases().stream().flatMap(d -> d.tables().stream()).toList();
            Instant firstStart = all.stream().map(t -> t.startedAt().orElseThrow()).min(Comparator.naturalOrder())
                    .orElseThrow();
            Instant lastEnd = all.stream().map(t -> t.endedAt().orElseThrow()).max(Comparator.naturalOrder())
                    .orElseThrow();
            assertThat(json.at("/summary/copyMillis").asLong() + table.at("/indexMillis").asLong())
                    .isLessThanOrEqualTo(Duration.between(firstStart, lastEnd).toMillis());
            assertThat(report.html()).contains("Index builds", "<th class=\"num\">Index time</th>", "ANALYZE",
                    "while a table was copying");
        }
        source.dropDatabase(first);
        source.dropDatabase(second);
        target.dropDatabase(first);
        target.dropDatabase(second);
    }

    private static Screen awaitScreen(ByteArrayOutputStream bytes, String text) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            Screen screen = Screen.of(bytes.toString(StandardCharsets.UTF_8));
            if (screen.lines().stream().anyMatch(l -> l.contains(text))) {
                return screen;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the screen never showed '" + text + "':\n"
                + Screen.of(bytes.toString(StandardCharsets.UTF_8)));
    }

    private static String line(Screen screen, String start) {
        Optional<String> line = screen.lines().stream().filter(l -> l.startsWith(start + " ")).reduce((a, b) -> b);
        return line.orElseThrow(() -> new AssertionError("no line for " + start + " on the screen:\n" + screen));
    }
}
