package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.embedded.LocalPorts;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code pgmigrate} as a separate process, as an operator does, against real servers: a PostgreSQL 15 source
 * and a 17 target shared by the tests; each test works in databases of its own and a state directory of its own.
 */
@PostgresTest
class CliProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    // ---------------------------------------------------------------- verify

    @Test
    void verifyComparesTheDatabasesAndNamesATableThatDiffers(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = smallDatabase(source, "cliverify");
        Path properties = properties(source, target, db, ", \"settings\": {\"verify\": false}");
        Result created = pgmigrate("migration", "create", "--name", "cli-verify", "--properties",
                properties.toString(), "--migration-option", "Migrate", "--wait");
        assertThat(created.exitCode()).as(created.all()).isZero();

        Result same = pgmigrate("verify", "--properties", properties.toString());
        assertThat(same.exitCode()).as(same.all()).isZero();
        assertThat(same.out()).contains(db).contains("match");

        target.execute(db, "UPDATE orders SET amount = amount + 1 WHERE id = 7");
        Result differs = pgmigrate("verify", "--properties", properties.toString(), "--output", "json");
        assertThat(differs.exitCode()).as(differs.all()).isEqualTo(1);
        JsonNode reports = JSON.readTree(differs.out());
        assertThat(reports.get(0).at("/tables").findValuesAsText("table")).contains("orders");
        boolean ordersDiffers = false;
        for (JsonNode table : reports.get(0).at("/tables")) {
            if (table.get("table").asText().equals("orders")) {
                ordersDiffers = !table.get("sourceChecksum").asText().equals(table.get("targetChecksum").asText());
            }
        }
        assertThat(ordersDiffers).as(differs.out()).isTrue();
        assertNoSecrets(differs, source, target);
    }

    // ---------------------------------------------------------------- demo

    @Test
    void theDemoSaysWhatToInstallBeforeItStartsAnyServerWhenPgDumpIsTooOld() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/usr/lib/postgresql/18/bin/pg_dump")),
                "this machine has pg_dump 18");
        Result demo = pgmigrate("demo", "--source-version", "18");
        assertThat(demo.exitCode()).as(demo.all()).isEqualTo(69);
        assertThat(demo.err()).contains("needs pg_dump 18 or newer", "postgresql-client-18", "apt.postgresql.org");
        assertThat(demo.out()).doesNotContain("Starting PostgreSQL");
    }

    // ---------------------------------------------------------------- success, list and show

    @Test
    void createWithWaitSucceedsAndListAndShowDescribeItInTextAndJson(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = smallDatabase(source, "cliok");
        Path properties = properties(source, target, db, "");

        Result created = pgmigrate("migration", "create", "--name", "cli-ok", "--properties", properties.toString(),
                "--wait");

        assertThat(created.exitCode()).as(created.all()).isEqualTo(0);
        assertThat(created.out()).contains("Migration cli-ok: Succeeded").contains("the target matches the source")
                .doesNotContain("\u001b");
        assertNoSecrets(created, source, target);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).isEqualTo(5000);

        Result list = pgmigrate("migration", "list");
        assertThat(list.exitCode()).isEqualTo(0);
        assertThat(list.out()).contains("Name", "Status", "Migration mode", "Migration type", "Source server",
                "Source server type", "Databases", "Duration", "Start time")
                .containsPattern("cli-ok +Succeeded +Offline +Validate and migrate +127\\.0\\.0\\.1:" + source.port()
                        + " +OnPremises +127\\.0\\.0\\.1:" + target.port() + " +" + db);

        JsonNode listed = JSON.readTree(pgmigrate("migration", "list", "--output", "json").out());
        assertThat(listed.isArray()).isTrue();
        assertThat(listed.get(0).at("/spec/name").asText()).isEqualTo("cli-ok");
        assertThat(listed.get(0).at("/status").asText()).isEqualTo("Succeeded");

        Result show = pgmigrate("migration", "show", "--name", "cli-ok");
        assertThat(show.exitCode()).isEqualTo(0);
        assertThat(show.out()).contains("Migration cli-ok: Succeeded (Completed)", "Databases",
                "public.orders", "Completed", "5,000", "Verification: the target matches the source");

        JsonNode shown = JSON.readTree(pgmigrate("migration", "show", "--name", "cli-ok", "--output", "json").out());
        assertThat(shown.at("/substatus").asText()).isEqualTo("Completed");
        assertThat(shown.at("/databases/0/tables").size()).isEqualTo(2);
        assertThat(shown.toString()).doesNotContain(source.adminPassword().reveal());

        Result activeOnly = pgmigrate("migration", "list", "--filter", "active");
        assertThat(activeOnly.out()).contains("No migration is in progress");
    }

    @Test
    void reportWritesTheHtmlPageAndTheJsonOfAMigration(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = smallDatabase(source, "clireport");
        Path properties = properties(source, target, db, "");
        assertThat(pgmigrate("migration", "create", "--name", "cli-report", "--properties", properties.toString(),
                "--wait").exitCode()).isEqualTo(0);

        Path htmlFile = dir.resolve("out/report.html");
        Files.createDirectories(htmlFile.getParent());
        Result written = pgmigrate("migration", "report", "--name", "cli-report", "--file", htmlFile.toString());
        assertThat(written.exitCode()).as(written.all()).isEqualTo(0);
        assertThat(written.out()).contains("Wrote the HTML report of migration cli-report to");
        String html = Files.readString(htmlFile);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("Migration <span class=\"name\">cli-report</span>",
                "Succeeded", "orders", "5,000", "Identical", "<svg class=\"timeline\"")
                .doesNotContain(source.adminPassword().reveal(), target.adminPassword().reveal());

        Result shown = pgmigrate("migration", "show", "--name", "cli-report", "--output", "html");
        assertThat(shown.exitCode()).as(shown.all()).isEqualTo(0);
        assertThat(shown.out()).startsWith("<!DOCTYPE html>").contains("cli-report").endsWith("</html>\n");

        Path jsonFile = dir.resolve("out/report.json");
        assertThat(pgmigrate("migration", "report", "--name", "cli-report", "--file", jsonFile.toString())
                .exitCode()).isEqualTo(0);
        JsonNode json = JSON.readTree(jsonFile.toFile());
        assertThat(json.at("/format").asText()).isEqualTo("pgmigrate-report");
        assertThat(json.at("/summary/rows").asLong()).isEqualTo(5100);
        assertThat(json.at("/record/spec/name").asText()).isEqualTo("cli-report");
        JsonNode printed = JSON.readTree(pgmigrate("migration", "report", "--name", "cli-report", "--format",
                "json").out());
        assertThat(printed.at("/summary/tables").asInt()).isEqualTo(2);

        Result missing = pgmigrate("migration", "report", "--name", "no-such-migration");
        assertThat(missing.exitCode()).isEqualTo(64);
        assertThat(missing.err()).contains("No migration named 'no-such-migration'");
    }

    @Test
    void createWithoutWaitReturnsAtOnceAndTheBackgroundProcessFinishesTheMigration(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = smallDatabase(source, "clibg");
        Path properties = properties(source, target, db, "");

        Result created = pgmigrate("migration", "create", "--name", "cli-bg", "--properties", properties.toString());

        assertThat(created.exitCode()).as(created.all()).isEqualTo(0);
        assertThat(created.out()).contains("Migration cli-bg started in the background")
                .contains("pgmigrate migration show --name cli-bg");
        JsonNode done = awaitFinal("cli-bg");
        assertThat(done.at("/status").asText()).as(done.toString()).isEqualTo("Succeeded");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM customer")).isEqualTo(100);
        try (var logs = Files.list(dir.resolve("state/logs"))) {
            String log = Files.readString(logs.filter(p -> p.getFileName().toString().startsWith("cli-bg-"))
                    .findFirst().orElseThrow());
            assertThat(log).contains("finished: Succeeded").doesNotContain(source.adminPassword().reveal());
        }
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancelFromASecondProcessStopsTheCopyAndLeavesTheTargetAsItWas(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = slowDatabase(source, "clicancel");
        List<String> before = targetState(target);
        Path properties = properties(source, target, db, ", \"settings\": {\"parallelism\": 1, "
                + "\"splitTablesLargerThanBytes\": 1099511627776}");

        Process first = start("migration", "create", "--name", "cli-cancel", "--properties", properties.toString(),
                "--wait");
        awaitLoading("cli-cancel", first);
        Result cancel = pgmigrate("migration", "cancel", "--name", "cli-cancel");
        Result firstResult = finish(first);

        assertThat(cancel.exitCode()).as(cancel.all()).isEqualTo(0);
        assertThat(cancel.out()).contains("Migration cli-cancel: Canceled; its changes on the target were rolled back");
        assertThat(firstResult.exitCode()).as(firstResult.all()).isEqualTo(3);
        assertThat(firstResult.out()).contains("Migration cli-cancel: Canceled");
        assertThat(targetState(target)).isEqualTo(before);
        JsonNode shown = JSON.readTree(pgmigrate("migration", "show", "--name", "cli-cancel", "--output", "json")
                .out());
        assertThat(shown.at("/status").asText()).isEqualTo("Canceled");

        Result again = pgmigrate("migration", "update", "--name", "cli-cancel", "--cancel");
        assertThat(again.exitCode()).isEqualTo(64);
        assertThat(again.err()).contains("already ended (Canceled)");
        source.dropDatabase(db);
    }

    /**
     * A plain-text password is not stored with the migration: a cancel from a process with no terminal cannot log
     * in to roll back. It says how to give it, changes nothing, and the properties file then does it.
     */
    @Test
    void aKilledMigrationWithAPlainTextPasswordIsRolledBackWithItsPropertiesFile(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = slowDatabase(source, "cliplain");
        List<String> before = targetState(target);
        Path properties = writeProperties(source, target, db, "\"" + source.adminPassword().reveal() + "\"",
                "\"" + target.adminPassword().reveal() + "\"", ", \"settings\": {\"parallelism\": 1}");

        Process running = start("migration", "create", "--name", "cli-plain", "--properties", properties.toString(),
                "--wait");
        awaitLoading("cli-plain", running);
        running.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no rollback runs
        OUTPUTS.remove(running);

        Result refused = pgmigrate("migration", "cancel", "--name", "cli-plain");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
        assertThat(refused.err()).contains("needs the password of " + target.adminLogin())
                .contains("--properties FILE").contains("Nothing was changed");
        Result shown = pgmigrate("migration", "show", "--name", "cli-plain");
        assertThat(shown.out()).contains("InProgress").contains("Left on the target")
                .contains("(created under its working name)");

        Result canceled = pgmigrate("migration", "cancel", "--name", "cli-plain", "--properties",
                properties.toString());
        assertThat(canceled.exitCode()).as(canceled.all()).isEqualTo(0);
        assertThat(canceled.out()).contains("Migration cli-plain: Canceled");
        assertThat(targetState(target)).isEqualTo(before);
        for (Result r : List.of(refused, shown, canceled)) {
            assertNoSecrets(r, source, target);
        }
        source.dropDatabase(db);
    }

    @Test
    void sigtermDuringAForegroundRunCancelsItAndExitsWith3(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = slowDatabase(source, "clisigterm");
        List<String> before = targetState(target);
        Path properties = properties(source, target, db, ", \"settings\": {\"parallelism\": 1}");

        Process running = start("migration", "create", "--name", "cli-sigterm", "--properties", properties.toString(),
                "--wait");
        awaitLoading("cli-sigterm", running);
        running.destroy(); // SIGTERM, as a service manager stops a process
        Result result = finish(running);

        assertThat(result.exitCode()).as(result.all()).isEqualTo(3);
        assertThat(result.err()).contains("interrupted; canceling migration cli-sigterm");
        assertThat(result.out()).contains("Migration cli-sigterm: Canceled");
        assertThat(targetState(target)).isEqualTo(before);
        source.dropDatabase(db);
    }

    // ---------------------------------------------------------------- bad input: each its own message and code

    @Test
    void anUnknownFieldIsABadPropertiesFile(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = smallDatabase(source, "cliunknown");
        List<String> before = targetState(target);
        Path properties = properties(source, target, db, ", \"overwriteDbInTarget\": true");

        Result r = pgmigrate("migration", "create", "--name", "cli-unknown", "--properties", properties.toString(),
                "--wait");

        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.err()).contains(properties.toString()).contains("properties.overwriteDbInTarget")
                .contains("did you mean \"overwriteDbsInTarget\"").doesNotContain("\tat ");
        assertThat(targetState(target)).isEqualTo(before);
        assertThat(pgmigrate("migration", "list").out()).contains("No migrations yet");
    }

    @Test
    void anInvalidNameIsBadUsage(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target) throws Exception {
        String db = smallDatabase(source, "cliname");
        List<String> before = targetState(target);
        Path properties = properties(source, target, db, "");

        Result r = pgmigrate("migration", "create", "--name", "shop_move!", "--properties", properties.toString(),
                "--wait");

        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.err()).contains("--name = shop_move!").contains("only letters, digits and '-'");
        assertThat(targetState(target)).isEqualTo(before);
    }

    @Test
    void badUsageAndBadValuesOnTheCommandLineExitWith64() throws Exception {
        Result unknownOption = pgmigrate("migration", "create", "--name", "x", "--properties", "m.json", "--colour",
                "red");
        assertThat(unknownOption.exitCode()).isEqualTo(64);
        assertThat(unknownOption.err()).contains("Unknown options: '--colour'")
                .contains("pgmigrate migration create --help");

        Result missingOption = pgmigrate("migration", "create", "--name", "x");
        assertThat(missingOption.exitCode()).isEqualTo(64);
        assertThat(missingOption.err()).contains("--properties = (missing)", "or the servers: --source");

        Result badMode = pgmigrate("migration", "create", "--name", "x", "--properties", "m.json",
                "--migration-mode", "Sideways");
        assertThat(badMode.exitCode()).isEqualTo(64);
        assertThat(badMode.err()).contains("--migration-mode = Sideways").contains("use Offline or Online");

        Result noFile = pgmigrate("migration", "create", "--name", "x", "--properties", dir.resolve("nope.json")
                .toString());
        assertThat(noFile.exitCode()).isEqualTo(64);
        assertThat(noFile.err()).contains("nope.json").contains("does not exist");

        Result unknownMigration = pgmigrate("migration", "show", "--name", "never-created");
        assertThat(unknownMigration.exitCode()).isEqualTo(64);
        assertThat(unknownMigration.err()).contains("No migration named 'never-created'");

        Result help = pgmigrate("migration", "show", "--help");
        assertThat(help.exitCode()).isEqualTo(0);
        assertThat(help.out()).contains("Example:").contains("pgmigrate migration show --name");
    }

    @Test
    void anUnreachableServerExitsWith69AndCreatesNothing(@Pg("17") PostgresServer target) throws Exception {
        int closedPort = LocalPorts.free();
        Path password = Files.writeString(dir.resolve("t.pw"), target.adminPassword().reveal());
        Path properties = Files.writeString(dir.resolve("unreachable.json"), """
                {"properties": {
                  "sourceServer": {"host": "127.0.0.1", "port": %d, "adminLogin": "postgres", "password": "x",
                                   "sslMode": "disable"},
                  "targetServer": {"host": "127.0.0.1", "port": %d, "adminLogin": "%s",
                                   "password": {"file": "%s"}, "sslMode": "disable"},
                  "dbsToMigrate": ["shop"]}}
                """.formatted(closedPort, target.port(), target.adminLogin(), password));

        Result r = pgmigrate("migration", "create", "--name", "cli-unreachable", "--properties",
                properties.toString(), "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(69);
        assertThat(r.err()).contains("Cannot reach the source server at 127.0.0.1:" + closedPort)
                .contains("connection was refused").contains("No migration was created");
        assertThat(pgmigrate("migration", "list").out()).contains("No migrations yet");

        // The target is asked at the same time as the source, and its failure is reported the same way.
        Path targetDown = Files.writeString(dir.resolve("unreachable-target.json"), """
                {"properties": {
                  "sourceServer": {"host": "127.0.0.1", "port": %d, "adminLogin": "%s",
                                   "password": {"file": "%s"}, "sslMode": "disable"},
                  "targetServer": {"host": "127.0.0.1", "port": %d, "adminLogin": "postgres", "password": "x",
                                   "sslMode": "disable"},
                  "dbsToMigrate": ["shop"]}}
                """.formatted(target.port(), target.adminLogin(), password, closedPort));
        Result t = pgmigrate("migration", "create", "--name", "cli-unreachable", "--properties",
                targetDown.toString(), "--wait");
        assertThat(t.exitCode()).as(t.all()).isEqualTo(69);
        assertThat(t.err()).contains("Cannot reach the target server at 127.0.0.1:" + closedPort)
                .contains("No migration was created");
        assertThat(pgmigrate("migration", "list").out()).contains("No migrations yet");
    }

    @Test
    void aWrongPasswordFailsTheMigrationWithoutValidation(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = smallDatabase(source, "clipw");
        List<String> before = targetState(target);
        Path properties = propertiesWithSourcePassword(source, target, db, "not-the-password");

        Result r = pgmigrate("migration", "create", "--name", "cli-password", "--properties", properties.toString(),
                "--migration-option", "Migrate", "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(r.out()).contains("Migration cli-password: Failed").contains("password authentication failed")
                .doesNotContain("not-the-password");
        assertThat(targetState(target)).isEqualTo(before);
    }

    @Test
    void aWrongPasswordFailsValidation(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        assumeValidatorsPresent();
        String db = smallDatabase(source, "clipwv");
        List<String> before = targetState(target);
        Path properties = propertiesWithSourcePassword(source, target, db, "not-the-password");

        Result r = pgmigrate("migration", "create", "--name", "cli-password-v", "--properties", properties.toString(),
                "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.out()).contains("Migration cli-password-v: ValidationFailed").contains("source-connectivity")
                .contains("Fix:").doesNotContain("not-the-password");
        assertThat(targetState(target)).isEqualTo(before);
    }

    @Test
    void aMissingDatabaseFailsValidation(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        assumeValidatorsPresent();
        List<String> before = targetState(target);
        Path properties = properties(source, target, "no_such_db_here", "");

        Result r = pgmigrate("migration", "create", "--name", "cli-missing-db", "--properties", properties.toString(),
                "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.out()).contains("ValidationFailed").contains("source-database").contains("no_such_db_here");
        assertThat(targetState(target)).isEqualTo(before);
    }

    @Test
    void aDatabaseThatExistsOnTheTargetFailsValidationWithoutOverwrite(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        assumeValidatorsPresent();
        String db = smallDatabase(source, "cliexists");
        target.createDatabase(db);
        target.execute(db, "CREATE TABLE keep_me (id int)", "INSERT INTO keep_me VALUES (42)");
        Path properties = properties(source, target, db, "");

        Result r = pgmigrate("migration", "create", "--name", "cli-exists", "--properties", properties.toString(),
                "--migration-option", "Validate", "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.out()).contains("target-database").contains("overwriteDbsInTarget");
        assertThat(target.queryForLong(db, "SELECT id FROM keep_me")).isEqualTo(42);
        target.dropDatabase(db);
    }

    @Test
    void jsonOutputPrintsOneEventPerLineAndTheRecordLast(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = smallDatabase(source, "clijson");
        Path properties = properties(source, target, db, "");

        Result r = pgmigrate("migration", "create", "--name", "cli-json", "--properties", properties.toString(),
                "--wait", "--output", "json");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(0);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).extracting(l -> l.get("event").asText()).contains("PhaseChanged", "TableFinished",
                "MigrationFinished");
        assertThat(lines.get(lines.size() - 1).at("/record/status").asText()).isEqualTo("Succeeded");
    }

    // ---------------------------------------------------------------- helpers

    private static void assumeValidatorsPresent() {
        assumeTrue(ServiceLoader.load(Validator.class).findFirst().isPresent(),
                "the built-in validators are not on the class path yet");
    }

    /**
     * A database whose one table takes a millisecond a row to load on the target only (pgmigrate's sessions name
     * themselves), so its copy lasts about 30 s unless canceled, whatever the machine's speed.
     */
    private static String slowDatabase(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, "CREATE FUNCTION slow_on_target(v text) RETURNS boolean LANGUAGE sql AS $$ SELECT CASE "
                        + "WHEN pg_catalog.current_setting('application_name') = 'pgmigrate' "
                        + "THEN pg_catalog.pg_sleep(0.001) IS NOT NULL ELSE true END $$",
                "CREATE DOMAIN slow_text AS text CHECK (public.slow_on_target(VALUE))",
                "CREATE TABLE big (id bigint PRIMARY KEY, payload slow_text)",
                "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 30000) g");
        return db;
    }

    private static String smallDatabase(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db, "CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer, amount numeric(10,2))",
                "INSERT INTO customer SELECT g, 'c' || g FROM generate_series(1, 100) g",
                "INSERT INTO orders SELECT g, 1 + g % 100, g / 3.0 FROM generate_series(1, 5000) g");
        return db;
    }

    private Path properties(PostgresServer source, PostgresServer target, String db, String extra) throws IOException {
        Path sourcePassword = Files.writeString(dir.resolve("source.pw"), source.adminPassword().reveal());
        return writeProperties(source, target, db, "{\"file\": \"" + sourcePassword.getFileName() + "\"}", extra);
    }

    private Path propertiesWithSourcePassword(PostgresServer source, PostgresServer target, String db,
            String password) throws IOException {
        return writeProperties(source, target, db, "\"" + password + "\"", "");
    }

    private Path writeProperties(PostgresServer source, PostgresServer target, String db, String sourcePassword,
            String extra) throws IOException {
        Files.writeString(dir.resolve("target.pw"), target.adminPassword().reveal());
        return writeProperties(source, target, db, sourcePassword, "{\"file\": \"target.pw\"}", extra);
    }

    /** The properties file, each password given as its JSON value: a string, or an env or file reference. */
    private Path writeProperties(PostgresServer source, PostgresServer target, String db, String sourcePassword,
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
    private static List<String> targetState(PostgresServer target) {
        List<String> state = new ArrayList<>();
        target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").forEach(r -> state.add("db " + r.get(0)));
        target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1").forEach(r -> state.add("role " + r.get(0)));
        return state;
    }

    private static void assertNoSecrets(Result r, PostgresServer source, PostgresServer target) {
        assertThat(r.all()).doesNotContain(source.adminPassword().reveal()).doesNotContain(
                target.adminPassword().reveal());
    }

    private Result pgmigrate(String... args) throws IOException, InterruptedException {
        return finish(start(args));
    }

    private Process start(String... args) throws IOException {
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

    private Result finish(Process process) throws IOException, InterruptedException {
        if (!process.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("pgmigrate did not end within " + PROCESS_TIMEOUT);
        }
        String id = OUTPUTS.remove(process);
        return new Result(process.exitValue(), Files.readString(dir.resolve("out-" + id)),
                Files.readString(dir.resolve("err-" + id)));
    }

    private JsonNode awaitFinal(String name) throws Exception {
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
    private void awaitLoading(String name, Process running) throws Exception {
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
