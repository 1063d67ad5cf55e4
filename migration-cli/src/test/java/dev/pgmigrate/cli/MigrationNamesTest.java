package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A name is unique per target server: reusing one is refused with its fix, {@code --replace} keeps the earlier
 * record where {@code list --all} and {@code show --attempt} read it, a name in use exits 64, and migrations of
 * one name on two targets are told apart with {@code --target-server}.
 */
@PostgresTest
class MigrationNamesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void reusingAnEndedNameIsRefusedAndReplaceKeepsTheEarlierRecordInTheHistory(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        CliRuns runs = new CliRuns(dir);
        String db = CliRuns.smallDatabase(source, "clinames");
        Path properties = runs.properties("again", source, target, List.of(db), ", \"overwriteDbsInTarget\": true");
        String[] create = {"migration", "create", "--name", "cli-again", "--properties", properties.toString(),
            "--migration-option", "Migrate", "--wait"};
        CliRuns.Result first = runs.pgmigrate(create);
        assertThat(first.exitCode()).as(first.all()).isZero();

        CliRuns.Result refused = runs.pgmigrate(create);
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(64);
        assertThat(refused.err()).contains("A migration named 'cli-again' on target " + target.host() + ":"
                + target.port() + " already ended (Succeeded").contains("add --replace")
                .contains("pgmigrate migration list --all");
        assertThat(Files.exists(runs.stateDir())).isTrue();

        CliRuns.Result replaced = runs.pgmigrate(plus(create, "--replace"));
        assertThat(replaced.exitCode()).as(replaced.all()).isZero();

        CliRuns.Result list = runs.pgmigrate("migration", "list");
        assertThat(list.out()).contains("Target server").containsOnlyOnce("cli-again")
                .containsPattern("cli-again +Succeeded .*" + target.host() + ":" + target.port());
        CliRuns.Result all = runs.pgmigrate("migration", "list", "--all");
        assertThat(all.out().lines().toList()).as(all.out()).hasSize(3)
                .anyMatch(l -> l.matches("cli-again +2 +Succeeded .*"))
                .anyMatch(l -> l.matches("cli-again +1 +Succeeded .*"));
        assertThat(all.out().lines().skip(1).findFirst().orElseThrow()).as("newest first").contains(" 2 ");

        JsonNode earlier = JSON.readTree(runs.pgmigrate("migration", "show", "--name", "cli-again", "--attempt", "1",
                "--output", "json").out());
        JsonNode current = JSON.readTree(runs.pgmigrate("migration", "show", "--name", "cli-again", "--output",
                "json").out());
        assertThat(Instant.parse(earlier.at("/createdAt").asText()))
                .isBefore(Instant.parse(current.at("/createdAt").asText()));
        assertThat(runs.pgmigrate("migration", "show", "--name", "cli-again", "--attempt", "1").out())
                .contains("Migration cli-again: Succeeded").contains("Attempt 1 of 2");
        CliRuns.Result noSuchAttempt = runs.pgmigrate("migration", "show", "--name", "cli-again", "--attempt", "3");
        assertThat(noSuchAttempt.exitCode()).isEqualTo(64);
        assertThat(noSuchAttempt.err()).contains("has attempts 1 to 2");
        target.dropDatabase(db);
    }

    @Test
    void aNameInUseExits64AndOneNameOnTwoTargetsIsToldApartWithTargetServer(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target, @Pg("16") PostgresServer other) throws Exception {
        CliRuns runs = new CliRuns(dir);
        String slow = CliRuns.slowDatabase(source, "clitwins", 30_000);
        List<String> before = CliRuns.targetState(target);
        Path onTarget = runs.properties("twin17", source, target, List.of(slow), ", \"settings\": {\"parallelism\": 1}");
        Path onOther = runs.properties("twin16", source, other, List.of(slow), "");
        Process running = runs.start("migration", "create", "--name", "cli-twin", "--properties", onTarget.toString(),
                "--migration-option", "Migrate", "--wait");
        runs.awaitLoading("cli-twin", running.toHandle());

        CliRuns.Result taken = runs.pgmigrate("migration", "create", "--name", "cli-twin", "--properties",
                onTarget.toString(), "--migration-option", "Validate", "--wait");
        assertThat(taken.exitCode()).as(taken.all()).isEqualTo(64);
        assertThat(taken.err()).contains("A migration named 'cli-twin' is already in progress on target "
                + target.host() + ":" + target.port());

        CliRuns.Result elsewhere = runs.pgmigrate("migration", "create", "--name", "cli-twin", "--properties",
                onOther.toString(), "--migration-option", "Validate", "--wait");
        assertThat(elsewhere.exitCode()).as(elsewhere.all()).isIn(0, 2);
        String otherAddress = other.host() + ":" + other.port();
        String targetAddress = target.host() + ":" + target.port();
        assertThat(runs.pgmigrate("migration", "list").out()).containsPattern("cli-twin .*" + otherAddress)
                .containsPattern("cli-twin +InProgress .*" + targetAddress);

        CliRuns.Result ambiguous = runs.pgmigrate("migration", "show", "--name", "cli-twin");
        assertThat(ambiguous.exitCode()).isEqualTo(64);
        assertThat(ambiguous.err()).contains("Migrations named 'cli-twin' exist on 2 targets").contains(otherAddress)
                .contains(targetAddress).contains("--target-server HOST:PORT");
        CliRuns.Result shown = runs.pgmigrate("migration", "show", "--name", "cli-twin", "--target-server",
                otherAddress);
        assertThat(shown.exitCode()).as(shown.all()).isZero();
        assertThat(shown.out()).containsPattern("Target server +" + otherAddress).contains("Validate");
        CliRuns.Result nowhere = runs.pgmigrate("migration", "show", "--name", "cli-twin", "--target-server",
                "192.0.2.1");
        assertThat(nowhere.exitCode()).isEqualTo(64);
        assertThat(nowhere.err()).contains("No migration named 'cli-twin' on target 192.0.2.1");

        CliRuns.Result cancelAmbiguous = runs.pgmigrate("migration", "cancel", "--name", "cli-twin");
        assertThat(cancelAmbiguous.exitCode()).isEqualTo(64);
        CliRuns.Result canceled = runs.pgmigrate("migration", "cancel", "--name", "cli-twin", "--target-server",
                target.host() + ":" + target.port());
        assertThat(canceled.exitCode()).as(canceled.all()).isZero();
        assertThat(canceled.out()).contains("Migration cli-twin: Canceled");
        assertThat(runs.finish(running).exitCode()).isEqualTo(3);
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
        source.dropDatabase(slow);
    }

    private static String[] plus(String[] args, String more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = more;
        return all;
    }
}
