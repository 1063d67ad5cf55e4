package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgmigrate.cli.CliRuns.Result;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fix of a refused login or an unknown host names what the user gave: {@code --source} rather than a properties
 * file that was never used, the environment variable a wrong password came from, and, with no password at all, the
 * ways the command line takes one rather than a "spec" that the user never wrote.
 */
@PostgresTest
class FixesNameWhatWasUsedTest {
    @TempDir
    Path dir;

    @Test
    void anUnknownHostGivenWithSourceIsToBeCorrectedThere(@Pg("17") PostgresServer target) throws Exception {
        CliRuns cli = new CliRuns(dir);

        Result r = cli.pgmigrate(Map.of(), "migration", "create", "--name", "unknown-host", "--source",
                "postgresql://postgres@no-such-host.invalid:5432/shop", "--target", "postgresql://"
                        + target.adminLogin() + "@" + target.host() + ":" + target.port(), "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(69);
        assertThat(r.err()).contains("the host name 'no-such-host.invalid' is unknown")
                .contains("host in --source").doesNotContain("properties file");
    }

    @Test
    void noPasswordForUrisNamesTheWaysTheCommandLineTakesOne(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        CliRuns.assumeValidatorsPresent();
        CliRuns cli = new CliRuns(dir);
        String db = CliRuns.smallDatabase(source, "fixnopw");
        List<String> before = CliRuns.targetState(target);

        // No PGPASSWORD, no password file, no terminal: nothing gives either server's password.
        Result r = cli.pgmigrate(Map.of(), "migration", "create", "--name", "no-password", "--source",
                "postgresql://" + source.adminLogin() + "@" + source.host() + ":" + source.port() + "/" + db,
                "--target", "postgresql://" + target.adminLogin() + "@" + target.host() + ":" + target.port(),
                "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.out()).contains("none was given").contains("PGPASSWORD").contains("~/.pgpass")
                .contains(source.host() + ":" + source.port() + ":*:" + source.adminLogin() + ":PASSWORD")
                .contains("--prompt-password").doesNotContain("in the server's spec");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
        source.dropDatabase(db);
    }

    @Test
    void aWrongPasswordsFixNamesTheVariableItCameFromInABackgroundRunToo(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        CliRuns.assumeValidatorsPresent();
        CliRuns cli = new CliRuns(dir);
        String db = CliRuns.smallDatabase(source, "fixwrongpw");
        Path properties = cli.properties("wrong-env", source, target, List.of(db),
                "{\"env\": \"SOURCE_PASSWORD\"}", "{\"env\": \"TARGET_PASSWORD\"}", "");

        // In the background: the password, and where it came from, reach the run on its standard input.
        Result started = cli.pgmigrate(Map.of("SOURCE_PASSWORD", "Not-the-Password-1", "TARGET_PASSWORD",
                target.adminPassword().reveal()), "migration", "create", "--name", "wrong-env", "--properties",
                properties.toString());
        assertThat(started.exitCode()).as(started.all()).isZero();
        JsonNode record = cli.awaitFinal("wrong-env");

        assertThat(record.at("/status").asText()).isEqualTo("ValidationFailed");
        Result shown = cli.pgmigrate("migration", "show", "--name", "wrong-env");
        // show wraps its lines: read them as one.
        assertThat(shown.out().replaceAll("\\s+", " ")).contains("Password authentication failed")
                .contains("The password came from the environment variable SOURCE_PASSWORD "
                        + "(properties.sourceServer.password): correct it there.")
                .contains("pgmigrate migration show --name wrong-env").doesNotContain("Not-the-Password-1");
        source.dropDatabase(db);
    }
}
