package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wrong password with validation skipped ({@code --migration-option Migrate}), on either server: the migration
 * ends Failed with PGM-LOGIN-FAILED and a reason naming the server and login, nothing is left on the target or
 * said to be, and a cancel afterwards says the migration already ended.
 */
@PostgresTest
class WrongPasswordTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WRONG = "Wr0ng-pa55word";

    @TempDir
    Path dir;

    @Test
    void aWrongPasswordWithoutValidationFailsWithLoginFailedAndLeavesNothingToCancel(
            @Pg("15") PostgresServer source, @Pg("17") PostgresServer target) throws Exception {
        CliRuns runs = new CliRuns(dir);
        String db = CliRuns.smallDatabase(source, "cliwrongpw");
        List<String> before = CliRuns.targetState(target);
        Files.writeString(dir.resolve("right-source.pw"), source.adminPassword().reveal());
        Files.writeString(dir.resolve("right-target.pw"), target.adminPassword().reveal());
        String right = "{\"file\": \"right-%s.pw\"}";
        record Case(String name, String server, PostgresServer wrongOne, String sourcePassword,
                String targetPassword) {
        }
        for (Case c : List.of(
                new Case("cli-wrong-target", "target", target, right.formatted("source"), "\"" + WRONG + "\""),
                new Case("cli-wrong-source", "source", source, "\"" + WRONG + "\"", right.formatted("target")))) {
            Path properties = runs.properties(c.name(), source, target, List.of(db), c.sourcePassword(),
                    c.targetPassword(), "");

            CliRuns.Result r = runs.pgmigrate("migration", "create", "--name", c.name(), "--properties",
                    properties.toString(), "--migration-option", "Migrate", "--wait");

            assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
            assertThat(r.out()).contains("Migration " + c.name() + ": Failed after ")
                    .contains("; the target is as it was (every change rolled back)")
                    .contains("PGM-LOGIN-FAILED: Cannot connect to the " + c.server() + " server "
                            + c.wrongOne().host() + ":" + c.wrongOne().port() + " as " + c.wrongOne().adminLogin())
                    .contains("password authentication failed")
                    .doesNotContain("Rollback incomplete").doesNotContain("cancel again").doesNotContain(WRONG);

            JsonNode shown = JSON.readTree(runs.pgmigrate("migration", "show", "--name", c.name(), "--output",
                    "json").out());
            assertThat(shown.at("/status").asText()).isEqualTo("Failed");
            assertThat(shown.at("/errors").findValuesAsText("code")).containsExactly("PGM-LOGIN-FAILED");
            assertThat(runs.pgmigrate("migration", "show", "--name", c.name()).out())
                    .doesNotContain("Left on the target");

            CliRuns.Result cancel = runs.pgmigrate("migration", "cancel", "--name", c.name());
            assertThat(cancel.exitCode()).as(cancel.all()).isEqualTo(64);
            assertThat(cancel.err()).contains("already ended (Failed)");
            assertThat(CliRuns.targetState(target)).isEqualTo(before);
        }
        source.dropDatabase(db);
    }

    @Test
    void noPasswordForALoginWithoutValidationFailsWithLoginFailedNotAsUnreachable(
            @Pg("15") PostgresServer source, @Pg("17") PostgresServer target) throws Exception {
        CliRuns runs = new CliRuns(dir);
        String db = CliRuns.smallDatabase(source, "clinopw");
        List<String> before = CliRuns.targetState(target);
        // The password file has the target's entry only: the source is asked for a password nothing gives.
        Path passFile = dir.resolve("pgpass");
        Files.writeString(passFile, target.host() + ":" + target.port() + ":*:" + target.adminLogin() + ":"
                + target.adminPassword().reveal().replace("\\", "\\\\").replace(":", "\\:") + "\n");
        Files.setPosixFilePermissions(passFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        CliRuns.Result r = runs.pgmigrate(Map.of("PGPASSFILE", passFile.toString()), "migration", "create", "--name",
                "cli-no-password", "--source", "postgresql://" + source.adminLogin() + "@" + source.host() + ":"
                        + source.port() + "/" + db, "--target", "postgresql://" + target.adminLogin() + "@"
                        + target.host() + ":" + target.port() + "/postgres", "--migration-option", "Migrate", "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(r.out()).contains("PGM-LOGIN-FAILED: Cannot connect to the source server " + source.host() + ":"
                + source.port() + " as " + source.adminLogin()).contains("no password was provided")
                .doesNotContain("PGM-SERVER-UNREACHABLE");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
        source.dropDatabase(db);
    }
}
