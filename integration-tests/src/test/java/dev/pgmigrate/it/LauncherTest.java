package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./pgmigrate} launcher as a user runs it: which JVM it picks, what it says when there is none, and
 * what the jar it runs holds. Runs only when the reactor has built the runnable jar from the current sources, so
 * the launcher never starts a build of its own here.
 */
class LauncherTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path LAUNCHER = ROOT.resolve("pgmigrate");
    private static final Path JAR = ROOT.resolve("migration-cli/target/pgmigrate.jar");

    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void jarIsBuiltFromTheCurrentSources() throws IOException {
        assumeTrue(Files.isRegularFile(JAR), "the runnable jar is built by the reactor before this module");
        FileTime built = Files.getLastModifiedTime(JAR);
        for (String module : List.of("migration-api", "migration-core", "migration-validators", "migration-copy",
                "migration-embedded", "migration-cli")) {
            try (Stream<Path> sources = Files.walk(ROOT.resolve(module).resolve("src/main"))) {
                assumeTrue(sources.noneMatch(p -> newer(p, built)), "the runnable jar is older than " + module);
            }
        }
    }

    @Test
    void runsWithTheJavaOnPathWhenJavaHomeIsNotSet() throws Exception {
        Result result = launch(Map.of(), "--version");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("pgmigrate ");
    }

    @Test
    void runsThroughASymlinkOnPathFromAnotherDirectory() throws Exception {
        // A relative link to a link, as `ln -s` on PATH makes them: both are followed to the source tree.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(dir.resolve("pgmigrate-link"), LAUNCHER);
        Files.createSymbolicLink(bin.resolve("pgmigrate"), Path.of("../pgmigrate-link"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));

        Result result = launch(bin.resolve("pgmigrate"), elsewhere, Map.of(), "--version");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("pgmigrate ");
    }

    @Test
    void runsJavaHomesJavaWhenJavaHomeIsSet() throws Exception {
        Path jdk = dir.resolve("jdk");
        Path java = jdk.resolve("bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\necho \"JAVA_HOME's java: $*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Result result = launch(Map.of("JAVA_HOME", jdk.toString()), "--version");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("JAVA_HOME's java: ").contains("-jar " + JAR).endsWith("--version\n");
    }

    @Test
    void aJavaHomeWithoutJavaIsNamedWithTheFix() throws Exception {
        Path notAJdk = Files.createDirectories(dir.resolve("not-a-jdk"));

        Result result = launch(Map.of("JAVA_HOME", notAJdk.toString()), "--version");

        assertThat(result.exitCode()).isEqualTo(69);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("JAVA_HOME is '" + notAJdk + "'").contains("no bin/java")
                .contains("unset it");
    }

    @Test
    void theRunnableJarShipsNoTestFramework() throws IOException {
        // migration-cli's enforcer rule keeps them off its runtime class path; this checks what shading made of it.
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            List<String> testOnly = jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("org/junit/") || n.startsWith("org/assertj/")
                            || n.startsWith("dev/pgmigrate/testkit/"))
                    .toList();
            assertThat(testOnly).as("test-framework classes in " + JAR).isEmpty();
            assertThat(jar.getEntry("dev/pgmigrate/embedded/PostgresServer.class")).as("the demo's servers")
                    .isNotNull();
        }
    }

    private static boolean newer(Path file, FileTime than) {
        try {
            return Files.isRegularFile(file) && Files.getLastModifiedTime(file).compareTo(than) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    private Result launch(Map<String, String> environment, String... args) throws Exception {
        return launch(LAUNCHER, ROOT, environment, args);
    }

    private Result launch(Path launcher, Path workingDirectory, Map<String, String> environment, String... args)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of(launcher.toString()),
                Stream.of(args)).toList()).directory(workingDirectory.toFile());
        builder.environment().remove("JAVA_HOME");
        builder.environment().put("PGMIGRATE_HOME", dir.resolve("state").toString());
        builder.environment().putAll(environment);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the launcher ended").isTrue();
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
