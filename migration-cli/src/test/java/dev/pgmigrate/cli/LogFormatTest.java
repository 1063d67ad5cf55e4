package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --log-format json} writes one JSON object per line (time, level, logger, message) and never a password;
 * a background run's log holds the library's lines and the progress lines each whole, never mixed within a line.
 */
@PostgresTest
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    @TempDir
    Path dir;

    @Test
    void aBackgroundRunsLogIsOneJsonObjectPerLineAndHoldsNoPassword(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        CliRuns runs = new CliRuns(dir);
        String db = manyTables(source, "clijsonlog");
        // The passwords as plain text in the file: the process holds them as strings.
        Path properties = runs.properties("jsonlog", source, target, List.of(db),
                "\"" + source.adminPassword().reveal() + "\"", "\"" + target.adminPassword().reveal() + "\"",
                ", \"settings\": {\"parallelism\": 2}");

        CliRuns.Result created = runs.pgmigrate("--log-format", "json", "--verbose", "migration", "create", "--name",
                "cli-json-log", "--properties", properties.toString(), "--migration-option", "Migrate");
        assertThat(created.exitCode()).as(created.all()).isZero();
        awaitEnd(runs, "cli-json-log");

        List<String> lines = Files.readAllLines(backgroundLog(runs, "cli-json-log"), StandardCharsets.UTF_8);
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.isObject()).as(line).isTrue();
            assertThat(Instant.parse(event.path("time").asText())).as(line).isNotNull();
            assertThat(event.path("level").asText()).as(line).isIn(LEVELS);
            assertThat(event.path("logger").asText()).as(line).isNotBlank();
            assertThat(event.path("message").isTextual()).as(line).isTrue();
            events.add(event);
        }
        assertThat(events).as("library lines, DEBUG among them").anyMatch(e -> e.path("logger").asText()
                .startsWith("dev.pgmigrate.core") && e.path("level").asText().equals("DEBUG"));
        assertThat(events).as("progress lines").anyMatch(e -> e.path("logger").asText()
                .equals(LogOutput.PROGRESS_LOGGER) && e.path("message").asText().contains("finished: Succeeded"));
        assertNoPassword(runs, source, target);
        target.dropDatabase(db);
    }

    @Test
    void aForegroundRunWritesTheLibrarysLogAsJsonAndATextBackgroundLogNeverMixesLines(
            @Pg("15") PostgresServer source, @Pg("17") PostgresServer target) throws Exception {
        CliRuns runs = new CliRuns(dir);
        String db = manyTables(source, "clitextlog");
        Path properties = runs.properties("textlog", source, target, List.of(db), ", \"settings\": {\"parallelism\": 2}");

        CliRuns.Result waited = runs.pgmigrate("--log-format", "json", "migration", "create", "--name",
                "cli-fg-json", "--properties", properties.toString(), "--migration-option", "Migrate", "--wait");
        assertThat(waited.exitCode()).as(waited.all()).isZero();
        assertThat(waited.err()).as("nothing of the library on the console").isEmpty();
        List<String> library = Files.readAllLines(runs.stateDir().resolve("logs/pgmigrate.log"));
        assertThat(library).isNotEmpty();
        for (String line : library) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.path("level").asText()).as(line).isIn(LEVELS);
        }
        assertThat(library).anyMatch(l -> l.contains("\"message\":\"Migration cli-fg-json: InProgress / "
                + "MigratingData\""));

        target.dropDatabase(db);
        CliRuns.Result background = runs.pgmigrate("--verbose", "migration", "create", "--name", "cli-bg-text",
                "--properties", properties.toString(), "--migration-option", "Migrate");
        assertThat(background.exitCode()).as(background.all()).isZero();
        awaitEnd(runs, "cli-bg-text");
        List<String> text = Files.readAllLines(backgroundLog(runs, "cli-bg-text"));
        assertThat(text).anyMatch(l -> l.contains(" DEBUG ")).anyMatch(l -> l.endsWith("finished: Succeeded"));
        assertThat(text).as("a time stamp only where a line begins").noneMatch(l -> l.length() > 1
                && l.substring(1).matches(".*\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*"));
        assertNoPassword(runs, source, target);
        target.dropDatabase(db);
    }

    /** Forty tables: a DEBUG line for each copy, build and ANALYZE, while progress lines are printed. */
    private static String manyTables(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        List<String> statements = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            statements.add("CREATE TABLE t" + i + " (id int PRIMARY KEY, v text)");
            statements.add("INSERT INTO t" + i + " SELECT g, md5(g::text) FROM generate_series(1, 500) g");
        }
        source.execute(db, statements.toArray(String[]::new));
        return db;
    }

    private static void awaitEnd(CliRuns runs, String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            CliRuns.Result shown = runs.pgmigrate("migration", "show", "--name", name, "--output", "json");
            if (shown.exitCode() == 0 && !JSON.readTree(shown.out()).at("/status").asText().equals("InProgress")) {
                assertThat(JSON.readTree(shown.out()).at("/status").asText()).isEqualTo("Succeeded");
                // The record is final a moment before the process writes its last lines and exits.
                Thread.sleep(1000);
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("migration " + name + " did not end within 2 minutes");
    }

    private static Path backgroundLog(CliRuns runs, String name) throws Exception {
        try (Stream<Path> logs = Files.list(runs.stateDir().resolve("logs"))) {
            return logs.filter(p -> p.getFileName().toString().startsWith(name + "-")).findFirst().orElseThrow();
        }
    }

    private static void assertNoPassword(CliRuns runs, PostgresServer source, PostgresServer target)
            throws Exception {
        try (Stream<Path> files = Files.walk(runs.stateDir())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain(source.adminPassword().reveal()).doesNotContain(target.adminPassword()
                        .reveal());
            }
        }
    }
}
