package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password planted in a properties file, used by a background {@code create}: it never shows in any
 * process's command line while the migration runs, in the CLI's log files, in the state directory, or in what
 * {@code list} and {@code show} print, as text or JSON.
 */
@PostgresTest
class CliSecretsTest {
    @TempDir
    Path dir;

    @Test
    void aPlantedPasswordNeverShowsInCommandLinesLogsStateOrReports(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("clisecret"));
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 200000) g");
        String login = "cli_planted_" + Long.toString(System.nanoTime(), 36);
        String planted = "Cl1-Pl4nted-" + Long.toString(System.nanoTime(), 36) + "-pw";
        source.execute("postgres", "CREATE ROLE " + login + " LOGIN SUPERUSER PASSWORD '" + planted + "'");
        try {
            Files.writeString(dir.resolve("target.pw"), target.adminPassword().reveal());
            Path properties = Files.writeString(dir.resolve("migration.json"), """
                    {"properties": {
                      "sourceServer": {"host": "%s", "port": %d, "adminLogin": "%s", "password": "%s",
                                       "sslMode": "disable"},
                      "targetServer": {"host": "%s", "port": %d, "adminLogin": "%s", "password": {"file": "target.pw"},
                                       "sslMode": "disable"},
                      "dbsToMigrate": ["%s"]}}
                    """.formatted(source.host(), source.port(), login, planted, target.host(), target.port(),
                    target.adminLogin(), db));

            // Watch every process's command line while the background migration runs: the CLI, its detached
            // child, pg_dump.
            Set<String> commandLines = ConcurrentHashMap.newKeySet();
            Thread watcher = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    commandLines.addAll(allCommandLines());
                }
            }, "cmdline-watcher");
            watcher.start();
            String created;
            String shown;
            try {
                created = pgmigrate("--verbose", "migration", "create", "--name", "cli-secret", "--properties",
                        properties.toString(), "--migration-option", "Migrate");
                shown = awaitEnd("cli-secret");
            } finally {
                watcher.interrupt();
                watcher.join(10_000);
            }
            assertThat(shown).contains("\"Succeeded\"");
            assertThat(commandLines).as("command lines seen").anyMatch(c -> c.contains("run-detached"))
                    .noneMatch(c -> c.contains(planted));

            String reports = created + shown + pgmigrate("migration", "list") + pgmigrate("migration", "list",
                    "--output", "json") + pgmigrate("migration", "show", "--name", "cli-secret");
            assertThat(reports).doesNotContain(planted);
            try (Stream<Path> files = Files.walk(dir.resolve("state"))) {
                List<Path> all = files.filter(Files::isRegularFile).toList();
                assertThat(all).as("the state has a log").anyMatch(p -> p.toString().endsWith(".log"));
                for (Path file : all) {
                    assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString())
                            .doesNotContain(planted);
                }
            }
            target.dropDatabase(db);
        } finally {
            source.execute("postgres", "DROP ROLE IF EXISTS " + login);
        }
    }

    private static List<String> allCommandLines() {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    lines.add(new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' '));
                } catch (IOException e) {
                    // the process ended
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return lines;
    }

    private String awaitEnd(String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            String shown = pgmigrate("migration", "show", "--name", name, "--output", "json");
            if (!shown.contains("\"status\" : \"InProgress\"") && !shown.contains("\"status\":\"InProgress\"")
                    && shown.contains("\"status\"")) {
                return shown;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("migration " + name + " did not end within 3 minutes");
    }

    /** Runs pgmigrate as a process; returns its standard output and error. */
    private String pgmigrate(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--state-dir",
                dir.resolve("state").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Files.createTempFile(dir, "in", ".txt").toFile()));
        builder.environment().remove(Cli.HOME_ENV);
        Process process = builder.start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("pgmigrate did not end within 4 minutes");
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
