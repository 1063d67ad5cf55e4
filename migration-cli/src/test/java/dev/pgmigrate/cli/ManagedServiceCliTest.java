package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.cli.CliRuns.Result;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The managed service's users keep their habits: its properties file as they have it, the target named on the
 * command line as its CLI does, {@code --migration-name}, and {@code show --output az-json} in its status shape.
 * Runs {@code pgmigrate} as a process against a PostgreSQL 15 source and a 17 target.
 */
@PostgresTest
class ManagedServiceCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The field paths of the service's status document ({@code az postgres flexible-server migration show}, its
     * REST API's {@code Migrations_Get}) that a migration's record fills; {@code {db}} stands for a database's
     * name. Its Azure resource fields ({@code id}, {@code type}, {@code location}, server metadata) have no
     * counterpart here.
     */
    private static final List<String> SERVICE_STATUS_FIELDS = List.of("/name", "/properties/migrationId",
            "/properties/currentStatus/state", "/properties/currentStatus/error",
            "/properties/currentStatus/currentSubStateDetails/currentSubState",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/databaseName",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/migrationState",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/startedOn",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/endedOn",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/fullLoadCompletedTables",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/fullLoadErroredTables",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/fullLoadLoadingTables",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/fullLoadQueuedTables",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/appliedChanges",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/cdcDeleteCounter",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/cdcInsertCounter",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/cdcUpdateCounter",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/incomingChanges",
            "/properties/currentStatus/currentSubStateDetails/dbDetails/{db}/latency",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/status",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/validationStartTimeInUtc",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/validationEndTimeInUtc",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/serverLevelValidationDetails/0/type",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/serverLevelValidationDetails/0/state",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/dbLevelValidationDetails/0/databaseName",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/dbLevelValidationDetails/0/startedOn",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/dbLevelValidationDetails/0/endedOn",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/dbLevelValidationDetails/0/summary/0/type",
            "/properties/currentStatus/currentSubStateDetails/validationDetails/dbLevelValidationDetails/0/summary/0/state",
            "/properties/dbsToMigrate/0", "/properties/migrateRoles", "/properties/migrationMode",
            "/properties/migrationOption", "/properties/migrationWindowStartTimeInUtc",
            "/properties/migrationWindowEndTimeInUtc", "/properties/overwriteDbsInTarget",
            "/properties/setupLogicalReplicationOnSourceDbIfNeeded", "/properties/sourceDbServerResourceId",
            "/properties/sourceType", "/properties/sslMode", "/properties/targetDbServerResourceId",
            "/properties/triggerCutover");

    @TempDir
    Path dir;


    @Test
    void theServicesFileRunsAsItIsAndShowPrintsTheServicesStatus(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "azok");
        Path file = serviceFile(source, target, db, ", \"TargetDbServerFullyQualifiedDomainName\": \""
                + target.host() + "\"");
        String targetServer = target.host() + ":" + target.port();

        Result created = pgmigrate("migration", "create", "--migration-name", "az-ok", "--properties",
                file.toString(), "--target-server", targetServer, "--wait");

        assertThat(created.exitCode()).as(created.all()).isZero();
        assertThat(created.out()).contains("Note: Target server " + targetServer + ", named by "
                + "properties.targetDbServerFullyQualifiedDomainName and --target-server alike.",
                "Migration az-ok: Succeeded");
        assertNoSecrets(created, source, target);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).isEqualTo(5000);

        Result shown = pgmigrate("migration", "show", "--migration-name", "az-ok", "--output", "az-json");
        assertThat(shown.exitCode()).as(shown.all()).isZero();
        JsonNode status = JSON.readTree(shown.out());
        for (String field : SERVICE_STATUS_FIELDS) {
            assertThat(status.at(field.replace("{db}", db)).isMissingNode()).as(field + " in " + status).isFalse();
        }
        JsonNode current = status.at("/properties/currentStatus");
        assertThat(current.at("/state").asText()).isEqualTo("Succeeded");
        assertThat(current.at("/error").asText()).isEmpty();
        assertThat(current.at("/currentSubStateDetails/currentSubState").asText()).isEqualTo("Completed");
        JsonNode database = current.at("/currentSubStateDetails/dbDetails/" + db);
        assertThat(database.at("/migrationState").asText()).isEqualTo("Succeeded");
        assertThat(database.at("/fullLoadCompletedTables").asInt()).isEqualTo(2);
        assertThat(database.at("/fullLoadErroredTables").asInt()).isZero();
        assertThat(current.at("/currentSubStateDetails/validationDetails/dbLevelValidationDetails/0/databaseName")
                .asText()).isEqualTo(db);
        assertThat(current.at("/currentSubStateDetails/validationDetails/serverLevelValidationDetails")
                .findValuesAsText("type")).contains("source-connectivity", "target-connectivity");
        JsonNode properties = status.at("/properties");
        assertThat(properties.at("/sourceDbServerResourceId").asText())
                .isEqualTo(source.host() + ":" + source.port() + "@" + source.adminLogin());
        assertThat(properties.at("/sourceType").asText()).isEqualTo("OnPremises");
        assertThat(properties.at("/sslMode").asText()).isEqualTo("Prefer");
        assertThat(properties.at("/overwriteDbsInTarget").asText()).isEqualTo("True");
        assertThat(properties.at("/migrationOption").asText()).isEqualTo("ValidateAndMigrate");
        assertThat(properties.at("/migrationMode").asText()).isEqualTo("Offline");
        assertThat(shown.out()).doesNotContain(source.adminPassword().reveal(), target.adminPassword().reveal());

        Result verified = pgmigrate("verify", "--properties", file.toString(), "--target-server", targetServer);
        assertThat(verified.exitCode()).as(verified.all()).isZero();
        assertThat(verified.out()).contains("Note: Target server", db + ": Verification: the target matches");
    }

    @Test
    void theTargetComesFromTheCommandLineInTheBackgroundToo(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "azbg");
        Path file = serviceFile(source, target, db, "");
        String targetServer = target.host() + ":" + target.port();

        Result created = pgmigrate("migration", "create", "--migration-name", "az-bg", "--properties",
                file.toString(), "--target-server", targetServer, "--migration-option", "Validate");

        assertThat(created.exitCode()).as(created.all()).isZero();
        assertThat(created.out()).contains("Note: Target server " + targetServer + ", from --target-server.",
                "Migration az-bg started in the background");
        JsonNode done = awaitFinal("az-bg");
        assertThat(done.at("/properties/currentStatus/state").asText()).as(done.toString()).isEqualTo("Succeeded");
        assertThat(done.at("/properties/targetDbServerResourceId").asText())
                .isEqualTo(targetServer + "@" + target.adminLogin());
        assertNoSecrets(created, source, target);
    }

    @Test
    void aTargetNamedTwiceDifferentlyIsRefusedNamingBothAndTouchesNothing(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = CliRuns.smallDatabase(source, "azconflict");
        Path file = serviceFile(source, target, db, ", \"TargetDbServerFullyQualifiedDomainName\": \"pg.example.com\"");
        List<String> before = targetState(target);

        Result r = pgmigrate("migration", "create", "--name", "az-conflict", "--properties", file.toString(),
                "--target-server", target.host() + ":" + target.port(), "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(64);
        assertThat(r.err()).contains("--target-server = " + target.host() + ":" + target.port(),
                "names another target server than properties.targetDbServerFullyQualifiedDomainName "
                        + "(pg.example.com:5432)");
        assertThat(targetState(target)).isEqualTo(before);
        assertNoSecrets(r, source, target);

        Result none = pgmigrate("migration", "create", "--name", "az-none", "--properties",
                serviceFile(source, target, db, "").toString(), "--wait");
        assertThat(none.exitCode()).as(none.all()).isEqualTo(64);
        assertThat(none.err()).contains("properties.targetServer = (missing)", "--target-server HOST[:PORT]");
    }

    @Test
    void migrationNameIsTheNameOnEveryCommandAndOneOfThemIsEnough() throws Exception {
        for (String[] command : new String[][] {{"show"}, {"report"}, {"cancel"}, {"resume"}, {"update", "--cancel"}}) {
            List<String> args = new ArrayList<>(List.of("migration"));
            args.addAll(List.of(command));
            args.addAll(List.of("--migration-name", "never-created"));
            Result r = pgmigrate(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", command) + ": " + r.all()).isEqualTo(64);
            assertThat(r.err()).as(String.join(" ", command)).contains("never-created");
        }
        Result both = pgmigrate("migration", "show", "--name", "a", "--migration-name", "b");
        assertThat(both.exitCode()).isEqualTo(64);
        assertThat(both.err()).contains("--migration-name", "--target-server");
        Result badOutput = pgmigrate("migration", "show", "--name", "a", "--output", "yaml");
        assertThat(badOutput.exitCode()).isEqualTo(64);
        assertThat(badOutput.err()).contains("table, json, html, az-json");
    }

    // ---------------------------------------------------------------- helpers

    /** The managed service's file as its users write it: plain passwords, string booleans, its key spellings. */
    private Path serviceFile(PostgresServer source, PostgresServer target, String db, String extra)
            throws IOException {
        return Files.writeString(dir.resolve("az-" + System.nanoTime() + ".json"), """
                {"properties": {"SourceDBServerResourceId": "%s:%d@%s",
                  "SecretParameters": {"AdminCredentials": {"SourceServerPassword": "%s", "TargetServerPassword": "%s"},
                                       "TargetServerUserName": "%s"},
                  "DBsToMigrate": ["%s"], "OverwriteDbsInTarget": "true", "SourceType": "OnPremises",
                  "SslMode": "Prefer"%s}}
                """.formatted(source.host(), source.port(), source.adminLogin(), source.adminPassword().reveal(),
                target.adminPassword().reveal(), target.adminLogin(), db, extra));
    }

    private static List<String> targetState(PostgresServer target) {
        List<String> state = new ArrayList<>();
        target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").forEach(r -> state.add("db " + r.get(0)));
        target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1").forEach(r -> state.add("role " + r.get(0)));
        return state;
    }

    private static void assertNoSecrets(Result r, PostgresServer source, PostgresServer target) {
        assertThat(r.all()).doesNotContain(source.adminPassword().reveal())
                .doesNotContain(target.adminPassword().reveal());
    }

    private JsonNode awaitFinal(String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            Result shown = pgmigrate("migration", "show", "--migration-name", name, "--output", "az-json");
            if (shown.exitCode() == 0) {
                JsonNode status = JSON.readTree(shown.out());
                if (!status.at("/properties/currentStatus/state").asText().equals("InProgress")) {
                    return status;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("migration " + name + " did not end within 2 minutes");
    }

    private Result pgmigrate(String... args) throws IOException, InterruptedException {
        return new CliRuns(dir).pgmigrate(args);
    }
}
