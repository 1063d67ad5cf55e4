package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.cli.CliRuns.Result;
import dev.pgmigrate.embedded.LocalPorts;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that cannot do what they are asked, run as separate processes against real servers: bad files, names,
 * usage, servers and passwords each end in their exit code and message, with nothing created on the target.
 */
@PostgresTest
class CliErrorsTest {
    @TempDir
    Path dir;
    private CliRuns cli;

    @BeforeEach
    void processesInTheTempDir() {
        cli = new CliRuns(dir);
    }

    @Test
    void anUnknownFieldIsABadPropertiesFile(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = CliRuns.smallDatabase(source, "cliunknown");
        List<String> before = CliRuns.targetState(target);
        Path properties = cli.properties("migration", source, target, List.of(db), ", \"overwriteDbInTarget\": true");

        Result r = cli.pgmigrate("migration", "create", "--name", "cli-unknown", "--properties", properties.toString(),
                "--wait");

        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.err()).contains(properties.toString()).contains("properties.overwriteDbInTarget")
                .contains("did you mean \"overwriteDbsInTarget\"").doesNotContain("\tat ");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
        assertThat(cli.pgmigrate("migration", "list").out()).contains("No migrations yet");
    }

    @Test
    void anInvalidNameIsBadUsage(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "cliname");
        List<String> before = CliRuns.targetState(target);
        Path properties = cli.properties("migration", source, target, List.of(db), "");

        Result r = cli.pgmigrate("migration", "create", "--name", "shop_move!", "--properties", properties.toString(),
                "--wait");

        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.err()).contains("--name = shop_move!").contains("only letters, digits and '-'");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
    }

    @Test
    void badUsageAndBadValuesOnTheCommandLineExitWith64() throws Exception {
        Result unknownOption = cli.pgmigrate("migration", "create", "--name", "x", "--properties", "m.json", "--colour",
                "red");
        assertThat(unknownOption.exitCode()).isEqualTo(64);
        assertThat(unknownOption.err()).contains("Unknown options: '--colour'")
                .contains("pgmigrate migration create --help");

        Result missingOption = cli.pgmigrate("migration", "create", "--name", "x");
        assertThat(missingOption.exitCode()).isEqualTo(64);
        assertThat(missingOption.err()).contains("--properties = (missing)", "or the servers: --source");

        Result badMode = cli.pgmigrate("migration", "create", "--name", "x", "--properties", "m.json",
                "--migration-mode", "Sideways");
        assertThat(badMode.exitCode()).isEqualTo(64);
        assertThat(badMode.err()).contains("--migration-mode = Sideways").contains("use Offline or Online");

        Result noFile = cli.pgmigrate("migration", "create", "--name", "x", "--properties", dir.resolve("nope.json")
                .toString());
        assertThat(noFile.exitCode()).isEqualTo(64);
        assertThat(noFile.err()).contains("nope.json").contains("does not exist");

        Result unknownMigration = cli.pgmigrate("migration", "show", "--name", "never-created");
        assertThat(unknownMigration.exitCode()).isEqualTo(64);
        assertThat(unknownMigration.err()).contains("No migration named 'never-created'");

        Result help = cli.pgmigrate("migration", "show", "--help");
        assertThat(help.exitCode()).isEqualTo(0);
        assertThat(help.out()).contains("Example:").contains("pgmigrate migration show --name");
    }

    /**
     * A state directory of another user's is refused before anything is written into it: no log directory, no log
     * file, whichever command (one that only reads the store, one that would start a migration in the background).
     */
    @Test
    void aStateDirectoryOfAnotherUserIsRefusedBeforeAnythingIsWrittenThere() throws Exception {
        Path state = cli.stateDir();
        Files.createDirectory(state);
        Files.setOwner(state, state.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        Result list = cli.pgmigrate("migration", "list");
        assertThat(list.exitCode()).as(list.all()).isEqualTo(1);
        assertThat(list.err()).contains("belongs to user nobody", "--state-dir");
        Result create = cli.pgmigrate("migration", "create", "--name", "refused", "--source", "host=127.0.0.1",
                "--target", "host=127.0.0.1", "--databases", "shop");
        assertThat(create.exitCode()).as(create.all()).isNotZero();
        try (var written = Files.list(state)) {
            assertThat(written).as("written into the refused directory").isEmpty();
        }
    }

    @Test
    void optionTyposAndBadOptionValuesNameTheFileAndTheFieldAsOtherErrorsDo() throws Exception {
        // Checked before any server is asked: none listens on these ports.
        Path properties = Files.writeString(dir.resolve("typos.json"), """
                {"properties": {
                  "sourceServer": {"host": "127.0.0.1", "port": 1, "adminLogin": "postgres"},
                  "targetServer": {"host": "127.0.0.1", "port": 2, "adminLogin": "postgres"},
                  "dbsToMigrate": ["shop"],
                  "settings": {"options": {"source.lockTimeoutSecs": 5, "rollback.waitSecs": 5,
                                           "verify.duringCopy": "sometimes", "copy.bufferByte": 1,
                                           "acme.anything": "left to its plugin"}}}}
                """);

        for (String command : List.of("create", "verify")) {
            Result r = command.equals("create") ? cli.pgmigrate("migration", "create", "--name", "typos",
                    "--properties", properties.toString(), "--wait")
                    : cli.pgmigrate("verify", "--properties", properties.toString());

            assertThat(r.exitCode()).as(r.all()).isEqualTo(64);
            assertThat(r.err()).as(command).contains("Invalid migration spec in " + properties + " (4 problems)")
                    .contains("properties.settings.options.source.lockTimeoutSecs = (unknown option)")
                    .contains("did you mean \"source.lockTimeoutSeconds\"?")
                    .contains("properties.settings.options.rollback.waitSecs = (unknown option)")
                    .contains("did you mean \"rollback.waitSeconds\"?")
                    .contains("properties.settings.options.copy.bufferByte = (unknown option)")
                    .contains("did you mean \"copy.bufferBytes\"?")
                    .contains("properties.settings.options.verify.duringCopy = sometimes")
                    .doesNotContain("acme.anything").doesNotContain("Cannot reach");
        }
        assertThat(cli.pgmigrate("migration", "list").out()).contains("No migrations yet");
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

        Result r = cli.pgmigrate("migration", "create", "--name", "cli-unreachable", "--properties",
                properties.toString(), "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(69);
        assertThat(r.err()).contains("Cannot reach the source server at 127.0.0.1:" + closedPort)
                .contains("connection was refused").contains("No migration was created");
        assertThat(cli.pgmigrate("migration", "list").out()).contains("No migrations yet");

        // The target is asked at the same time as the source, and its failure is reported the same way.
        Path targetDown = Files.writeString(dir.resolve("unreachable-target.json"), """
                {"properties": {
                  "sourceServer": {"host": "127.0.0.1", "port": %d, "adminLogin": "%s",
                                   "password": {"file": "%s"}, "sslMode": "disable"},
                  "targetServer": {"host": "127.0.0.1", "port": %d, "adminLogin": "postgres", "password": "x",
                                   "sslMode": "disable"},
                  "dbsToMigrate": ["shop"]}}
                """.formatted(target.port(), target.adminLogin(), password, closedPort));
        Result t = cli.pgmigrate("migration", "create", "--name", "cli-unreachable", "--properties",
                targetDown.toString(), "--wait");
        assertThat(t.exitCode()).as(t.all()).isEqualTo(69);
        assertThat(t.err()).contains("Cannot reach the target server at 127.0.0.1:" + closedPort)
                .contains("No migration was created");
        assertThat(cli.pgmigrate("migration", "list").out()).contains("No migrations yet");
    }

    @Test
    void aWrongPasswordFailsTheMigrationWithoutValidation(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "clipw");
        List<String> before = CliRuns.targetState(target);
        Path properties = cli.propertiesWithSourcePassword("migration", source, target, db, "not-the-password");

        Result r = cli.pgmigrate("migration", "create", "--name", "cli-password", "--properties", properties.toString(),
                "--migration-option", "Migrate", "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(r.out()).contains("Migration cli-password: Failed").contains("password authentication failed")
                .doesNotContain("not-the-password");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
    }

    @Test
    void aWrongPasswordFailsValidation(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        CliRuns.assumeValidatorsPresent();
        String db = CliRuns.smallDatabase(source, "clipwv");
        List<String> before = CliRuns.targetState(target);
        Path properties = cli.propertiesWithSourcePassword("migration", source, target, db, "not-the-password");

        Result r = cli.pgmigrate("migration", "create", "--name", "cli-password-v", "--properties",
                properties.toString(), "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.out()).contains("Migration cli-password-v: ValidationFailed").contains("source-connectivity")
                .contains("Fix:").doesNotContain("not-the-password");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
    }

    @Test
    void aMissingDatabaseFailsValidation(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        CliRuns.assumeValidatorsPresent();
        List<String> before = CliRuns.targetState(target);
        Path properties = cli.properties("migration", source, target, List.of("no_such_db_here"), "");

        Result r = cli.pgmigrate("migration", "create", "--name", "cli-missing-db", "--properties",
                properties.toString(), "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.out()).contains("ValidationFailed").contains("source-database").contains("no_such_db_here");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
    }

    @Test
    void aDatabaseThatExistsOnTheTargetFailsValidationWithoutOverwrite(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        CliRuns.assumeValidatorsPresent();
        String db = CliRuns.smallDatabase(source, "cliexists");
        target.createDatabase(db);
        target.execute(db, "CREATE TABLE keep_me (id int)", "INSERT INTO keep_me VALUES (42)");
        Path properties = cli.properties("migration", source, target, List.of(db), "");

        Result r = cli.pgmigrate("migration", "create", "--name", "cli-exists", "--properties", properties.toString(),
                "--migration-option", "Validate", "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.out()).contains("target-database").contains("overwriteDbsInTarget");
        assertThat(target.queryForLong(db, "SELECT id FROM keep_me")).isEqualTo(42);
        target.dropDatabase(db);
    }
}
