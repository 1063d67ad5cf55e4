package dev.pgmigrate.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ReplicationProgress;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The report of an online migration, from records built here: each database's replication while it follows the
 * source, the hint that the cutover waits for the user, and the downtime once it was asked for.
 */
class OnlineMigrationReportTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void aWaitingMigrationShowsEachDatabasesReplicationAndHowToCutOver() throws Exception {
        MigrationReport report = MigrationReport.of(waiting(), Map.of(), T0.plusSeconds(120));

        String html = report.html();

        assertThat(html).contains("WaitingForUserAction</span>", "WaitingForCutoverTrigger",
                "<b>Following the source</b>: caught up &middot; 12 transactions &middot; 340 changes applied "
                        + "&middot; up to <code>0/3000148</code>",
                "<b>Following the source</b>: 1.2 MB, 3 s behind &middot; 1 transaction &middot; 1 change applied",
                "trigger the cutover with: <code>pgmigrate migration update --cutover --name shop-move</code>")
                .doesNotContain("Downtime");
        JsonNode json = new ObjectMapper().readTree(report.json());
        assertThat(json.at("/summary/status").asText()).isEqualTo("WaitingForUserAction");
        assertThat(json.at("/summary/downtimeMillis").isMissingNode()).isTrue();
        assertThat(json.at("/record/databases/0/replication/changes").asLong()).isEqualTo(340);
    }

    @Test
    void theSummaryStatesTheDowntimeOnceTheCutoverWasAskedFor() throws Exception {
        MigrationRecord cuttingOver = waiting().withStatus(MigrationStatus.IN_PROGRESS,
                MigrationSubstatus.COMPLETING_MIGRATION).withCutoverRequestedAt(Optional.of(T0.plusSeconds(100)));
        String during = MigrationReport.of(cuttingOver, Map.of(), T0.plusSeconds(103)).html();
        assertThat(during).contains("InProgress (cutting over)", "Downtime", "3.0 s", "so far: the cutover runs")
                .doesNotContain("trigger the cutover with");

        MigrationRecord done = cuttingOver.withStatus(MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED)
                .withEndedAt(Optional.of(T0.plusSeconds(107))).withDatabases(cuttingOver.databases().stream()
                        .map(d -> new DatabaseProgress(d.database(), MigrationStatus.SUCCEEDED, d.startedAt(),
                                Optional.of(T0.plusSeconds(107)), d.tables(), d.message(), Optional.empty(),
                                d.replication())).toList());
        MigrationReport report = MigrationReport.of(done, Map.of(), T0.plusSeconds(3600));
        assertThat(report.html()).contains("Downtime", "7.0 s", "from the cutover request to the end",
                "<b>Replicated</b>: caught up").doesNotContain("(cutting over)");
        assertThat(new ObjectMapper().readTree(report.json()).at("/summary/downtimeMillis").asLong())
                .isEqualTo(7_000);
    }

    /** Two databases copied and following the source: one caught up, one 1.2 MB and 3 s behind. */
    static MigrationRecord waiting() {
        MigrationSpec spec = MigrationSpec.builder().name("shop-move")
                .source(ServerSpec.builder().host("10.0.0.4").port(5432).adminLogin("postgres").build())
                .target(ServerSpec.builder().host("pg.example.com").port(5432).adminLogin("admin").build())
                .databases("shop", "orders").mode(MigrationMode.ONLINE).build();
        ReplicationProgress caughtUp = new ReplicationProgress(0, Duration.ZERO, 12, 340, "0/3000148",
                T0.plusSeconds(119));
        ReplicationProgress behind = new ReplicationProgress(1_258_291, Duration.ofSeconds(3), 1, 1, "0/2F00000",
                T0.plusSeconds(119));
        return new MigrationRecord(spec, MigrationStatus.WAITING_FOR_USER_ACTION,
                MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER, T0, Optional.empty(), List.of(),
                List.of(following("shop", caughtUp), following("orders", behind)), List.of(), Optional.empty(),
                List.of(), false, false);
    }

    private static DatabaseProgress following(String database, ReplicationProgress replication) {
        TableProgress table = new TableProgress("public", "orders", TableState.COMPLETED, 5000, 262_144, 262_144, 1,
                1, Optional.of("binary-copy"), Optional.of(T0.plusSeconds(10)), Optional.of(T0.plusSeconds(20)),
                Optional.empty());
        return new DatabaseProgress(database, MigrationStatus.WAITING_FOR_USER_ACTION, Optional.of(T0.plusSeconds(5)),
                Optional.empty(), List.of(table), Optional.empty(), Optional.empty(), Optional.of(replication));
    }
}
