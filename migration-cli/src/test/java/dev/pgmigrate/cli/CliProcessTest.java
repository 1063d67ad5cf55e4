package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.cli.CliRuns.Result;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code pgmigrate} as a separate process, as an operator does, against real servers: a PostgreSQL 15 source
 * and a 17 target shared by the tests; each test works in databases of its own and a state directory of its own.
 */
@PostgresTest
class CliProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private CliRuns cli;

    @BeforeEach
    void processesInTheTempDir() {
        cli = new CliRuns(dir);
    }

    @Test
    void verifyComparesTheDatabasesAndNamesATableThatDiffers(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "cliverify");
        Path properties = cli.properties("migration", source, target, List.of(db),
                ", \"settings\": {\"verify\": false}");
        Result created = cli.pgmigrate("migration", "create", "--name", "cli-verify", "--properties",
                properties.toString(), "--migration-option", "Migrate", "--wait");
        assertThat(created.exitCode()).as(created.all()).isZero();

        Result same = cli.pgmigrate("verify", "--properties", properties.toString());
        assertThat(same.exitCode()).as(same.all()).isZero();
        assertThat(same.out()).contains(db).contains("match");

        // A database missing on a side is named beside the others' results, not the end of the command.
        Path withMissing = cli.properties("missing", source, target, List.of("nowhere_db", db),
                ", \"settings\": {\"verify\": false}");
        Result missing = cli.pgmigrate("verify", "--properties", withMissing.toString());
        assertThat(missing.exitCode()).as(missing.all()).isEqualTo(1);
        assertThat(missing.out()).contains("nowhere_db: not compared: Cannot verify nowhere_db against nowhere_db")
                .contains("database \"nowhere_db\" does not exist")
                .contains(db + ": Verification: the target matches the source");

        target.execute(db, "UPDATE orders SET amount = amount + 1 WHERE id = 7");
        Result differs = cli.pgmigrate("verify", "--properties", properties.toString(), "--output", "json");
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
        CliRuns.assertNoSecrets(differs, source, target);
    }

    // ---------------------------------------------------------------- demo

    @Test
    void theDemoSaysWhatToInstallBeforeItStartsAnyServerWhenPgDumpIsTooOld() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/usr/lib/postgresql/18/bin/pg_dump")),
                "this machine has pg_dump 18");
        Result demo = cli.pgmigrate("demo", "--source-version", "18");
        assertThat(demo.exitCode()).as(demo.all()).isEqualTo(69);
        assertThat(demo.err()).contains("needs pg_dump 18 or newer", "postgresql-client-18", "apt.postgresql.org");
        assertThat(demo.out()).doesNotContain("Starting PostgreSQL");
    }

    // ---------------------------------------------------------------- success, list and show

    @Test
    void createWithWaitSucceedsAndListAndShowDescribeItInTextAndJson(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "cliok");
        Path properties = cli.properties("migration", source, target, List.of(db), "");

        Result created = cli.pgmigrate("migration", "create", "--name", "cli-ok", "--properties", properties.toString(),
                "--wait");

        assertThat(created.exitCode()).as(created.all()).isEqualTo(0);
        assertThat(created.out()).contains("Migration cli-ok: Succeeded").contains("the target matches the source")
                .doesNotContain("\u001b");
        CliRuns.assertNoSecrets(created, source, target);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).isEqualTo(5000);

        Result list = cli.pgmigrate("migration", "list");
        assertThat(list.exitCode()).isEqualTo(0);
        assertThat(list.out()).contains("Name", "Status", "Migration mode", "Migration type", "Source server",
                "Source server type", "Databases", "Duration", "Start time")
                .containsPattern("cli-ok +Succeeded +Offline +Validate and migrate +127\\.0\\.0\\.1:" + source.port()
                        + " +OnPremises +127\\.0\\.0\\.1:" + target.port() + " +" + db);

        JsonNode listed = JSON.readTree(cli.pgmigrate("migration", "list", "--output", "json").out());
        assertThat(listed.isArray()).isTrue();
        assertThat(listed.get(0).at("/spec/name").asText()).isEqualTo("cli-ok");
        assertThat(listed.get(0).at("/status").asText()).isEqualTo("Succeeded");

        Result show = cli.pgmigrate("migration", "show", "--name", "cli-ok");
        assertThat(show.exitCode()).isEqualTo(0);
        assertThat(show.out()).contains("Migration cli-ok: Succeeded (Completed)", "Databases",
                "public.orders", "Completed", "5,000", "Verification: the target matches the source");

        JsonNode shown = JSON.readTree(cli.pgmigrate("migration", "show", "--name", "cli-ok", "--output", "json")
                .out());
        assertThat(shown.at("/substatus").asText()).isEqualTo("Completed");
        assertThat(shown.at("/databases/0/tables").size()).isEqualTo(2);
        assertThat(shown.toString()).doesNotContain(source.adminPassword().reveal());

        Result activeOnly = cli.pgmigrate("migration", "list", "--filter", "active");
        assertThat(activeOnly.out()).contains("No migration is in progress");
    }

    @Test
    void reportWritesTheHtmlPageAndTheJsonOfAMigration(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "clireport");
        Path properties = cli.properties("migration", source, target, List.of(db), "");
        assertThat(cli.pgmigrate("migration", "create", "--name", "cli-report", "--properties", properties.toString(),
                "--wait").exitCode()).isEqualTo(0);

        Path htmlFile = dir.resolve("out/report.html");
        Files.createDirectories(htmlFile.getParent());
        Result written = cli.pgmigrate("migration", "report", "--name", "cli-report", "--file", htmlFile.toString());
        assertThat(written.exitCode()).as(written.all()).isEqualTo(0);
        assertThat(written.out()).contains("Wrote the HTML report of migration cli-report to");
        String html = Files.readString(htmlFile);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("Migration <span class=\"name\">cli-report</span>",
                "Succeeded", "orders", "5,000", "Identical", "<svg class=\"timeline\"")
                .doesNotContain(source.adminPassword().reveal(), target.adminPassword().reveal());

        Result shown = cli.pgmigrate("migration", "show", "--name", "cli-report", "--output", "html");
        assertThat(shown.exitCode()).as(shown.all()).isEqualTo(0);
        assertThat(shown.out()).startsWith("<!DOCTYPE html>").contains("cli-report").endsWith("</html>\n");

        Path jsonFile = dir.resolve("out/report.json");
        assertThat(cli.pgmigrate("migration", "report", "--name", "cli-report", "--file", jsonFile.toString())
                .exitCode()).isEqualTo(0);
        JsonNode json = JSON.readTree(jsonFile.toFile());
        assertThat(json.at("/format").asText()).isEqualTo("pgmigrate-report");
        assertThat(json.at("/summary/rows").asLong()).isEqualTo(5100);
        assertThat(json.at("/record/spec/name").asText()).isEqualTo("cli-report");
        JsonNode printed = JSON.readTree(cli.pgmigrate("migration", "report", "--name", "cli-report", "--format",
                "json").out());
        assertThat(printed.at("/summary/tables").asInt()).isEqualTo(2);

        Result missing = cli.pgmigrate("migration", "report", "--name", "no-such-migration");
        assertThat(missing.exitCode()).isEqualTo(64);
        assertThat(missing.err()).contains("No migration named 'no-such-migration'");
    }

    @Test
    void createWithoutWaitReturnsAtOnceAndTheBackgroundProcessFinishesTheMigration(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "clibg");
        Path properties = cli.properties("migration", source, target, List.of(db), "");

        Result created = cli.pgmigrate("migration", "create", "--name", "cli-bg", "--properties",
                properties.toString());

        assertThat(created.exitCode()).as(created.all()).isEqualTo(0);
        assertThat(created.out()).contains("Migration cli-bg started in the background")
                .contains("pgmigrate migration show --name cli-bg");
        JsonNode done = cli.awaitFinal("cli-bg");
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
        String db = CliRuns.slowDatabase(source, "clicancel", 30_000);
        List<String> before = CliRuns.targetState(target);
        Path properties = cli.properties("migration", source, target, List.of(db),
                ", \"settings\": {\"parallelism\": 1, "
                + "\"splitTablesLargerThanBytes\": 1099511627776}");

        Process first = cli.start("migration", "create", "--name", "cli-cancel", "--properties", properties.toString(),
                "--wait");
        cli.awaitLoading("cli-cancel", first.toHandle());
        Result cancel = cli.pgmigrate("migration", "cancel", "--name", "cli-cancel");
        Result firstResult = cli.finish(first);

        assertThat(cancel.exitCode()).as(cancel.all()).isEqualTo(0);
        assertThat(cancel.out()).contains("Migration cli-cancel: Canceled; its changes on the target were rolled back");
        assertThat(firstResult.exitCode()).as(firstResult.all()).isEqualTo(3);
        assertThat(firstResult.out()).contains("Migration cli-cancel: Canceled");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
        JsonNode shown = JSON.readTree(cli.pgmigrate("migration", "show", "--name", "cli-cancel", "--output", "json")
                .out());
        assertThat(shown.at("/status").asText()).isEqualTo("Canceled");

        Result again = cli.pgmigrate("migration", "update", "--name", "cli-cancel", "--cancel");
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
        String db = CliRuns.slowDatabase(source, "cliplain", 30_000);
        List<String> before = CliRuns.targetState(target);
        Path properties = cli.properties("migration", source, target, List.of(db),
                "\"" + source.adminPassword().reveal() + "\"",
                "\"" + target.adminPassword().reveal() + "\"", ", \"settings\": {\"parallelism\": 1}");

        Process running = cli.start("migration", "create", "--name", "cli-plain", "--properties", properties.toString(),
                "--wait");
        cli.awaitLoading("cli-plain", running.toHandle());
        running.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no rollback runs
        cli.forget(running);

        Result refused = cli.pgmigrate("migration", "cancel", "--name", "cli-plain");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
        assertThat(refused.err()).contains("needs the password of " + target.adminLogin())
                .contains("--properties FILE").contains("Nothing was changed");
        Result shown = cli.pgmigrate("migration", "show", "--name", "cli-plain");
        assertThat(shown.out()).contains("InProgress").contains("Left on the target")
                .contains("(created under its working name)");

        Result canceled = cli.pgmigrate("migration", "cancel", "--name", "cli-plain", "--properties",
                properties.toString());
        assertThat(canceled.exitCode()).as(canceled.all()).isEqualTo(0);
        assertThat(canceled.out()).contains("Migration cli-plain: Canceled");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
        for (Result r : List.of(refused, shown, canceled)) {
            CliRuns.assertNoSecrets(r, source, target);
        }
        source.dropDatabase(db);
    }

    @Test
    void sigtermDuringAForegroundRunCancelsItAndExitsWith3(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.slowDatabase(source, "clisigterm", 30_000);
        List<String> before = CliRuns.targetState(target);
        Path properties = cli.properties("migration", source, target, List.of(db),
                ", \"settings\": {\"parallelism\": 1}");

        Process running = cli.start("migration", "create", "--name", "cli-sigterm", "--properties",
                properties.toString(), "--wait");
        cli.awaitLoading("cli-sigterm", running.toHandle());
        running.destroy(); // SIGTERM, as a service manager stops a process
        Result result = cli.finish(running);

        assertThat(result.exitCode()).as(result.all()).isEqualTo(3);
        assertThat(result.err()).contains("interrupted; canceling migration cli-sigterm");
        assertThat(result.out()).contains("Migration cli-sigterm: Canceled");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
        source.dropDatabase(db);
    }


    @Test
    void jsonOutputPrintsOneEventPerLineAndTheRecordLast(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "clijson");
        Path properties = cli.properties("migration", source, target, List.of(db), "");

        Result r = cli.pgmigrate("migration", "create", "--name", "cli-json", "--properties", properties.toString(),
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

}
