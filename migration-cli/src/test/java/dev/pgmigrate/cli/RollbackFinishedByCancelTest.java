package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.cli.CliRuns.Result;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancel that finishes the rollback a failed run could not: it once printed only "Failed." and the old error and
 * exited 1, although the target was as it was. It says now that the rollback is complete and what it undid, and
 * exits 0, as a cancel that rolled back does.
 */
@PostgresTest
class RollbackFinishedByCancelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /**
     * The run's rollback cannot drop its working database while a prepared transaction holds it; once that is gone,
     * a cancel drops it.
     */
    @Test
    void aCancelThatFinishesAnIncompleteRollbackSaysSoAndExitsZero(@Pg("15") PostgresServer source,
            @Pg(value = "17", settings = "max_prepared_transactions=4") PostgresServer target) throws Exception {
        CliRuns cli = new CliRuns(dir);
        String db = CliRuns.slowDatabase(source, "clifinish", 30_000);
        List<String> before = CliRuns.targetState(target);
        Path properties = cli.properties("finish", source, target, List.of(db), ", \"settings\": {\"parallelism\": 1}");

        Process running = cli.start("migration", "create", "--name", "finish", "--properties", properties.toString(),
                "--wait");
        cli.awaitLoading("finish", running.toHandle());
        String working = target.queryForString("postgres", "SELECT datname FROM pg_database WHERE datname LIKE "
                + "'pgmigrate\\_%'");
        try (Connection c = target.connect(working); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE TABLE held (n int)");
            s.execute("PREPARE TRANSACTION 'pgmigrate_cli_held'");
            c.setAutoCommit(true);
        }
        Result first = cli.pgmigrate("migration", "cancel", "--name", "finish");
        Result run = cli.finish(running);
        assertThat(first.exitCode()).as(first.all()).isEqualTo(1);
        assertThat(first.out()).contains("Migration finish: Failed").contains("PGM-ROLLBACK-INCOMPLETE")
                .contains("The rollback did not finish; left on the target:").contains("database " + working);
        assertThat(run.out()).doesNotContain("every change rolled back").contains("The rollback did not finish.")
                .contains("database " + working)
                .contains("pgmigrate migration cancel --name finish rolls back what is left");

        target.execute("postgres", "ALTER DATABASE " + working + " ALLOW_CONNECTIONS true");
        try (Connection c = target.connect(working); Statement s = c.createStatement()) {
            s.execute("ROLLBACK PREPARED 'pgmigrate_cli_held'");
        }
        Result finished = cli.pgmigrate("migration", "cancel", "--name", "finish");

        assertThat(finished.exitCode()).as(finished.all()).isZero();
        assertThat(finished.out()).contains("Migration finish: its rollback is complete now; nothing it made is left "
                + "on the target. Undone by this cancel:").contains("database " + working)
                .contains("The migration keeps its status, Failed").doesNotContain("PGM-ROLLBACK-INCOMPLETE");
        assertThat(CliRuns.targetState(target)).isEqualTo(before);
        JsonNode shown = JSON.readTree(cli.pgmigrate("migration", "show", "--name", "finish", "--output", "json")
                .out());
        assertThat(shown.at("/notes").findValuesAsText("code")).contains("PGM-ROLLED-BACK");
        Result again = cli.pgmigrate("migration", "cancel", "--name", "finish");
        assertThat(again.exitCode()).as(again.all()).isEqualTo(64);
        source.dropDatabase(db);
    }

    /** The line a run ends with never says every change was rolled back when its record says otherwise. */
    @Test
    void theEndingNeverClaimsARollbackThatDidNotFinish() {
        MigrationRecord failed = failedRecord(List.of(new MigrationMessage(
                MessageCode.ROLLBACK_INCOMPLETE, "Rollback incomplete: Could not connect ...")));

        String ending = Reports.ending(failed, failed.createdAt().plusSeconds(64));

        assertThat(ending).contains("Migration k14: Failed after 0:01:04; the rollback did not finish "
                + "(PGM-ROLLBACK-INCOMPLETE)").contains("Finish it with: pgmigrate migration cancel --name k14")
                .doesNotContain("every change rolled back");
        assertThat(Reports.ending(failedRecord(List.of()), failed.createdAt().plusSeconds(64)))
                .contains("every change rolled back");
    }

    private static MigrationRecord failedRecord(List<MigrationMessage> errors) {
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        MigrationSpec spec = MigrationSpec.builder().name("k14")
                .source(ServerSpec.builder().host("10.0.0.4").port(5432).adminLogin("postgres")
                        .build())
                .target(ServerSpec.builder().host("pg.example.com").port(5432).adminLogin("admin")
                        .build())
                .databases("shop").build();
        return new MigrationRecord(spec, MigrationStatus.FAILED,
                MigrationSubstatus.FAILED, t0, Optional.of(t0.plusSeconds(64)),
                List.of(), List.of(), errors, Optional.empty(), List.of(), false, false);
    }
}
