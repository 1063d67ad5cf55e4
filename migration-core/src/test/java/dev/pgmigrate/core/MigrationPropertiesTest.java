package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerParametersMode;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.SslMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reads properties files without any server: every malformed input gets its own field and rule. (Past 300 lines by
 * its table of malformed files, one row each.)
 */
class MigrationPropertiesTest {
    static final String SECRET = "s3cr3t-Pa55";
    static final String SOURCE = "\"sourceServer\": {\"host\": \"10.0.0.4\", \"port\": 5432, "
            + "\"adminLogin\": \"postgres\", \"password\": \"" + SECRET + "\"}";
    static final String TARGET = "\"targetServer\": {\"host\": \"pg.example.com\", \"port\": 5433, "
            + "\"adminLogin\": \"admin\", \"password\": \"" + SECRET + "\"}";
    static final String DBS = "\"dbsToMigrate\": [\"inventory\", \"orders\"]";

    @TempDir
    Path dir;

    /** {@code {"properties": {<source>, <target>, <dbs>, extra}}}; an empty part is left out. */
    static String file(String source, String target, String dbs, String extra) {
        StringBuilder b = new StringBuilder("{\"properties\": {");
        String sep = "";
        for (String part : new String[] {source, target, dbs, extra}) {
            if (!part.isEmpty()) {
                b.append(sep).append(part);
                sep = ", ";
            }
        }
        return b.append("}}").toString();
    }

    static String with(String extra) {
        return file(SOURCE, TARGET, DBS, extra);
    }

    private static Arguments bad(String description, String json, String field, String fragment) {
        return Arguments.of(description, json, field, fragment);
    }

    static Stream<Arguments> malformedFiles() {
        return Stream.of(
                bad("not JSON at all", "this is not json", "file", "line 1, column"),
                bad("trailing comma", "{\"properties\": {\"dbsToMigrate\": [\"a\",]}}", "file", "not valid JSON"),
                bad("unquoted password", "{\"properties\": {\"sourceServer\": {\"password\": hunter2}}}", "file",
                        "line 1"),
                bad("a field given twice", "{\"properties\": {" + DBS + ", " + DBS + "}}", "file", "Duplicate field"),
                bad("empty file", "   ", "file", "holds no JSON"),
                bad("top level is an array", "[1, 2]", "file", "{\"properties\": {...}}"),
                bad("no properties object", "{\"sourceServer\": {}}", "sourceServer", "does not know this field"),
                bad("properties is a string", "{\"properties\": \"x\"}", "properties", "must be an object"),
                bad("unknown field with a suggestion", with("\"overwriteDbInTarget\": true"),
                        "properties.overwriteDbInTarget", "did you mean \"overwriteDbsInTarget\""),
                bad("unknown server field", file(SOURCE.replace("\"port\"", "\"prot\""), TARGET, DBS, ""),
                        "properties.sourceServer.prot", "did you mean \"port\""),
                bad("a cutover asked for in a new migration", with("\"triggerCutover\": \"true\""),
                        "properties.triggerCutover", "pgmigrate migration update --cutover --name NAME"),
                bad("databases to cut over in a new migration", with("\"dbsToTriggerCutoverOn\": [\"inventory\"]"),
                        "properties.dbsToTriggerCutoverOn", "pgmigrate migration update --cutover --name NAME"),
                bad("missing source", file("", TARGET, DBS, ""), "properties.sourceServer", "say where the source"),
                bad("missing target", file(SOURCE, "", DBS, ""), "properties.targetServer", "say where the target"),
                bad("missing databases", file(SOURCE, TARGET, "", ""), "properties.dbsToMigrate",
                        "name the databases"),
                bad("empty database list", file(SOURCE, TARGET, "\"dbsToMigrate\": []", ""),
                        "properties.dbsToMigrate", "at least one database"),
                bad("databases as a string", file(SOURCE, TARGET, "\"dbsToMigrate\": \"inventory\"", ""),
                        "properties.dbsToMigrate", "must be an array"),
                bad("a database that is a number", file(SOURCE, TARGET, "\"dbsToMigrate\": [\"a\", 7]", ""),
                        "properties.dbsToMigrate[1]", "database name in quotes"),
                bad("template database", file(SOURCE, TARGET, "\"dbsToMigrate\": [\"template1\"]", ""),
                        "properties.dbsToMigrate[0]", "template0 and template1"),
                bad("database named twice", file(SOURCE, TARGET, "\"dbsToMigrate\": [\"a\", \"a\"]", ""),
                        "properties.dbsToMigrate[1]", "named once"),
                bad("port out of range", file(SOURCE.replace("5432", "70000"), TARGET, DBS, ""),
                        "properties.sourceServer.port", "between 1 and 65535"),
                bad("port not a number", file(SOURCE.replace("5432", "\"fifty\""), TARGET, DBS, ""),
                        "properties.sourceServer.port", "whole number"),
                bad("missing host", file(SOURCE.replace("\"host\": \"10.0.0.4\", ", ""), TARGET, DBS, ""),
                        "properties.sourceServer.host", "host name or IP"),
                bad("host with a path", file(SOURCE.replace("10.0.0.4", "db/x"), TARGET, DBS, ""),
                        "properties.sourceServer.host", "bare host name"),
                bad("missing admin login", file(SOURCE, TARGET.replace("\"adminLogin\": \"admin\", ", ""), DBS, ""),
                        "properties.targetServer.adminLogin", "the login pgmigrate connects as"),
                bad("unknown ssl mode", file(SOURCE.replace("}", ", \"sslMode\": \"always\"}"), TARGET, DBS, ""),
                        "properties.sourceServer.sslMode", "verify-full"),
                bad("unknown source type", with("\"sourceType\": \"Oracle\""), "properties.sourceType",
                        "AWS_RDS"),
                bad("unknown migration option", with("\"migrationOption\": \"Copy\""), "properties.migrationOption",
                        "ValidateAndMigrate"),
                bad("overwrite not a boolean", with("\"overwriteDbsInTarget\": \"yes\""),
                        "properties.overwriteDbsInTarget", "true or false"),
                bad("parallelism zero", with("\"settings\": {\"parallelism\": 0}"), "properties.settings.parallelism",
                        "between 1 and 256"),
                bad("parallelism a fraction", with("\"settings\": {\"parallelism\": 1.5}"),
                        "properties.settings.parallelism", "whole number"),
                bad("unknown setting", with("\"settings\": {\"verifyy\": true}"), "properties.settings.verifyy",
                        "did you mean \"verify\""),
                bad("skip analyze not a boolean", with("\"settings\": {\"skipAnalyze\": \"yes\"}"),
                        "properties.settings.skipAnalyze", "true or false"),
                bad("bad memory size", with("\"settings\": {\"maintenanceWorkMem\": \"lots\"}"),
                        "properties.settings.maintenanceWorkMem", "512MB"),
                bad("split size too small", with("\"settings\": {\"splitTablesLargerThanBytes\": 10}"),
                        "properties.settings.splitTablesLargerThanBytes", "1 MiB"),
                bad("connect timeout too long", with("\"settings\": {\"connectTimeoutSeconds\": 99999}"),
                        "properties.settings.connectTimeoutSeconds", "3600"),
                bad("server parameters mode", with("\"settings\": {\"serverParameters\": \"copy\"}"),
                        "properties.settings.serverParameters", "report, apply"),
                bad("option value an object", with("\"settings\": {\"options\": {\"copy.x\": {}}}"),
                        "properties.settings.options.copy.x", "string, number or boolean"),
                bad("password reference to an unset variable",
                        file(SOURCE.replace("\"" + SECRET + "\"", "{\"env\": \"PGMIGRATE_TEST_SURELY_UNSET\"}"),
                                TARGET, DBS, ""),
                        "properties.sourceServer.password.env", "not set"),
                bad("password reference with both forms",
                        file(SOURCE.replace("\"" + SECRET + "\"", "{\"env\": \"PATH\", \"file\": \"x\"}"),
                                TARGET, DBS, ""),
                        "properties.sourceServer.password", "exactly one"),
                bad("password file missing",
                        file(SOURCE.replace("\"" + SECRET + "\"", "{\"file\": \"no-such-password-file\"}"),
                                TARGET, DBS, ""),
                        "properties.sourceServer.password.file", "does not exist"),
                bad("password a number", file(SOURCE.replace("\"" + SECRET + "\"", "12345"), TARGET, DBS, ""),
                        "properties.sourceServer.password", "is not a password"),
                bad("source given twice", with("\"sourceDbServerResourceId\": \"h:5432@u\""),
                        "properties.sourceDbServerResourceId", "given twice"),
                bad("resource id without a user",
                        file("\"sourceDbServerResourceId\": \"10.0.0.4:5432\"", TARGET, DBS, ""),
                        "properties.sourceDbServerResourceId", "names no user"),
                bad("an Azure resource id",
                        file("\"sourceDbServerResourceId\": \"/subscriptions/1/resourceGroups/g\"", TARGET, DBS, ""),
                        "properties.sourceDbServerResourceId", "host:port@user"),
                bad("password given twice", with("\"secretParameters\": {\"adminCredentials\": "
                        + "{\"targetServerPassword\": \"other\"}}"),
                        "properties.secretParameters.adminCredentials.targetServerPassword", "give it in one place"),
                bad("an Azure resource id of another service",
                        file("\"sourceDbServerResourceId\": \"/subscriptions/1/resourceGroups/g/providers/Microsoft.Sql"
                                + "/servers/x\"", TARGET, DBS, ""),
                        "properties.sourceDbServerResourceId", "not of a PostgreSQL single or flexible server"),
                bad("a single server's resource id without its user",
                        file("\"sourceDbServerResourceId\": \"/subscriptions/1/resourceGroups/g/providers/"
                                + "Microsoft.DBforPostgreSQL/servers/pg1\"", TARGET, DBS, ""),
                        "properties.secretParameters.sourceServerUserName", "the login pgmigrate connects as"),
                bad("the service's target without its login",
                        file(SOURCE, "\"targetDbServerFullyQualifiedDomainName\": \"pg.example.com\"", DBS, ""),
                        "properties.targetServerUserName", "the login pgmigrate connects as"),
                bad("the service's target with a path",
                        file(SOURCE, "\"targetDbServerFullyQualifiedDomainName\": \"pg/x\", "
                                + "\"targetServerUserName\": \"a\"", DBS, ""),
                        "properties.targetDbServerFullyQualifiedDomainName", "bare host name"),
                bad("a data migration to start later", with("\"startDataMigration\": \"False\""),
                        "properties.startDataMigration", "schedules nothing"),
                bad("a migration window", with("\"migrationWindowStartTimeInUtc\": \"2026-01-01T00:00:00Z\""),
                        "properties.migrationWindowStartTimeInUtc", "cron"),
                bad("keys differing only in case",
                        file(SOURCE, TARGET, DBS, "\"migrationOption\": \"Validate\", \"MIGRATIONOPTION\": \"Migrate\""),
                        "properties.MIGRATIONOPTION", "repeats"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void reportsEachMalformedFileWithItsFieldAndRule(String description, String json, String field, String fragment) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> MigrationProperties.parse(json, "migration.json", dir));

        assertThat(e).as(description).isNotNull();
        assertThat(e.problems()).as(description + ": " + e.getMessage())
                .anySatisfy(p -> {
                    assertThat(p.field()).isEqualTo(field);
                    assertThat(p.value() + " " + p.rule()).contains(fragment);
                });
        assertThat(e.getMessage()).startsWith("Invalid migration spec in migration.json").doesNotContain(SECRET)
                .doesNotContain("hunter2");
    }

    @Test
    void listsEveryProblemOfAFileAtOnce() {
        String json = "{\"properties\": {\"sourceServer\": {\"host\": \"\", \"port\": 0, \"adminLogin\": \"x\"}, "
                + "\"targetServer\": {\"host\": \"t\", \"adminLogin\": \"y\", \"colour\": \"red\"}, "
                + "\"dbsToMigrate\": [], \"migrationMode\": \"Sideways\"}}";

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> MigrationProperties.parse(json, "m.json", dir));

        assertThat(e.problems()).extracting(SpecProblem::field).containsExactlyInAnyOrder(
                "properties.sourceServer.host", "properties.sourceServer.port", "properties.targetServer.colour",
                "properties.dbsToMigrate", "properties.migrationMode");
    }

    @Test
    void readsPgmigratesOwnShape() throws Exception {
        Files.writeString(dir.resolve("target.pw"), "from-a-file\n");
        String json = "{\"properties\": {"
                + "\"sourceServer\": {\"host\": \"10.0.0.4\", \"port\": 5432, \"adminLogin\": \"postgres\", "
                + "\"password\": {\"env\": \"PATH\"}, \"sslMode\": \"prefer\", \"type\": \"AWS_RDS\"},"
                + "\"targetServer\": {\"host\": \"pg.example.com\", \"port\": \"6432\", \"adminLogin\": \"admin\", "
                + "\"password\": {\"file\": \"target.pw\"}, \"sslMode\": \"verify-full\", "
                + "\"fullyQualifiedDomainName\": \"10.1.1.1\"},"
                + "\"dbsToMigrate\": [\"inventory\", \"orders\"], \"overwriteDbsInTarget\": true,"
                + "\"migrationOption\": \"Validate\", \"migrationMode\": \"Offline\","
                + "\"settings\": {\"parallelism\": 3, \"migrateRoles\": false, \"verify\": false, "
                + "\"serverParameters\": \"apply\", \"splitTablesLargerThanBytes\": 2097152, "
                + "\"maintenanceWorkMem\": \"1GB\", \"connectTimeoutSeconds\": 7, \"pgDumpDirectory\": \"/opt/pg/bin\", "
                + "\"extensionAllowListParameter\": \"azure.extensions\", \"skipAnalyze\": true, "
                + "\"options\": {\"copy.bufferBytes\": 65536}}}}";
        Path file = dir.resolve("migration.json");
        Files.writeString(file, json);

        MigrationProperties p = MigrationProperties.read(file);

        assertThat(p.source().host()).isEqualTo("10.0.0.4");
        assertThat(p.source().type()).isEqualTo(SourceServerType.AWS_RDS);
        assertThat(p.source().password()).contains(Secret.of(System.getenv("PATH")));
        assertThat(p.target().port()).isEqualTo(6432);
        assertThat(p.target().sslMode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(p.target().connectHost()).isEqualTo("10.1.1.1");
        assertThat(p.target().password()).contains(Secret.of("from-a-file"));
        assertThat(p.databases()).containsExactly("inventory", "orders");
        assertThat(p.option()).contains(MigrationOption.VALIDATE);
        assertThat(p.mode()).contains(MigrationMode.OFFLINE);
        assertThat(p.settings().overwriteDbsInTarget()).isTrue();
        assertThat(p.settings().parallelism()).isEqualTo(3);
        assertThat(p.settings().migrateRoles()).isFalse();
        assertThat(p.settings().verify()).isFalse();
        assertThat(p.settings().serverParameters()).isEqualTo(ServerParametersMode.APPLY);
        assertThat(p.settings().splitTablesLargerThanBytes()).isEqualTo(2097152);
        assertThat(p.settings().maintenanceWorkMem()).isEqualTo("1GB");
        assertThat(p.settings().connectTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(p.settings().pgDumpDirectory()).contains("/opt/pg/bin");
        assertThat(p.settings().extensionAllowListParameter()).contains("azure.extensions");
        assertThat(p.settings().skipAnalyze()).isTrue();
        assertThat(p.settings().option("copy.bufferBytes")).contains("65536");
        assertThat(p.secretReferences()).isEqualTo(Map.of("sourceServer", "env:PATH",
                "targetServer", "file:" + dir.resolve("target.pw").toAbsolutePath().normalize()));
        assertThat(p.toString()).doesNotContain("from-a-file");
    }

    @Test
    void commandLineOptionAndModeWinOverTheFile() {
        MigrationProperties p = MigrationProperties.parse(with("\"migrationOption\": \"Migrate\", "
                + "\"migrationMode\": \"Online\""), "m.json", dir);

        MigrationSpec spec = p.toSpec("shop-move", MigrationOption.VALIDATE, MigrationMode.OFFLINE);

        assertThat(spec.option()).isEqualTo(MigrationOption.VALIDATE);
        assertThat(spec.mode()).isEqualTo(MigrationMode.OFFLINE);
        assertThat(p.toSpec("shop-move").mode()).as("the file's own").isEqualTo(MigrationMode.ONLINE);
    }

    @Test
    void refusesAnInvalidMigrationName() {
        MigrationProperties p = MigrationProperties.parse(with(""), "m.json", dir);

        assertThatThrownBy(() -> p.toSpec("-bad name")).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("must not start with '-'");
        assertThatThrownBy(() -> p.toSpec("bad_name")).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("only letters, digits and '-'");
    }

    @Test
    void defaultsWhatTheFileLeavesOut() {
        String json = file("\"sourceServer\": {\"host\": \"s\", \"adminLogin\": \"u\"}",
                "\"targetServer\": {\"host\": \"t\", \"adminLogin\": \"v\"}", "\"dbsToMigrate\": [\"d\"]", "");

        MigrationSpec spec = MigrationProperties.parse(json, "m.json", dir).toSpec("m");

        assertThat(spec.source().port()).isEqualTo(5432);
        assertThat(spec.source().sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(spec.source().password()).isEmpty();
        assertThat(spec.option()).isEqualTo(MigrationOption.VALIDATE_AND_MIGRATE);
        assertThat(spec.mode()).isEqualTo(MigrationMode.OFFLINE);
        assertThat(spec.settings().overwriteDbsInTarget()).isFalse();
    }

    @Test
    void aPromptedPasswordReplacesAnAbsentOne() {
        String json = file("\"sourceServer\": {\"host\": \"s\", \"adminLogin\": \"u\"}", TARGET, DBS, "");
        MigrationProperties p = MigrationProperties.parse(json, "m.json", dir);
        assertThat(p.hasPassword(MigrationProperties.SOURCE_SERVER)).isFalse();

        MigrationProperties typed = p.withPassword(MigrationProperties.SOURCE_SERVER, Secret.of("typed"));

        assertThat(typed.source().password()).isEqualTo(Optional.of(Secret.of("typed")));
        assertThat(typed.target()).isEqualTo(p.target());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.json");

        assertThatThrownBy(() -> MigrationProperties.read(missing)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void aPasswordFileOrPropertiesFileWithoutEndIsRefusedInsteadOfReadToTheEnd() throws Exception {
        Path json = dir.resolve("endless.json");
        Files.writeString(json, "{\"properties\": {" + SOURCE.replace("\"password\": \"" + SECRET + "\"",
                "\"password\": {\"file\": \"/dev/zero\"}") + ", " + TARGET + ", " + DBS + "}}");
        assertThatThrownBy(() -> MigrationProperties.read(json)).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> assertThat(e.problems()).anySatisfy(p -> {
                    assertThat(p.field()).isEqualTo("properties.sourceServer.password.file");
                    assertThat(p.rule()).contains("more than 64 KiB");
                }));
        assertThatThrownBy(() -> MigrationProperties.read(Path.of("/dev/zero")))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("more than 16 MiB");
    }

    @Test
    void anOverflowingPortIsShownAsGivenAndAHugeValueIsShortened() throws Exception {
        Path json = dir.resolve("overflow.json");
        Files.writeString(json, "{\"properties\": {" + SOURCE.replace("\"port\": 5432", "\"port\": 99999999999")
                + ", " + TARGET + ", \"dbsToMigrate\": [\"" + "d".repeat(5000) + "\"]}}");
        assertThatThrownBy(() -> MigrationProperties.read(json)).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> {
                    assertThat(e.getMessage()).contains("properties.sourceServer.port = 99999999999: must be a whole "
                            + "number between 1 and 65535").doesNotContain("port = -1");
                    assertThat(e.getMessage()).contains("... (5000 characters)").doesNotContain("d".repeat(100));
                });
    }
}
