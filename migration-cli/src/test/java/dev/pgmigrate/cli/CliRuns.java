package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs {@code pgmigrate} as a separate process in a directory of a test's own (its state directory, properties
 * files and captured output), as an operator runs it; and the small databases the tests migrate.
 */
final class CliRuns {
    static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(4);

    private final Path dir;
    private final Map<Process, String> outputs = new ConcurrentHashMap<>();

    CliRuns(Path dir) {
        this.dir = dir;
    }

    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    Path dir() {
        return dir;
    }

    Path stateDir() {
        return dir.resolve("state");
    }

    /** The command line of {@code pgmigrate --state-dir <state> args...} on this JVM and class path. */
    List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--state-dir",
                stateDir().toString()));
        command.addAll(List.of(args));
        return command;
    }

    Result pgmigrate(String... args) throws IOException, InterruptedException {
        return finish(start(args));
    }

    /**
     * Runs it with no password in its environment but {@code env}'s: no {@code PGPASSWORD}, no {@code PGPASSFILE},
     * and a home directory of the test's own, so no {@code ~/.pgpass} of the machine's is read.
     */
    Result pgmigrate(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return finish(start(environment -> {
            environment.remove("PGPASSWORD");
            environment.remove("PGPASSFILE");
            environment.put("HOME", dir.toString());
            environment.putAll(env);
        }, args));
    }

    Process start(String... args) throws IOException {
        return start(environment -> { }, args);
    }

    private Process start(java.util.function.Consumer<Map<String, String>> environment, String... args)
            throws IOException {
        String id = Long.toString(System.nanoTime());
        ProcessBuilder builder = new ProcessBuilder(command(args)).redirectInput(ProcessBuilder.Redirect.from(
                Files.createFile(dir.resolve("stdin-" + id)).toFile()))
                .redirectOutput(dir.resolve("out-" + id).toFile()).redirectError(dir.resolve("err-" + id).toFile());
        builder.environment().remove(Cli.HOME_ENV);
        environment.accept(builder.environment());
        Process process = builder.start();
        outputs.put(process, id);
        return process;
    }

    Result finish(Process process) throws IOException, InterruptedException {
        if (!process.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("pgmigrate did not end within " + PROCESS_TIMEOUT);
        }
        String id = outputs.remove(process);
        return new Result(process.exitValue(), Files.readString(dir.resolve("out-" + id)),
                Files.readString(dir.resolve("err-" + id)));
    }

    /** Waits until a stored migration called {@code name} matches {@code condition}, reading the state directly. */
    StoredMigration awaitStored(String name, Predicate<StoredMigration> condition, ProcessHandle running)
            throws InterruptedException {
        // Spawning 'show' costs a JVM start per poll, longer than a fast copy; the store is the same data.
        FileMigrationStore store = new FileMigrationStore(stateDir());
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline) && running.isAlive()) {
            for (StoredMigration stored : store.list()) {
                if (stored.name().equals(name) && condition.test(stored)) {
                    return stored;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("migration " + name + " never reached the expected state; its process is "
                + (running.isAlive() ? "still running" : "gone"));
    }

    /** Waits until some table of the migration is being copied. */
    StoredMigration awaitLoading(String name, ProcessHandle running) throws InterruptedException {
        return awaitStored(name, s -> s.record().databases().stream().flatMap(d -> d.tables().stream())
                .anyMatch(t -> t.state() == TableState.LOADING), running);
    }

    /**
     * Writes {@code name}.json: each password in a file beside it ({@code name-source.pw}, {@code name-target.pw}),
     * {@code extra} appended to the properties.
     */
    Path properties(String name, PostgresServer source, PostgresServer target, List<String> databases, String extra)
            throws IOException {
        Files.writeString(dir.resolve(name + "-source.pw"), source.adminPassword().reveal());
        Files.writeString(dir.resolve(name + "-target.pw"), target.adminPassword().reveal());
        return properties(name, source, target, databases, "{\"file\": \"" + name + "-source.pw\"}",
                "{\"file\": \"" + name + "-target.pw\"}", extra);
    }

    /** Writes {@code name}.json, each password given as its JSON value: a string, or an env or file reference. */
    Path properties(String name, PostgresServer source, PostgresServer target, List<String> databases,
            String sourcePassword, String targetPassword, String extra) throws IOException {
        String dbs = String.join(", ", databases.stream().map(d -> "\"" + d + "\"").toList());
        return Files.writeString(dir.resolve(name + ".json"), """
                {"properties": {
                  "sourceServer": {"host": "%s", "port": %d, "adminLogin": "%s", "password": %s, "sslMode": "disable"},
                  "targetServer": {"host": "%s", "port": %d, "adminLogin": "%s", "password": %s, "sslMode": "disable"},
                  "dbsToMigrate": [%s]%s}}
                """.formatted(source.host(), source.port(), source.adminLogin(), sourcePassword, target.host(),
                target.port(), target.adminLogin(), targetPassword, dbs, extra));
    }

    /** Writes {@code name}.json with the source's password in it as plain text and the target's in a file beside it. */
    Path propertiesWithSourcePassword(String name, PostgresServer source, PostgresServer target, String database,
            String sourcePassword) throws IOException {
        Files.writeString(dir.resolve(name + "-target.pw"), target.adminPassword().reveal());
        return properties(name, source, target, List.of(database), "\"" + sourcePassword + "\"",
                "{\"file\": \"" + name + "-target.pw\"}", "");
    }

    /** Forgets a process killed without reading its output. */
    void forget(Process process) {
        outputs.remove(process);
    }

    /** Polls {@code show} until migration {@code name} is no longer in progress; returns its record as JSON. */
    JsonNode awaitFinal(String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            Result shown = pgmigrate("migration", "show", "--name", name, "--output", "json");
            if (shown.exitCode() == 0) {
                JsonNode record = new ObjectMapper().readTree(shown.out());
                if (!record.at("/status").asText().equals("InProgress")) {
                    return record;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("migration " + name + " did not end within 2 minutes");
    }

    /** Neither password of the servers appears in what a run printed. */
    static void assertNoSecrets(Result r, PostgresServer source, PostgresServer target) {
        assertThat(r.all()).doesNotContain(source.adminPassword().reveal()).doesNotContain(
                target.adminPassword().reveal());
    }

    /** Skips a test that needs the built-in validators when they are not on the class path. */
    static void assumeValidatorsPresent() {
        assumeTrue(ServiceLoader.load(Validator.class).findFirst().isPresent(),
                "the built-in validators are not on the class path yet");
    }

    /** Two small tables with keys: a migration of it takes a second or two. */
    static String smallDatabase(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, "CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer, amount numeric(10,2))",
                "INSERT INTO customer SELECT g, 'c' || g FROM generate_series(1, 100) g",
                "INSERT INTO orders SELECT g, 1 + g % 100, g / 3.0 FROM generate_series(1, 5000) g");
        return db;
    }

    /**
     * A database whose one table takes a millisecond a row to load on the target only (pgmigrate's sessions name
     * themselves), so its copy lasts about {@code rows} ms unless canceled, whatever the machine's speed.
     */
    static String slowDatabase(PostgresServer source, String prefix, int rows) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, "CREATE FUNCTION slow_on_target(v text) RETURNS boolean LANGUAGE sql AS $$ SELECT CASE "
                        + "WHEN pg_catalog.current_setting('application_name') = 'pgmigrate' "
                        + "THEN pg_catalog.pg_sleep(0.001) IS NOT NULL ELSE true END $$",
                "CREATE DOMAIN slow_text AS text CHECK (public.slow_on_target(VALUE))",
                "CREATE TABLE big (id bigint PRIMARY KEY, payload slow_text)",
                "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + rows + ") g");
        return db;
    }

    /** The target's databases and roles, to show a command changed nothing there. */
    static List<String> targetState(PostgresServer target) {
        List<String> state = new ArrayList<>();
        target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").forEach(r -> state.add("db " + r.get(0)));
        target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1").forEach(r -> state.add("role " + r.get(0)));
        return state;
    }
}
