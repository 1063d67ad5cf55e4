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
 * The progress display and the report tell what happens: a database waiting its turn (two are in flight) is
 * queued, the builds that follow the last copy show what is built and how far they are instead of a copy at 100% with a second left, and
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
        // Two databases whose index takes 8 s and 3 s to build on the target: the second starts once the first's
        // copy is done, and both build at once while the third, which has to wait for one of them, is queued.
        String first = slowlyIndexed(source, "progbuild", 4000);
        String second = slowlyIndexed(source, "progalso", 1500);
        String third = CliRuns.smallDatabase(source, "progqueued");
        MigrationSpec spec = MigrationSpec.builder().name("progress-truth").source(source.serverSpec())
                .target(target.serverSpec()).databases(first, second, third).option(MigrationOption.MIGRATE)
                .settings(MigrationSettings.builder().parallelism(2).build()).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().build();
                ProgressPrinter printer = new ProgressPrinter(out, ProgressPrinter.Style.BARS)) {
            MigrationHandle handle = service.start(spec, printer);
            printer.watch(handle);
            Screen screen = awaitScreen(bytes, "building public.s: index s_slow", 2);
            MigrationRecord during = handle.record();

            assertThat(during.database(third).orElseThrow().queued()).as(during.toString()).isTrue();
            for (String building : List.of(first, second)) {
                DatabaseProgress progress = during.database(building).orElseThrow();
                assertThat(progress.copied()).as(building).isTrue();
                assertThat(progress.buildsDone()).as(building).isLessThan(progress.builds());
                assertThat(line(screen, building)).contains("indexes and constraints built");
            }
            assertThat(line(screen, third)).contains("queued").doesNotContain("copying the schema");
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
            // No table copied between the end of s's copy and the start of the next database's first one (its
            // schema came first, while s's builds ran): the copy time leaves that out of the window from the
            // first copy's start to the last one's end.
            List<TableProgress> all = done.databases().stream().flatMap(d -> d.tables().stream()).toList();
            Instant firstStart = all.stream().map(t -> t.startedAt().orElseThrow()).min(Comparator.naturalOrder())
                    .orElseThrow();
            Instant lastEnd = all.stream().map(t -> t.endedAt().orElseThrow()).max(Comparator.naturalOrder())
                    .orElseThrow();
            Instant nextStart = all.stream().map(t -> t.startedAt().orElseThrow())
                    .filter(t -> t.isAfter(s.endedAt().orElseThrow())).min(Comparator.naturalOrder()).orElseThrow();
            long idle = Duration.between(s.endedAt().orElseThrow(), nextStart).toMillis();
            assertThat(idle).as("the next database's schema came between the copies").isPositive();
            assertThat(json.at("/summary/copyMillis").asLong())
                    .isLessThanOrEqualTo(Duration.between(firstStart, lastEnd).toMillis() - idle + 1);
            assertThat(report.html()).contains("Index builds", "<th class=\"num\">Index time</th>", "ANALYZE",
                    "while a table was copying");
        }
        for (String db : List.of(first, second, third)) {
            source.dropDatabase(db);
            target.dropDatabase(db);
        }
    }

    /** A database whose one table's index on {@code slow(id)} takes 2 ms a row to build on the target. */
    private static String slowlyIndexed(PostgresServer source, String prefix, int rows) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, SLOW_ON_TARGET, "CREATE TABLE s (id int PRIMARY KEY, v text)",
                "INSERT INTO s SELECT g, md5(g::text) FROM generate_series(1, " + rows + ") g",
                "CREATE INDEX s_slow ON s (slow(id))");
        return db;
    }

    /** The first screen with {@code text} on {@code lines} of its lines. */
    private static Screen awaitScreen(ByteArrayOutputStream bytes, String text, int lines)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            Screen screen = Screen.of(bytes.toString(StandardCharsets.UTF_8));
            if (screen.lines().stream().filter(l -> l.contains(text)).count() >= lines) {
                return screen;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the screen never showed '" + text + "' " + lines + " times:\n"
                + Screen.of(bytes.toString(StandardCharsets.UTF_8)));
    }

    private static String line(Screen screen, String start) {
        Optional<String> line = screen.lines().stream().filter(l -> l.startsWith(start + " ")).reduce((a, b) -> b);
        return line.orElseThrow(() -> new AssertionError("no line for " + start + " on the screen:\n" + screen));
    }
}
