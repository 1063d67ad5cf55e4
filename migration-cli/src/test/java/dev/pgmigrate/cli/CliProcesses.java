package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/** Runs {@code pgmigrate} as a separate process in a test's temporary directory, and the files and servers it needs. */
final class CliProcesses {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(4);

    private final Path dir;

    CliProcesses(Path dir) {
        this.dir = dir;
    }

    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static void assumeValidatorsPresent() {
        assumeTrue(ServiceLoader.load(Validator.class).findFirst().isPresent(),
                "the built-in validators are not on the class path yet");
    }

    /**
     * A database whose one table takes a millisecond a row to load on the target only (pgmigrate's sessions name
     * themselves), so its copy lasts about 30 s unless canceled, whatever the machine's speed.
     */
    static String slowDatabase(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, "CREATE FUNCTION slow_on_target(v text) RETURNS boolean LANGUAGE sql AS $$ SELECT CASE "
                        + "WHEN pg_catalog.current_setting('application_name') = 'pgmigrate' "
                        + "THEN pg_catalog.pg_sleep(0.001) IS NOT NULL ELSE true END $$",
                "CREATE DOMAIN slow_text AS text CHECK (public.slow_on_target(VALUE))",
                "CREATE TABLE big (id bigint PRIMARY KEY, payload slow_text)",
                "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 30000) g");
        return db;
    }

    static String smallDatabase(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, "CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer, amount numeric(10,2))",
                "INSERT INTO customer SELECT g, 'c' || g FROM generate_series(1, 100) g",
                "INSERT INTO orders SELECT g, 1 + g % 100, g / 3.0 FROM generate_series(1, 5000) g");
        return db;
    }

    Path properties(PostgresServer source, PostgresServer target, String db, String extra) throws IOException {
        Path sourcePassword = Files.writeString(dir.resolve("source.pw"), source.adminPassword().reveal());
        return writeProperties(source, target, db, "{\"file\": \"" + sourcePassword.getFileName() + "\"}", extra);
    }

    Path propertiesWithSourcePassword(PostgresServer source, PostgresServer target, String db,
            String password) throws IOException {
        return writeProperties(source, target, db, "\"" + password + "\"", "");
    }

    Path writeProperties(PostgresServer source, PostgresServer target, String db, String sourcePassword,
            String extra) throws IOException {
        Files.writeString(dir.resolve("target.pw"), target.adminPassword().reveal());
        return writeProperties(source, target, db, sourcePassword, "{\"file\": \"target.pw\"}", extra);
    }

    /** The properties file, each password given as its JSON value: a string, or an env or file reference. */
    Path writeProperties(PostgresServer source, PostgresServer target, String db, String sourcePassword,
            String targetPassword, String extra) throws IOException {
        return Files.writeString(dir.resolve("migration.json"), """
                {"properties": {
                  "sourceServer": {"host": "%s", "port": %d, "adminLogin": "%s", "password": %s, "sslMode": "disable"},
                  "targetServer": {"host": "%s", "port": %d, "adminLogin": "%s", "password": %s, "sslMode": "disable"},
                  "dbsToMigrate": ["%s"]%s}}
                """.formatted(source.host(), source.port(), source.adminLogin(), sourcePassword, target.host(),
                target.port(), target.adminLogin(), targetPassword, db, extra));
    }

    /** The target's databases and roles, to show a command changed nothing there. */
    static List<String> targetState(PostgresServer target) {
        List<String> state = new ArrayList<>();
        target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1")
                .forEach(r -> state.add("db " + r.get(0)));
        target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1").forEach(r -> state.add("role " + r.get(0)));
        return state;
    }

    static void assertNoSecrets(Result r, PostgresServer source, PostgresServer target) {
        assertThat(r.all()).doesNotContain(source.adminPassword().reveal()).doesNotContain(
                target.adminPassword().reveal());
    }

    Result pgmigrate(String... args) throws IOException, InterruptedException {
        return finish(start(args));
    }

    Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--state-dir",
                dir.resolve("state").toString()));
        command.addAll(List.of(args));
        String id = Long.toString(System.nanoTime());
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                Files.createFile(dir.resolve("stdin-" + id)).toFile()))
                .redirectOutput(dir.resolve("out-" + id).toFile()).redirectError(dir.resolve("err-" + id).toFile());
        builder.environment().remove(Cli.HOME_ENV);
        Process process = builder.start();
        OUTPUTS.put(process, id);
        return process;
    }

    private static final java.util.Map<Process, String> OUTPUTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Forgets a process killed without reading its output. */
    void forget(Process process) {
        OUTPUTS.remove(process);
    }

    Result finish(Process process) throws IOException, InterruptedException {
        if (!process.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("pgmigrate did not end within " + PROCESS_TIMEOUT);
        }
        String id = OUTPUTS.remove(process);
        return new Result(process.exitValue(), Files.readString(dir.resolve("out-" + id)),
                Files.readString(dir.resolve("err-" + id)));
    }

    JsonNode awaitFinal(String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            Result shown = pgmigrate("migration", "show", "--name", name, "--output", "json");
            if (shown.exitCode() == 0) {
                JsonNode record = JSON.readTree(shown.out());
                if (!record.at("/status").asText().equals("InProgress")) {
                    return record;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("migration " + name + " did not end within 2 minutes");
    }

    /** Waits until some table of the migration is being copied, reading the state directory directly. */
    void awaitLoading(String name, Process running) throws Exception {
        // Spawning 'show' costs a JVM start per poll, longer than a fast copy; the store is the same data.
        var store = new dev.pgmigrate.core.FileMigrationStore(dir.resolve("state"));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline) && running.isAlive()) {
            for (var stored : store.list()) {
                if (stored.name().equals(name) && stored.record().databases().stream()
                        .flatMap(d -> d.tables().stream())
                        .anyMatch(t -> t.state() == dev.pgmigrate.api.TableState.LOADING)) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("migration " + name + " never reached the copy; first process: "
                + (running.isAlive() ? "still running" : finish(running).all()));
    }
}
