package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.cli.CliRuns.Result;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers given without a properties file, as libpq users give them (a URI, keywords), with passwords from
 * {@code PGPASSWORD} or a password file and never from the command line; the selection options; bad input named
 * by its option, changing nothing on the target.
 */
@PostgresTest
class CliConnectionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;


    @Test
    void aUriWithPgpasswordRunsInTheBackgroundAndKeepsOnlyTheReference(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "cliuri");
        String login = "cli_env_" + Long.toString(System.nanoTime(), 36);
        String password = "Pg-Env-" + Long.toString(System.nanoTime(), 36);
        createLogin(source, target, login, password);
        try {
            Result created = pgmigrate(Map.of("PGPASSWORD", password), "migration", "create", "--name", "cli-uri",
                    "--source", "postgresql://" + login + "@" + source.host() + ":" + source.port() + "/" + db
                            + "?sslmode=disable",
                    "--target", "postgres://" + login + "@" + target.host() + ":" + target.port() + "/postgres"
                            + "?sslmode=disable", "--migration-option", "Migrate", "--jobs", "2", "--skip-analyze");
            assertThat(created.exitCode()).as(created.all()).isZero();
            assertThat(created.out()).contains("started in the background");
            JsonNode done = awaitFinal("cli-uri");
            assertThat(done.at("/status").asText()).as(done.toString()).isEqualTo("Succeeded");
            assertThat(done.at("/spec/settings/parallelism").asInt()).isEqualTo(2);
            assertThat(done.at("/spec/settings/skipAnalyze").asBoolean()).isTrue();
            assertThat(target.queryForLong(db, "SELECT sum(analyze_count) FROM pg_stat_user_tables")).isZero();
            assertThat(done.at("/spec/source/adminLogin").asText()).isEqualTo(login);
            assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).isEqualTo(5000);
            StoredMigration stored = new FileMigrationStore(dir.resolve("state")).load(MigrationService.namespaceOf(
                    target.serverSpec()), "cli-uri").orElseThrow();
            assertThat(stored.secretReferences()).containsEntry("sourceServer", "env:PGPASSWORD")
                    .containsEntry("targetServer", "env:PGPASSWORD");
            assertThat(created.all() + done).doesNotContain(password);
            target.dropDatabase(db);
        } finally {
            dropLogin(source, target, login);
        }
    }

    @Test
    void keywordsWithAPasswordFileMigrateTheSelectionAndVerify(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "clipgpass");
        source.execute(db, "CREATE TABLE audit (id int)", "INSERT INTO audit VALUES (1)");
        // An entry per database, as many users write them: none matches the database pgmigrate creates on the
        // target under a working name, whose sessions take the postgres entry.
        Path pgpass = dir.resolve("pgpass");
        StringBuilder entries = new StringBuilder();
        for (PostgresServer server : List.of(source, target)) {
            for (String database : List.of("postgres", db)) {
                entries.append(server.host()).append(':').append(server.port()).append(':').append(database)
                        .append(':').append(server.adminLogin()).append(':')
                        .append(escaped(server.adminPassword().reveal())).append('\n');
            }
        }
        Files.writeString(pgpass, entries);
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = Map.of("PGPASSFILE", pgpass.toString());
        String sourceKeywords = "host=" + source.host() + " port=" + source.port() + " user='"
                + source.adminLogin() + "' sslmode=disable";
        String targetKeywords = "host=" + target.host() + " port = " + target.port() + " user="
                + target.adminLogin() + " sslmode=disable";

        Result created = pgmigrate(env, "migration", "create", "--name", "cli-pgpass", "--source", sourceKeywords,
                "--target", targetKeywords, "--databases", db, "-T", "audit", "--exclude-table-data", "public.orders",
                "--wait");
        assertThat(created.exitCode()).as(created.all()).isZero();
        assertThat(created.out()).contains("the target matches the source");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM customer")).isEqualTo(100);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).isZero();
        assertThat(target.query(db, "SELECT 1 FROM pg_class WHERE relname = 'audit'")).isEmpty();

        Result shown = pgmigrate(env, "migration", "show", "--name", "cli-pgpass");
        assertThat(shown.out()).contains("selection -T audit --exclude-table-data public.orders", "public.audit",
                "the rows of 1 table (public.orders)");

        Result verified = pgmigrate(env, "verify", "--source", sourceKeywords, "--target", targetKeywords,
                "--databases", db, "--exclude-table", "audit", "--exclude-table-data", "orders");
        assertThat(verified.exitCode()).as(verified.all()).isZero();
        Result everything = pgmigrate(env, "verify", "--source", sourceKeywords, "--target", targetKeywords,
                "--databases", db);
        assertThat(everything.exitCode()).as(everything.all()).isEqualTo(1);
        assertThat(everything.out()).contains("audit");
        target.dropDatabase(db);
    }

    @Test
    void aPasswordInAUriIsRefusedWithoutBeingShownAndNothingChanges(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "clipw");
        List<String> before = targetState(target);
        String secret = "S3cret-" + Long.toString(System.nanoTime(), 36);
        Result refused = pgmigrate(Map.of(), "migration", "create", "--name", "cli-pw", "--source",
                "postgresql://" + source.adminLogin() + ":" + secret + "@" + source.host() + ":" + source.port(),
                "--target", "host=" + target.host() + " port=" + target.port() + " user=" + target.adminLogin()
                        + " password=" + secret + "x", "--databases", db, "--wait");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(64);
        assertThat(refused.err()).contains("--source", "--target", "holds a password", "PGPASSWORD", "~/.pgpass")
                .doesNotContain(secret);
        assertThat(targetState(target)).isEqualTo(before);
    }

    @Test
    void badOptionsAreNamedWithTheirFixAndChangeNothing(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "clibad");
        List<String> before = targetState(target);
        String from = "postgresql://" + source.adminLogin() + "@" + source.host() + ":" + source.port()
                + "?sslmode=disable";
        String to = "postgresql://" + target.adminLogin() + "@" + target.host() + ":" + target.port()
                + "?sslmode=disable";

        Result both = pgmigrate(Map.of(), "migration", "create", "--name", "cli-bad", "--source", from, "--target",
                to, "--databases", db, "--schema-only", "--data-only", "--table", "a.b.c", "--jobs", "0");
        assertThat(both.exitCode()).as(both.all()).isEqualTo(64);
        assertThat(both.err()).contains("--data-only", "give one of them", "--table = a.b.c", "--jobs = 0");

        Result noServers = pgmigrate(Map.of(), "migration", "create", "--name", "cli-bad", "--databases", db);
        assertThat(noServers.exitCode()).isEqualTo(64);
        assertThat(noServers.err()).contains("give --properties FILE, or the servers");

        Result unknown = pgmigrate(Map.of(), "verify", "--source", from + "&application_name=x", "--target", to,
                "--databases", db);
        assertThat(unknown.exitCode()).isEqualTo(64);
        assertThat(unknown.err()).contains("application_name", "it takes: host, hostaddr, port, user, dbname, "
                + "sslmode");

        // A pattern that matches nothing fails validation by name (exit 2), as pg_dump stops on it.
        Map<String, String> env = Map.of("PGPASSFILE", pgpass(source, target).toString());
        Result nothing = pgmigrate(env, "migration", "create", "--name", "cli-nomatch", "--source", from, "--target",
                to, "--databases", db, "--table", "public.\"Customer\"", "--wait");
        assertThat(nothing.exitCode()).as(nothing.all()).isEqualTo(2);
        assertThat(pgmigrate(env, "migration", "show", "--name", "cli-nomatch").out())
                .contains("settings.selection.tables[0] = public.\"Customer\"", "quote a name with capitals");
        assertThat(targetState(target)).isEqualTo(before);
    }

    // ---------------------------------------------------------------- helpers

    private Path pgpass(PostgresServer source, PostgresServer target) throws IOException {
        Path pgpass = dir.resolve("pgpass-" + System.nanoTime());
        Files.writeString(pgpass, "*:" + source.port() + ":*:" + source.adminLogin() + ":"
                + escaped(source.adminPassword().reveal()) + "\n*:" + target.port() + ":*:" + target.adminLogin() + ":"
                + escaped(target.adminPassword().reveal()) + "\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        return pgpass;
    }

    private static String escaped(String password) {
        return password.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static void createLogin(PostgresServer source, PostgresServer target, String login, String password) {
        for (PostgresServer server : List.of(source, target)) {
            server.execute("postgres", "CREATE ROLE " + login + " LOGIN SUPERUSER PASSWORD '" + password + "'");
        }
    }

    private static void dropLogin(PostgresServer source, PostgresServer target, String login) {
        for (PostgresServer server : List.of(source, target)) {
            server.execute("postgres", "DROP ROLE IF EXISTS " + login);
        }
    }

    private static List<String> targetState(PostgresServer target) {
        List<String> state = new ArrayList<>();
        target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1")
                .forEach(r -> state.add("db " + r.get(0)));
        target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1")
                .forEach(r -> state.add("role " + r.get(0)));
        return state;
    }

    /** Runs pgmigrate as a process, with {@code env} added and PGPASSWORD and PGPASSFILE only as given. */
    private Result pgmigrate(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return new CliRuns(dir).pgmigrate(env, args);
    }

    private JsonNode awaitFinal(String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            Result shown = pgmigrate(Map.of(), "migration", "show", "--name", name, "--output", "json");
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
}
