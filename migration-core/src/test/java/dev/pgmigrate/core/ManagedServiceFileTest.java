package dev.pgmigrate.core;

import static dev.pgmigrate.core.MigrationPropertiesTest.DBS;
import static dev.pgmigrate.core.MigrationPropertiesTest.SECRET;
import static dev.pgmigrate.core.MigrationPropertiesTest.TARGET;
import static dev.pgmigrate.core.MigrationPropertiesTest.file;
import static dev.pgmigrate.core.MigrationPropertiesTest.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.SslMode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the managed service's own properties files without any server: its CLI's body with keys in any case, its
 * resource ids and user names, the target named on the command line, the fields that change nothing, an online file.
 */
class ManagedServiceFileTest {
    @TempDir
    Path dir;

    @Test
    void readsTheManagedServicesCliBodyWithKeysInAnyCase() {
        String json = "{\"Properties\": {"
                + "\"SourceDBServerResourceId\": \"10.0.0.4:5433@migrator\","
                + "\"SecretParameters\": {\"AdminCredentials\": {\"SourceServerPassword\": \"" + SECRET + "\", "
                + "\"TargetServerPassword\": \"" + SECRET + "-t\"}, \"TargetServerUserName\": \"azadmin\"},"
                + "\"targetServer\": {\"host\": \"flex.postgres.database.azure.com\", \"port\": 5432},"
                + "\"DBsToMigrate\": [\"ticketdb\"], \"OverwriteDBsInTarget\": \"true\","
                + "\"SourceType\": \"OnPremises\", \"SslMode\": \"Require\"}}";

        MigrationProperties p = MigrationProperties.parse(json, "azure.json", dir);

        assertThat(p.source().host()).isEqualTo("10.0.0.4");
        assertThat(p.source().port()).isEqualTo(5433);
        assertThat(p.source().adminLogin()).isEqualTo("migrator");
        assertThat(p.source().sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(p.source().password()).contains(Secret.of(SECRET));
        assertThat(p.target().adminLogin()).isEqualTo("azadmin");
        assertThat(p.target().password()).contains(Secret.of(SECRET + "-t"));
        assertThat(p.databases()).containsExactly("ticketdb");
        assertThat(p.settings().overwriteDbsInTarget()).isTrue();
        assertThat(p.option()).isEmpty();
        assertThat(p.secretReferences()).isEmpty();
    }

    @Test
    void takesTheTargetFromTheCommandLineWhenTheFileNamesNone() {
        String json = file("\"sourceDbServerResourceId\": \"10.0.0.4:5432@postgres\"", "", DBS,
                "\"targetServerUserName\": \"azadmin\"");

        MigrationProperties p = MigrationProperties.parse(json, "az.json", dir, "[::1]:6432");

        assertThat(p.target().host()).isEqualTo("::1");
        assertThat(p.target().port()).isEqualTo(6432);
        assertThat(p.target().adminLogin()).isEqualTo("azadmin");
        assertThat(p.notes()).containsExactly("Target server [::1]:6432, from --target-server.");
    }

    @Test
    void reportsAMalformedCommandLineTargetByItsOption() {
        String json = file("\"sourceDbServerResourceId\": \"10.0.0.4:5432@postgres\"", "", DBS,
                "\"targetServerUserName\": \"azadmin\"");
        for (String[] bad : new String[][] {{"pg.example.com:port", "not a number"}, {"[::1", "not closed"},
                {":5432", "names no host"}, {"pg.example.com:70000", "between 1 and 65535"},
                {"pg example.com", "bare host name"}}) {
            InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                    () -> MigrationProperties.parse(json, "az.json", dir, bad[0]));
            assertThat(e.problems()).as(bad[0]).singleElement().satisfies(problem -> {
                assertThat(problem.field()).isEqualTo("--target-server");
                assertThat(problem.rule()).contains(bad[1]);
            });
        }
    }

    @Test
    void aCommandLineTargetThatDiffersFromTheTargetServerObjectIsAnErrorNamingBoth() {
        MigrationProperties same = MigrationProperties.parse(with(""), "m.json", dir, "pg.example.com");
        assertThat(same.target().address()).isEqualTo("pg.example.com:5433");
        assertThat(same.notes()).containsExactly("Target server pg.example.com:5433, named by "
                + "properties.targetServer.host and --target-server alike.");

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> MigrationProperties.parse(with(""), "m.json", dir, "pg.example.com:5432"));
        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("--target-server");
            assertThat(problem.rule()).contains("properties.targetServer.host (pg.example.com:5433)");
        });
    }

    @Test
    void theServicesSourceUserNameIsTheLoginWhereItDiffersFromTheResourceIds() {
        String json = file("\"sourceDbServerResourceId\": \"10.0.0.4:5432@admin\", \"secretParameters\": "
                + "{\"sourceServerUsername\": \"migrator\"}, \"sourceDbServerFullyQualifiedDomainName\": \"10.9.9.9\"",
                TARGET, DBS, "");

        MigrationProperties p = MigrationProperties.parse(json, "az.json", dir);

        assertThat(p.source().adminLogin()).isEqualTo("migrator");
        assertThat(p.source().connectHost()).isEqualTo("10.9.9.9");
        assertThat(p.notes()).containsExactly("The source login is migrator (properties.secretParameters."
                + "sourceServerUserName), not admin of properties.sourceDbServerResourceId, as the managed service "
                + "does.");
        // The same user in both places, or in secretParameters and at the top, is no conflict.
        MigrationProperties twice = MigrationProperties.parse(file("\"sourceDbServerResourceId\": "
                + "\"10.0.0.4:5432@admin\", \"secretParameters\": {\"sourceServerUsername\": \"admin\"}, "
                + "\"sourceServerUserName\": \"admin\"", TARGET, DBS, ""), "az.json", dir);
        assertThat(twice.source().adminLogin()).isEqualTo("admin");
        assertThat(twice.notes()).isEmpty();
    }

    @Test
    void notesTheServicesFieldsThatChangeNothing() {
        MigrationProperties p = MigrationProperties.parse(with("\"SetupLogicalReplicationOnSourceDBIfNeeded\": "
                + "\"False\", \"triggerCutover\": false, \"startDataMigration\": \"True\", "
                + "\"migrationInstanceResourceId\": \"/subscriptions/1/x\", \"migrateRoles\": \"True\""),
                "az.json", dir);

        assertThat(p.notes()).containsExactly(
                "properties.migrationInstanceResourceId is ignored: pgmigrate runs the migration from this machine, "
                        + "so no runtime server takes part (this machine must reach both servers).",
                "properties.setupLogicalReplicationOnSourceDbIfNeeded = false is ignored: pgmigrate never changes or "
                        + "restarts the source. An Online migration needs wal_level = logical there, set by you; its "
                        + "validation checks wal_level and the replication settings, and says what to change.",
                "properties.triggerCutover = false is ignored: an Online migration waits for its cutover, which "
                        + "'pgmigrate migration update --cutover --name NAME' triggers.",
                "properties.startDataMigration = true is ignored: pgmigrate always starts the data migration at once.");
        assertThat(p.settings().migrateRoles()).isTrue();
    }

    @Test
    void readsTheServicesOnlineFileWithItsLogicalReplicationRequestNoted() {
        MigrationProperties p = MigrationProperties.parse(with("\"migrationMode\": \"Online\", "
                + "\"setupLogicalReplicationOnSourceDbIfNeeded\": \"True\", \"triggerCutover\": \"False\""),
                "az.json", dir);

        MigrationSpec spec = p.toSpec("shop-move");

        assertThat(spec.mode()).isEqualTo(MigrationMode.ONLINE);
        assertThat(p.notes()).anySatisfy(n -> assertThat(n).startsWith("properties."
                + "setupLogicalReplicationOnSourceDbIfNeeded = true is ignored: pgmigrate never changes or restarts "
                + "the source.").contains("wal_level"));
    }

    @Test
    void refusesAnOnlineMigrationOfTheDataAloneNamingTheModeAndTheSelection() {
        MigrationProperties p = MigrationProperties.parse(with("\"migrationMode\": \"Online\", "
                + "\"settings\": {\"selection\": {\"dataOnly\": true}}"), "m.json", dir);

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> p.toSpec("shop-move"));

        assertThat(e).isNotNull();
        assertThat(e.problems()).extracting(SpecProblem::field).containsExactly("migrationMode");
        assertThat(e.getMessage()).contains("settings.selection.dataOnly", "remove dataOnly, or migrate Offline");
        assertThat(p.toSpec("shop-move", MigrationOption.VALIDATE_AND_MIGRATE, MigrationMode.OFFLINE).mode())
                .as("the command line's Offline wins").isEqualTo(MigrationMode.OFFLINE);
    }

    @Test
    void readsAnIpv6ResourceId() {
        String json = file("\"sourceDbServerResourceId\": \"[::1]:6000@postgres\"", TARGET, DBS, "");

        MigrationProperties p = MigrationProperties.parse(json, "v6.json", dir);

        assertThat(p.source().host()).isEqualTo("::1");
        assertThat(p.source().port()).isEqualTo(6000);
    }
}
