package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the source tree's {@code ./pgmigrate} builds its jar, run on a copy of the script in a tree of its own whose
 * {@code mvnw} and {@code java} are stand-ins: the build writes its jar slowly and notes when it runs, the JVM says
 * which jar it was given and whether it was whole. No Maven and no JVM of ours run.
 */
class LauncherBuildTest {
    private static final Path LAUNCHER = Path.of("..", "pgmigrate").toAbsolutePath().normalize();

    @TempDir
    Path tree;

    private Path jar;
    private Path builds;

    @BeforeEach
    void aSourceTreeWithStandIns() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/flock")) || Files.isExecutable(Path.of("/bin/flock")),
                "flock, which the launcher uses where the system has it");
        Files.copy(LAUNCHER, tree.resolve("pgmigrate"));
        executable(tree.resolve("pgmigrate"));
        jar = tree.resolve("migration-cli/target/pgmigrate.jar");
        builds = tree.resolve("builds.log");
        Files.writeString(tree.resolve("pom.xml"), "<project/>\n");
        Path source = tree.resolve("migration-cli/src/main/java/Main.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Main {}\n");
        // The stand-in build: fails while a file BROKEN exists; else writes the jar it is told to in two steps, a
        // second apart, as a real one is written over a while, and notes its start and end.
        script(tree.resolve("mvnw"), """
                #!/usr/bin/env bash
                echo "start $$" >> "$(dirname "$0")/builds.log"
                if [[ -e "$(dirname "$0")/BROKEN" ]]; then echo "COMPILATION ERROR" >&2; exit 1; fi
                for arg in "$@"; do
                    case "$arg" in -Dpgmigrate.runnableJar=*) out="${arg#*=}" ;; esac
                done
                out="${out:-$(dirname "$0")/migration-cli/target/pgmigrate.jar}"
                mkdir -p "$(dirname "$out")"
                echo "half of the jar of build $$" > "$out"
                sleep 1
                echo "the rest: whole" >> "$out"
                echo "end $$" >> "$(dirname "$0")/builds.log"
                """);
        script(tree.resolve("jdk/bin/java"), """
                #!/usr/bin/env bash
                while [[ $# -gt 0 && "$1" != -jar ]]; do shift; done
                if grep -q whole "$2"; then echo "ran a whole jar"; else echo "ran HALF a jar"; exit 1; fi
                """);
    }

    @Test
    void launchesStartedTogetherBuildOnceAndEachRunsTheWholeJar() throws Exception {
        List<Process> launches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            launches.add(start("--version"));
        }
        for (Process launch : launches) {
            assertThat(launch.waitFor(1, TimeUnit.MINUTES)).isTrue();
            String out = new String(launch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(launch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(launch.exitValue()).as(err).isZero();
            assertThat(out).isEqualTo("ran a whole jar\n");
        }
        List<String> log = Files.readAllLines(builds);
        assertThat(log).as("one build, the others waited for it").hasSize(2);
        assertThat(log.get(0)).startsWith("start ");
        assertThat(log.get(1)).startsWith("end ");
        try (var left = Files.list(jar.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no jar left half built")
                    .noneMatch(name -> name.contains(".building-"));
        }
    }

    @Test
    void aTreeThatDoesNotBuildRunsTheJarItHasWithAWarning() throws Exception {
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "an older build, whole\n");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
        Files.writeString(tree.resolve("BROKEN"), "");

        Process launch = start("migration", "cancel", "--name", "shop-move");

        assertThat(launch.waitFor(1, TimeUnit.MINUTES)).isTrue();
        String err = new String(launch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launch.exitValue()).as(err).isZero();
        assertThat(new String(launch.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("ran a whole jar\n");
        assertThat(err).contains("WARNING: the sources changed and do not build now; running the jar built")
                .contains("older than them");
    }

    @Test
    void aTreeThatDoesNotBuildAndHasNoJarExitsWith70() throws Exception {
        Files.writeString(tree.resolve("BROKEN"), "");

        Process launch = start("--version");

        assertThat(launch.waitFor(1, TimeUnit.MINUTES)).isTrue();
        String err = new String(launch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launch.exitValue()).as(err).isEqualTo(70);
        assertThat(err).contains("the build failed");
        assertThat(jar).doesNotExist();
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(tree.resolve("pgmigrate").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(tree.toFile());
        builder.environment().put("JAVA_HOME", tree.resolve("jdk").toString());
        builder.environment().put("PGMIGRATE_CDS", "off");
        return builder.start();
    }

    private static void script(Path path, String text) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
        executable(path);
    }

    private static void executable(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
