package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.PgmigrateVersion;
import dev.pgmigrate.core.StoredMigration;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: {@code pgmigrate-VERSION.tar.gz}, unpacked in an empty directory and run
 * through a symlink from another directory, with no Maven: what it holds, its version, its plugins (one dropped in
 * {@code plugins/}, one given with {@code --plugin-path}), and real migrations between two servers, in the
 * foreground and in the background.
 */
@PostgresTest
class DistributionTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String VERSION = PgmigrateVersion.current().version();
    private static final Path TARBALL = ROOT.resolve("distribution/target/pgmigrate-" + VERSION + ".tar.gz");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    static Path unpacked;

    private static Path home;
    private static Path onPath;

    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void unpackTheTarballAndLinkItsLauncherOnPath() throws Exception {
        assertThat(TARBALL).as("the reactor builds the distribution before this module's tests").isRegularFile();
        Path opt = Files.createDirectories(unpacked.resolve("opt"));
        Process tar = new ProcessBuilder("tar", "xzf", TARBALL.toString(), "-C", opt.toString()).inheritIO().start();
        assertThat(tar.waitFor(2, TimeUnit.MINUTES) && tar.exitValue() == 0).as("tar xzf " + TARBALL).isTrue();
        home = opt.resolve("pgmigrate-" + VERSION);
        Path bin = Files.createDirectories(unpacked.resolve("on-path"));
        onPath = Files.createSymbolicLink(bin.resolve("pgmigrate"), home.resolve("bin/pgmigrate"));
    }

    @Test
    void holdsTheLauncherItsJarsAPluginDirectoryTheManualTheCompletionAndTheLicense() throws IOException {
        assertThat(home.resolve("bin/pgmigrate")).isExecutable();
        assertThat(Files.readString(home.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004");
        assertThat(Files.readString(home.resolve("man/man1/pgmigrate.1"))).startsWith(".TH PGMIGRATE 1")
                .contains(".SS pgmigrate migration create", ".SS pgmigrate plugins");
        assertThat(Files.readString(home.resolve("completion/pgmigrate.bash"))).contains("_complete_pgmigrate");
        assertThat(home.resolve("plugins")).isDirectory();
        List<String> jars = names(home.resolve("lib"));
        assertThat(jars).contains("migration-api-" + VERSION + ".jar", "migration-core-" + VERSION + ".jar",
                "migration-validators-" + VERSION + ".jar", "migration-copy-" + VERSION + ".jar",
                "migration-cli-" + VERSION + ".jar").anyMatch(j -> j.startsWith("picocli-"))
                .anyMatch(j -> j.startsWith("postgresql-"));
        assertThat(jars).as("test frameworks in lib/").noneMatch(j -> j.startsWith("junit") || j.startsWith("assertj")
                || j.startsWith("opentest4j") || j.startsWith("migration-testkit"));
    }

    @Test
    void printsItsVersionAndCommitThroughASymlinkFromAnotherDirectory() throws Exception {
        Result version = pgmigrate(Map.of(), "--version");

        assertThat(version.exitCode()).as(version.all()).isZero();
        assertThat(version.out()).startsWith("pgmigrate " + VERSION + " (")
                .containsPattern("^pgmigrate \\S+ \\((commit [0-9a-f]{7,40}(, modified)?|unknown commit)\\)\n");
        assertThat(version.err()).as("no build: a distribution has no Maven").isEmpty();
    }

    @Test
    void listsAndUsesAPluginDroppedInItsPluginsDirectory(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        Path dropped = Files.copy(VendorPluginJar.write(dir.resolve("plugin-build")),
                home.resolve("plugins/vendor-plugin.jar"));
        try {
            Result plugins = pgmigrate(Map.of(), "plugins");
            assertThat(plugins.exitCode()).as(plugins.all()).isZero();
            assertThat(plugins.out()).containsPattern("vendor-forbidden-table +Database +" + Pattern.quote(
                    dropped.toString())).containsPattern("vendor-mover +1000 +" + Pattern.quote(dropped.toString()))
                    .containsPattern("unlogged-tables +Database +" + Pattern.quote(home.resolve("lib/migration-validators-"
                            + VERSION + ".jar").toString()))
                    .contains(home.resolve("plugins") + " (the distribution): 1 jar");

            Path properties = properties(source, target, vendorDatabase(source));
            Result created = pgmigrate(Map.of(), "migration", "create", "--name", "dist-plugin", "--properties",
                    properties.toString(), "--wait");
            assertThat(created.exitCode()).as(created.all()).isZero();

            JsonNode record = JSON.readTree(pgmigrate(Map.of(), "migration", "show", "--name", "dist-plugin",
                    "--output", "json").out());
            assertUsedTheVendorPlugin(record);
            String version = pgmigrate(Map.of(), "--version").out().lines().findFirst().orElseThrow()
                    .substring("pgmigrate ".length());
            assertThat(record.at("/pgmigrateVersion").asText()).isEqualTo(version);
            Result shown = pgmigrate(Map.of(), "migration", "show", "--name", "dist-plugin");
            assertThat(shown.out()).containsPattern("Run by +pgmigrate " + Pattern.quote(version));
        } finally {
            Files.delete(dropped);
        }
    }

    @Test
    void aBackgroundRunGetsTheLaunchersJvmSettingsAndThePluginPath(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("vendor-plugins"));
        Files.copy(VendorPluginJar.write(dir.resolve("plugin-build")), plugins.resolve("vendor-plugin.jar"));
        // Each JVM started with these options writes a log of its own, whose first line names its collector.
        Path gcLogs = Files.createDirectories(dir.resolve("gc"));
        Map<String, String> javaOpts = Map.of("PGMIGRATE_JAVA_OPTS", "-Xlog:gc:file=" + gcLogs + "/gc-%p.log");
        Path properties = properties(source, target, vendorDatabase(source));

        Result started = pgmigrate(javaOpts, "--plugin-path", plugins.toString(), "migration", "create", "--name",
                "dist-background", "--properties", properties.toString());

        assertThat(started.exitCode()).as(started.all()).isZero();
        Matcher process = Pattern.compile("started in the background \\(process (\\d+)\\)").matcher(started.out());
        assertThat(process.find()).as(started.out()).isTrue();
        StoredMigration done = awaitFinal("dist-background");
        assertThat(done.record().status().label()).as(done.record().errors().toString()).isEqualTo("Succeeded");
        assertUsedTheVendorPlugin(JSON.readTree(pgmigrate(Map.of(), "migration", "show", "--name",
                "dist-background", "--output", "json").out()));
        assertThat(names(gcLogs)).as("the command's JVM and the background one").hasSize(2)
                .contains("gc-" + process.group(1) + ".log");
        for (String log : names(gcLogs)) {
            assertThat(Files.readString(gcLogs.resolve(log))).as(log + ": the launcher's collector")
                    .contains("Using Serial");
        }
    }

    private static void assertUsedTheVendorPlugin(JsonNode record) {
        assertThat(record.at("/status").asText()).as(record.toString()).isEqualTo("Succeeded");
        List<String> validators = new ArrayList<>();
        record.at("/validationResults").forEach(r -> validators.add(r.at("/validatorId").asText()));
        assertThat(validators).contains("vendor-forbidden-table");
        List<String> movers = new ArrayList<>();
        record.at("/databases/0/tables").forEach(t -> movers.add(t.at("/table").asText() + " "
                + t.at("/moverId").asText()));
        assertThat(movers).contains("vendor_items vendor-mover").anyMatch(m -> m.startsWith("plain ")
                && !m.endsWith("vendor-mover"));
        assertThat(record.at("/pgmigrateVersion").asText()).startsWith(VERSION + " (");
    }

    private static String vendorDatabase(PostgresServer source) {
        String db = source.createDatabase(TestDatabases.unique("dist"));
        source.execute(db, "CREATE TABLE vendor_items (id int PRIMARY KEY, name text)",
                "INSERT INTO vendor_items SELECT g, 'item ' || g FROM generate_series(1, 500) g",
                "CREATE TABLE plain (id int PRIMARY KEY)", "INSERT INTO plain SELECT generate_series(1, 10)");
        return db;
    }

    private Path properties(PostgresServer source, PostgresServer target, String db) throws IOException {
        Files.writeString(dir.resolve("source.pw"), source.adminPassword().reveal());
        Files.writeString(dir.resolve("target.pw"), target.adminPassword().reveal());
        return Files.writeString(dir.resolve("migration.json"), """
                {"properties": {
                  "sourceServer": {"host": "%s", "port": %d, "adminLogin": "%s", "password": {"file": "source.pw"},
                                   "sslMode": "disable"},
                  "targetServer": {"host": "%s", "port": %d, "adminLogin": "%s", "password": {"file": "target.pw"},
                                   "sslMode": "disable"},
                  "dbsToMigrate": ["%s"]}}
                """.formatted(source.host(), source.port(), source.adminLogin(), target.host(), target.port(),
                target.adminLogin(), db));
    }

    private StoredMigration awaitFinal(String name) throws Exception {
        FileMigrationStore store = new FileMigrationStore(dir.resolve("state"));
        Instant deadline = Instant.now().plus(PROCESS_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            for (StoredMigration stored : store.list()) {
                if (stored.name().equals(name) && stored.record().status().isFinal()) {
                    return stored;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("migration " + name + " did not end within " + PROCESS_TIMEOUT);
    }

    /** Runs the launcher through its symlink, from a directory of the test's own, with a state directory there. */
    private Result pgmigrate(Map<String, String> environment, String... args) throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of(onPath.toString()), Stream.of(args))
                .toList()).directory(cwd.toFile());
        builder.environment().put("PGMIGRATE_HOME", dir.resolve("state").toString());
        builder.environment().remove("PGMIGRATE_JAVA_OPTS");
        builder.environment().putAll(environment);
        String id = Long.toString(System.nanoTime());
        Path out = dir.resolve("out-" + id);
        Path err = dir.resolve("err-" + id);
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!process.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("pgmigrate " + String.join(" ", args) + " did not end within " + PROCESS_TIMEOUT);
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
