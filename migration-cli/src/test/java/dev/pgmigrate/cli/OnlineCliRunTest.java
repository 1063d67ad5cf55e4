package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.cli.CliRuns.Result;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An online migration from the command line, as an operator runs one: {@code create --wait} in one terminal keeps
 * running while the target follows the source, {@code show} says how far it trails and how to cut over, and
 * {@code update --cutover} from a second terminal ends it, with the downtime stated. A PostgreSQL 15 source with
 * {@code wal_level = logical} of its own, and a 17 target.
 */
@PostgresTest
class OnlineCliRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void createWaitsForTheCutoverThatUpdateTriggersFromAnotherProcess(@Pg("17") PostgresServer target)
            throws Exception {
        CliRuns runs = new CliRuns(dir);
        try (PostgresServer source = PostgresServer.builder().version("15").setting("wal_level", "logical").start()) {
            String db = CliRuns.smallDatabase(source, "clionline");
            Path properties = runs.properties("online", source, target, List.of(db), ", \"migrationMode\": \"Online\"");

            Process create = runs.start("migration", "create", "--name", "cli-online", "--properties",
                    properties.toString(), "--wait");
            runs.awaitStored("cli-online", s -> s.record().status() == MigrationStatus.WAITING_FOR_USER_ACTION,
                    create.toHandle());
            source.execute(db, "INSERT INTO customer VALUES (1001, 'written after the copy')",
                    "UPDATE orders SET amount = 0 WHERE id <= 10");
            StoredMigration following = runs.awaitStored("cli-online", s -> s.record().database(db)
                    .flatMap(d -> d.replication()).filter(r -> r.transactions() >= 2 && r.caughtUp()).isPresent(),
                    create.toHandle());
            assertThat(following.record().cutoverRequestedAt()).isEmpty();

            Result shown = runs.pgmigrate("migration", "show", "--name", "cli-online");
            assertThat(shown.out()).as(shown.all()).contains(
                    "Migration cli-online: WaitingForUserAction (WaitingForCutoverTrigger)",
                    "Following the source: caught up,",
                    "trigger the cutover with: pgmigrate migration update --cutover --name cli-online")
                    .as("its slot, origin and working database are its work while it runs")
                    .doesNotContain("Left on the target");
            JsonNode az = JSON.readTree(runs.pgmigrate("migration", "show", "--name", "cli-online", "--output",
                    "az-json").out());
            assertThat(az.at("/properties/currentStatus/state").asText()).isEqualTo("WaitingForUserAction");
            assertThat(az.at("/properties/currentStatus/currentSubStateDetails/dbDetails/" + db + "/migrationState")
                    .asText()).isEqualTo("WaitingForCutoverTrigger");
            assertThat(az.at("/properties/currentStatus/currentSubStateDetails/dbDetails/" + db + "/appliedChanges")
                    .asLong()).isGreaterThanOrEqualTo(11);
            assertThat(runs.pgmigrate("migration", "list", "--filter", "active").out())
                    .containsPattern("cli-online +WaitingForUserAction +Online");

            Result cutover = runs.pgmigrate("migration", "update", "--cutover", "--name", "cli-online");
            assertThat(cutover.exitCode()).as(cutover.all()).isZero();
            assertThat(cutover.out()).contains("Cutover of migration cli-online asked for");

            Result created = runs.finish(create);
            assertThat(created.exitCode()).as(created.all()).isZero();
            assertThat(created.out()).contains("trigger the cutover from another terminal",
                    "following the source: caught up", "Migration cli-online: Succeeded", "; downtime ");
            assertThat(target.queryForString(db, "SELECT name FROM customer WHERE id = 1001"))
                    .isEqualTo("written after the copy");
            assertThat(target.queryForLong(db, "SELECT count(*) FROM orders WHERE amount = 0")).isEqualTo(10);
            assertThat(runs.pgmigrate("migration", "show", "--name", "cli-online").out())
                    .contains("Migration cli-online: Succeeded (Completed)", "Replicated:")
                    .containsPattern("Downtime +\\d+\\.\\d s \\(cutover asked for at ");
            target.dropDatabase(db);
        }
    }
}
