package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C at a terminal, as a person presses it: {@code create --wait} runs under a pseudo-terminal
 * ({@code script} of util-linux), and the test types ^C into it, so the terminal sends SIGINT to the foreground
 * process group. The command ends with 3, and the screen ends with what happened in place of the bars.
 */
@PostgresTest
class InterruptTest {
    private static final Path SCRIPT = Path.of("/usr/bin/script");
    /** Whether env can reset a signal's disposition (coreutils 8.31 and later). */
    private static final boolean DEFAULT_SIGINT = succeeds("env", "--default-signal=INT", "true");

    @TempDir
    Path dir;

    @Test
    void ctrlCDuringTheCopyCancelsExitsWith3AndReplacesTheBarsWithTheOutcome(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        assumeTrue(Files.isExecutable(SCRIPT), "script (util-linux) makes the pseudo-terminal");
        CliRuns runs = new CliRuns(dir);
        String db = CliRuns.slowDatabase(source, "clictrlc", 30_000);
        List<String> before = CliRuns.targetState(target);
        Path properties = runs.properties("ctrlc", source, target, List.of(db), ", \"settings\": {\"parallelism\": 1}");

        Terminal terminal = Terminal.run(dir, runs.command("migration", "create", "--name", "cli-ctrl-c",
                "--properties", properties.toString(), "--migration-option", "Migrate", "--wait"));
        runs.awaitLoading("cli-ctrl-c", terminal.process.toHandle());
        terminal.awaitScreen("cli-ctrl-c");
        terminal.type('\u0003');
        int exit = terminal.awaitExit();

        Screen screen = terminal.screen();
        assertThat(exit).as(screen.toString()).isEqualTo(3);
        List<String> last = screen.last(3);
        assertThat(last.get(1)).as(screen.toString()).startsWith("Migration cli-ctrl-c: Canceled after ")
                .endsWith("; the target was rolled back");
        assertThat(last.get(2)).isEqualTo("Details: pgmigrate migration show --name cli-ctrl-c");
        assertThat(screen.lines()).as("no bar is left on the screen:\n" + screen)
                .noneMatch(l -> l.startsWith("overall") || l.startsWith(db + " ") || l.contains("rolling back the "
                        + "target...") && !l.endsWith("  Interrupted: canceling migration cli-ctrl-c and rolling back "
                        + "the target..."))
                .filteredOn(l -> l.contains("canceling migration")).hasSize(1);
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
        source.dropDatabase(db);
    }

    @Test
    void ctrlCAtThePasswordPromptEndsWith3AndCreatesNothing(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        assumeTrue(Files.isExecutable(SCRIPT), "script (util-linux) makes the pseudo-terminal");
        CliRuns runs = new CliRuns(dir);
        String db = CliRuns.smallDatabase(source, "clictrlcprompt");
        Path written = runs.properties("prompt", source, target, List.of(db), "");
        // No source password in the file: the command asks for it on the terminal.
        Path properties = Files.writeString(written, Files.readString(written)
                .replace("\"password\": {\"file\": \"prompt-source.pw\"}, ", ""));
        assertThat(Files.readString(properties)).doesNotContain("source.pw");

        Terminal terminal = Terminal.run(dir, runs.command("migration", "create", "--name", "cli-ctrl-c-prompt",
                "--properties", properties.toString(), "--wait", "--prompt-password"));
        terminal.awaitScreen("Password for " + source.adminLogin());
        terminal.type('\u0003');
        int exit = terminal.awaitExit();

        Screen screen = terminal.screen();
        assertThat(exit).as(screen.toString()).isEqualTo(3);
        assertThat(screen.last(1).get(0)).isEqualTo("pgmigrate: interrupted before the migration started; nothing "
                + "was created.");
        assertThat(runs.pgmigrate("migration", "list").out()).contains("No migrations yet");
        source.dropDatabase(db);
    }

    private static boolean succeeds(String... command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A command running under a pseudo-terminal whose keyboard is the test. */
    private static final class Terminal {
        private final Process process;
        private final Path output;
        private final OutputStream keyboard;

        private Terminal(Process process, Path output) {
            this.process = process;
            this.output = output;
            this.keyboard = process.getOutputStream();
        }

        static Terminal run(Path dir, List<String> command) throws IOException {
            // A shell without job control starts its background commands with SIGINT ignored, and an ignored
            // signal stays ignored across exec: the JVM would then take no ^C. Under such a test run (say
            // `.ci/run &`), env gives the command SIGINT's default back, as a terminal's foreground job has it.
            StringBuilder line = new StringBuilder(DEFAULT_SIGINT ? "exec env --default-signal=INT" : "exec");
            for (String word : command) {
                line.append(" '").append(word.replace("'", "'\\''")).append('\'');
            }
            Path output = dir.resolve("terminal-" + System.nanoTime());
            ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), "--quiet", "--flush", "--return",
                    "--command", line.toString(), "/dev/null").redirectOutput(output.toFile()).redirectErrorStream(true);
            builder.environment().put("TERM", "xterm");
            builder.environment().put("SHELL", "/bin/sh");
            builder.environment().remove(Cli.HOME_ENV);
            return new Terminal(builder.start(), output);
        }

        void type(char key) throws IOException {
            keyboard.write(key);
            keyboard.flush();
        }

        Screen screen() throws IOException {
            return Screen.of(Files.readString(output, StandardCharsets.UTF_8));
        }

        void awaitScreen(String text) throws Exception {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (Instant.now().isBefore(deadline) && process.isAlive()) {
                if (screen().toString().contains(text)) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the terminal never showed '" + text + "':\n" + screen());
        }

        int awaitExit() throws Exception {
            boolean ended = process.waitFor(CliRuns.PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            keyboard.close();
            if (!ended) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("the command did not end:\n" + screen());
            }
            return process.exitValue();
        }
    }
}
