package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ReplicationProgress;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.core.report.MigrationReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What {@code show}, {@code list}, {@code show --output az-json} and the live progress say of an online migration,
 * from records and events built here (the engine's online run is not wired yet): how far each database trails the
 * source, how to trigger the cutover while it waits, and the downtime once the cutover was asked for.
 */
class OnlineDisplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final ReplicationProgress CAUGHT_UP = new ReplicationProgress(0, Duration.ZERO, 12, 340,
            "0/3000148", T0.plusSeconds(119));
    private static final ReplicationProgress BEHIND = new ReplicationProgress(1_258_291, Duration.ofSeconds(3), 1, 1,
            "0/2F00000", T0.plusSeconds(119));

    @Test
    void showSaysHowFarEachDatabaseTrailsAndHowToTriggerTheCutover() {
        String shown = Reports.show(waiting(), T0.plusSeconds(120));

        assertThat(shown).contains("Migration shop-move: WaitingForUserAction (WaitingForCutoverTrigger)",
                "Validate and migrate, Online",
                "Following the source: caught up, 12 transactions and 340 changes applied, up to 0/3000148",
                "Following the source: 1.2 MB, 3 s behind, 1 transaction and 1 change applied",
                "trigger the cutover with: pgmigrate migration update --cutover --name shop-move")
                .doesNotContain("Downtime");
        assertThat(Reports.grid(List.of(waiting()), T0.plusSeconds(120)))
                .containsPattern("shop-move +WaitingForUserAction +Online +Validate and migrate");
    }

    @Test
    void showStatesTheDowntimeOnceTheCutoverWasAskedFor() {
        MigrationRecord cuttingOver = cuttingOver();
        String during = Reports.show(cuttingOver, T0.plusSeconds(103));
        assertThat(during).contains("Migration shop-move: InProgress (cutting over) (CompletingMigration)",
                "Downtime        3.0 s so far (cutover asked for at " + Format.time(T0.plusSeconds(100)) + ")")
                .doesNotContain("trigger the cutover with");
        assertThat(Reports.grid(List.of(cuttingOver), T0.plusSeconds(103))).contains("InProgress (cutting over)");

        MigrationRecord done = succeeded(cuttingOver);
        assertThat(Reports.show(done, T0.plusSeconds(3600))).contains("Migration shop-move: Succeeded (Completed)",
                "Downtime        7.0 s (cutover asked for at", "Replicated: caught up, 12 transactions");
        assertThat(Reports.ending(done, T0.plusSeconds(3600))).contains("Succeeded after 0:01:47; downtime 7.0 s "
                + "(from the cutover request)");
    }

    @Test
    void azJsonWaitsForTheCutoverTriggerAsTheServiceSpellsIt() throws Exception {
        JsonNode status = JSON.readTree(AzureStatus.of(MigrationReport.of(waiting(), Map.of(), T0.plusSeconds(120))));

        JsonNode current = status.at("/properties/currentStatus");
        assertThat(current.at("/state").asText()).isEqualTo("WaitingForUserAction");
        assertThat(current.at("/currentSubStateDetails/currentSubState").asText())
                .isEqualTo("WaitingForCutoverTrigger");
        JsonNode shop = current.at("/currentSubStateDetails/dbDetails/shop");
        assertThat(shop.at("/migrationState").asText()).isEqualTo("WaitingForCutoverTrigger");
        assertThat(shop.at("/appliedChanges").asLong()).isEqualTo(340);
        assertThat(shop.at("/latency").asLong()).isZero();
        assertThat(shop.at("/fullLoadCompletedTables").asInt()).isEqualTo(1);
        // The service counts inserts, updates and deletes apart, and changes still to come; pgmigrate does not.
        assertThat(shop.has("cdcInsertCounter") || shop.has("incomingChanges")).isFalse();
        assertThat(current.at("/currentSubStateDetails/dbDetails/orders/latency").asLong()).isEqualTo(3);
        assertThat(status.at("/properties/migrationMode").asText()).isEqualTo("Online");
        assertThat(status.at("/properties/triggerCutover").asText()).isEqualTo("False");

        JsonNode cutting = JSON.readTree(AzureStatus.of(MigrationReport.of(cuttingOver(), Map.of(),
                T0.plusSeconds(103))));
        assertThat(cutting.at("/properties/triggerCutover").asText()).isEqualTo("True");
        assertThat(cutting.at("/properties/currentStatus/currentSubStateDetails/dbDetails/shop/migrationState")
                .asText()).isEqualTo("InProgress");
        JsonNode done = JSON.readTree(AzureStatus.of(MigrationReport.of(succeeded(cuttingOver()), Map.of(),
                T0.plusSeconds(3600))));
        assertThat(done.at("/properties/currentStatus/currentSubStateDetails/dbDetails/shop/migrationState")
                .asText()).isEqualTo("Succeeded");
    }

    @Test
    void theBarsShowAFollowingDatabaseAndTheOverallLineTheWaitForTheCutover() {
        assertThat(ProgressLines.database(waiting().database("shop").orElseThrow()))
                .isEqualTo("following the source: caught up, 12 transactions and 340 changes applied");
        assertThat(ProgressLines.database(waiting().database("orders").orElseThrow()))
                .startsWith("following the source: 1.2 MB, 3 s behind");
    }

    @Test
    void aDatabaseWhoseStreamIsInterruptedShowsWhatItsSlotKeepsInsteadOfItsLastFigures() {
        DatabaseProgress shop = waiting().database("shop").orElseThrow();
        String interrupted = "interrupted since 2026-12-02T10:05:00Z (Connection refused, SQLState 08001), retried "
                + "until 2026-12-02T10:10:00Z: slot pgmigrate_ab12 keeps 48 MB of the source's WAL";
        assertThat(ProgressLines.database(shop.withActivity(Optional.of(interrupted)))).isEqualTo(interrupted);
    }

    @Test
    void plainLinesSayOnceHowToCutOverAndFollowEachDatabaseWithoutFloodingTheLog() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressPrinter printer = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                ProgressPrinter.Style.LINES)) {
            for (int second = 0; second <= 90; second++) {
                Instant at = T0.plusSeconds(second);
                ReplicationProgress figures = second < 30 ? BEHIND : CAUGHT_UP;
                printer.onEvent(new MigrationEvent.ReplicationProgressed("shop-move", at, "shop", figures));
                if (second == 5 || second == 40) {
                    printer.onEvent(new MigrationEvent.PhaseChanged("shop-move", at,
                            MigrationStatus.WAITING_FOR_USER_ACTION, MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER));
                }
            }
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();

        assertThat(lines.stream().filter(l -> l.contains("pgmigrate migration update --cutover --name shop-move")))
                .as(String.join("\n", lines)).hasSize(1);
        // Behind at first, caught up at 30 s (a change: at once), then again a minute later.
        assertThat(lines.stream().filter(l -> l.contains("shop: following the source")).map(l -> l.substring(0, 20)))
                .as(String.join("\n", lines)).containsExactly("2026-12-02T10:00:00Z", "2026-12-02T10:00:30Z",
                        "2026-12-02T10:01:30Z");
    }

    // ---- records built here

    /** Two databases copied and following the source: shop caught up, orders 1.2 MB and 3 s behind. */
    private static MigrationRecord waiting() {
        MigrationSpec spec = MigrationSpec.builder().name("shop-move")
                .source(ServerSpec.builder().host("10.0.0.4").port(5432).adminLogin("postgres").build())
                .target(ServerSpec.builder().host("pg.example.com").port(5432).adminLogin("admin").build())
                .databases("shop", "orders").mode(MigrationMode.ONLINE).build();
        return new MigrationRecord(spec, MigrationStatus.WAITING_FOR_USER_ACTION,
                MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER, T0, Optional.empty(), List.of(),
                List.of(following("shop", CAUGHT_UP), following("orders", BEHIND)), List.of(), Optional.empty(),
                List.of(), false, false);
    }

    /** The cutover asked for at +100 s; the databases apply the last changes. */
    private static MigrationRecord cuttingOver() {
        MigrationRecord r = waiting().withStatus(MigrationStatus.IN_PROGRESS, MigrationSubstatus.COMPLETING_MIGRATION)
                .withCutoverRequestedAt(Optional.of(T0.plusSeconds(100)));
        return r.withDatabases(r.databases().stream().map(d -> new DatabaseProgress(d.database(),
                MigrationStatus.IN_PROGRESS, d.startedAt(), d.endedAt(), d.tables(), d.message(), d.activity(),
                d.replication())).toList());
    }

    /** Ended at +107 s, every database with its last replication figures. */
    private static MigrationRecord succeeded(MigrationRecord cuttingOver) {
        Instant end = T0.plusSeconds(107);
        return cuttingOver.withStatus(MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED)
                .withEndedAt(Optional.of(end)).withDatabases(cuttingOver.databases().stream()
                        .map(d -> new DatabaseProgress(d.database(), MigrationStatus.SUCCEEDED, d.startedAt(),
                                Optional.of(end), d.tables(), d.message(), Optional.empty(), d.replication()))
                        .toList());
    }

    private static DatabaseProgress following(String database, ReplicationProgress replication) {
        TableProgress table = new TableProgress("public", "orders", TableState.COMPLETED, 5000, 262_144, 262_144, 1,
                1, Optional.of("binary-copy"), Optional.of(T0.plusSeconds(10)), Optional.of(T0.plusSeconds(20)),
                Optional.empty());
        return new DatabaseProgress(database, MigrationStatus.WAITING_FOR_USER_ACTION, Optional.of(T0.plusSeconds(5)),
                Optional.empty(), List.of(table), Optional.empty(), Optional.empty(), Optional.of(replication));
    }
}
