package dev.pgmigrate.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.InMemoryMigrationStore;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationReportTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String PASSWORD = "s3cret-Pa55word";
    private static final String HOSTILE_TABLE = "<script>alert(1)</script>";
    private static final String QUOTED_TABLE = "\"quoted\" & 'single' \u00fcml\u00e4ut \u8868";

    @TempDir
    Path dir;

    @Test
    void jsonReportParsesBackWithTheRecordAndItsTotals() throws Exception {
        MigrationReport report = MigrationReport.of(record(), phases(), T0.plusSeconds(3600));

        JsonNode json = new ObjectMapper().readTree(report.json());

        assertThat(json.at("/format").asText()).isEqualTo("pgmigrate-report");
        assertThat(json.at("/version").asInt()).isEqualTo(1);
        JsonNode summary = json.at("/summary");
        assertThat(summary.at("/status").asText()).isEqualTo("Failed");
        assertThat(summary.at("/databases").asInt()).isEqualTo(2);
        assertThat(summary.at("/tables").asInt()).isEqualTo(3);
        assertThat(summary.at("/tablesCompleted").asInt()).isEqualTo(2);
        assertThat(summary.at("/tablesErrored").asInt()).isEqualTo(1);
        assertThat(summary.at("/rows").asLong()).isEqualTo(1000 + 250 + 10);
        assertThat(summary.at("/bytes").asLong()).isEqualTo(4_194_304 + 1_048_576 + 2048);
        assertThat(summary.at("/millis").asLong()).isEqualTo(60_000);
        // First table started at +10 s, the last ended at +40 s.
        assertThat(summary.at("/copyMillis").asLong()).isEqualTo(30_000);
        assertThat(summary.at("/validation/failed").asInt()).isEqualTo(1);
        assertThat(summary.at("/validation/warnings").asInt()).isEqualTo(1);
        assertThat(summary.at("/validation/succeeded").asInt()).isEqualTo(1);
        assertThat(summary.at("/verification/matches").asBoolean()).isFalse();
        assertThat(summary.at("/verification/tableMismatches").asInt()).isEqualTo(1);
        assertThat(summary.at("/verification/objectMismatches").asInt()).isEqualTo(1);

        JsonNode big = json.at("/databases/0/tableFigures/0");
        assertThat(big.at("/table").asText()).isEqualTo(HOSTILE_TABLE);
        assertThat(big.at("/millis").asLong()).isEqualTo(20_000);
        assertThat(big.at("/bytesPerSecond").asDouble()).isEqualTo(4_194_304 / 20.0);
        assertThat(big.at("/rowsPerSecond").asDouble()).isEqualTo(50.0);
        assertThat(json.at("/databases/0/rows").asLong()).isEqualTo(1250);
        assertThat(json.at("/databases/0/copyMillis").asLong()).isEqualTo(25_000);

        assertThat(json.at("/timeline").findValuesAsText("phase")).containsExactly("PerformingPrerequisiteSteps",
                "ValidationInProgress", "MigratingData", "CompletingMigration");
        assertThat(json.at("/timeline").findValues("millis")).extracting(JsonNode::asLong)
                .containsExactly(2_000L, 6_000L, 37_000L, 15_000L);
        assertThat(json.at("/timeline/0/recorded").asBoolean()).isTrue();

        assertThat(json.at("/record/spec/name").asText()).isEqualTo("shop-move");
        assertThat(json.at("/record/databases/0/tables").size()).isEqualTo(2);
        assertThat(json.at("/record/validationResults").size()).isEqualTo(3);
        assertThat(json.toString()).doesNotContain(PASSWORD);
    }

    /**
     * A migration that ended in a rollback verified a copy the rollback dropped: the report says so instead of
     * presenting it as the target, in the HTML and in the JSON's summary; a succeeded one's describes the target.
     */
    @Test
    void aVerificationOfACopyTheRollbackDroppedIsNotPresentedAsTheTarget() throws Exception {
        VerificationReport matching = new VerificationReport(T0.plusSeconds(45), Duration.ofSeconds(3), List.of(
                new TableVerification("shop", "public", "orders", 1000, 1000, "abc", "abc")), List.of(
                new ObjectCount("shop", "public", "indexes", 3, 3)));
        MigrationRecord canceled = record().withStatus(MigrationStatus.CANCELED, MigrationSubstatus.COMPLETING_MIGRATION)
                .withErrors(List.of()).withVerification(Optional.of(matching));

        MigrationReport report = MigrationReport.of(canceled, phases(), T0.plusSeconds(3600));
        assertThat(report.html()).contains("Of a copy rolled back", "The copy matched the source: 1 tables",
                "describes nothing on the target", "of the copy before the rollback (identical)")
                .doesNotContain("The target matches the source", ">Identical<");
        JsonNode verification = new ObjectMapper().readTree(report.json()).at("/summary/verification");
        assertThat(verification.at("/matches").asBoolean()).isTrue();
        assertThat(verification.at("/describesTarget").asBoolean()).isFalse();

        MigrationRecord succeeded = canceled.withStatus(MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED);
        MigrationReport kept = MigrationReport.of(succeeded, phases(), T0.plusSeconds(3600));
        assertThat(kept.html()).contains("The target matches the source: 1 tables", ">Identical<")
                .doesNotContain("Of a copy rolled back");
        assertThat(new ObjectMapper().readTree(kept.json()).at("/summary/verification/describesTarget").asBoolean())
                .isTrue();
    }

    @Test
    void htmlEscapesEveryNameAndHoldsNoScriptNorExternalAsset() {
        String html = MigrationReport.of(record(), phases(), T0.plusSeconds(3600)).html();

        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("&quot;quoted&quot; &amp; &#39;single&#39; \u00fcml\u00e4ut \u8868")
                .contains("db&lt;img src=x onerror=alert(2)&gt;")
                .doesNotContainIgnoringCase("<script")
                .doesNotContainIgnoringCase("<img")
                .doesNotContain(PASSWORD)
                .doesNotContain("https://", "url(", "@import", "@font-face", "src=\"", "href=\"");
        assertThat(html).contains("Content-Security-Policy").contains("default-src 'none'");
    }

    @Test
    void htmlShowsFailuresFirstEachWithWhyAndRemedy() {
        String html = MigrationReport.of(record(), phases(), T0.plusSeconds(3600)).html();

        assertThat(html).contains("Failed</span>", "Migration <span class=\"name\">shop-move</span>");
        int failed = html.indexOf("target-database-empty");
        int warning = html.indexOf("unlogged-tables");
        assertThat(failed).isPositive().isLessThan(warning);
        assertThat(html).contains("Drop the database on the target, or set overwriteDbsInTarget.")
                .contains("Unlogged tables are not crash-safe.")
                .contains("1 table(s) and 1 count(s) differ")
                .contains("MISMATCH")
                .contains("The copy of <b> failed: disk full".replace("<", "&lt;").replace(">", "&gt;"))
                .contains("Owners were remapped");
    }

    @Test
    void timelineOfARecordWithoutPhaseTimesIsDerivedFromTheRecord() {
        List<PhaseSpan> timeline = MigrationReport.of(record(), Map.of(), T0.plusSeconds(3600)).timeline();

        assertThat(timeline).extracting(PhaseSpan::phase).containsExactly(MigrationSubstatus.VALIDATION_IN_PROGRESS,
                MigrationSubstatus.MIGRATING_DATA, MigrationSubstatus.COMPLETING_MIGRATION);
        assertThat(timeline).allMatch(p -> !p.recorded());
        assertThat(timeline.get(0).startedAt()).isEqualTo(T0);
        assertThat(timeline.get(1).startedAt()).isEqualTo(T0.plusSeconds(8));
        assertThat(timeline.get(2).startedAt()).isEqualTo(T0.plusSeconds(45));
        assertThat(timeline.get(2).endedAt()).contains(T0.plusSeconds(60));
    }

    @Test
    void reportOfAStoredMigrationUsesThePhaseTimesTheKeeperRecorded() {
        InMemoryMigrationStore store = new InMemoryMigrationStore();
        MigrationRecord started = new MigrationRecord(record().spec(), MigrationStatus.IN_PROGRESS,
                MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS, T0, Optional.empty(), List.of(), List.of(),
                List.of(), Optional.empty(), List.of(), false, false);
        store.create(new StoredMigration("ns", started, List.of(), Optional.empty(), T0, Map.of(), Map.of()),
                existing -> Optional.empty());
        MutableClock clock = new MutableClock(T0);
        RecordKeeper keeper = new RecordKeeper(store, store.load("ns", "shop-move").orElseThrow(), clock, List.of());

        keeper.phase(MigrationStatus.IN_PROGRESS, MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS);
        clock.now = T0.plusSeconds(1);
        keeper.phase(MigrationStatus.IN_PROGRESS, MigrationSubstatus.VALIDATION_IN_PROGRESS);
        clock.now = T0.plusSeconds(5);
        keeper.finish(MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED, List.of());

        MigrationReport report = MigrationReport.of(store.load("ns", "shop-move").orElseThrow());
        assertThat(report.timeline()).extracting(PhaseSpan::phase).containsExactly(
                MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS, MigrationSubstatus.VALIDATION_IN_PROGRESS);
        assertThat(report.timeline()).allMatch(PhaseSpan::recorded);
        assertThat(report.timeline().get(0).duration(report.generatedAt())).isEqualTo(Duration.ofSeconds(1));
        assertThat(report.timeline().get(1).endedAt()).contains(T0.plusSeconds(5));
    }

    @Test
    void aRunningMigrationCountsUpToTheReportsTime() throws Exception {
        MigrationRecord r = record();
        DatabaseProgress running = new DatabaseProgress("orders", MigrationStatus.IN_PROGRESS,
                Optional.of(T0.plusSeconds(10)), Optional.empty(), List.of(new TableProgress("public", "big",
                        TableState.LOADING, 10, 1_048_576, 4_194_304, 1, 0, Optional.of("binary-copy"),
                        Optional.of(T0.plusSeconds(10)), Optional.empty(), Optional.empty())), Optional.empty());
        MigrationRecord inProgress = new MigrationRecord(r.spec(), MigrationStatus.IN_PROGRESS,
                MigrationSubstatus.MIGRATING_DATA, T0, Optional.empty(), List.of(), List.of(running), List.of(),
                Optional.empty(), List.of(), false, false);

        MigrationReport report = MigrationReport.of(inProgress, Map.of(MigrationSubstatus.MIGRATING_DATA,
                T0.plusSeconds(5)), T0.plusSeconds(30));

        JsonNode json = new ObjectMapper().readTree(report.json());
        assertThat(json.at("/summary/millis").asLong()).isEqualTo(30_000);
        assertThat(json.at("/databases/0/tableFigures/0/millis").asLong()).isEqualTo(20_000);
        assertThat(json.at("/timeline/0/endedAt").isNull()).isTrue();
        assertThat(report.timeline().get(0).duration(report.generatedAt())).isEqualTo(Duration.ofSeconds(25));
        assertThat(report.html()).contains("InProgress").contains("Loading").contains("Not verified");
    }

    @Test
    void writesBothFormatsToFilesInUtf8() throws Exception {
        MigrationReport report = MigrationReport.of(record(), phases(), T0.plusSeconds(3600));
        Path html = dir.resolve("r.html");
        Path json = dir.resolve("r.json");

        report.writeHtml(html);
        report.writeJson(json);

        assertThat(Files.readString(html)).isEqualTo(report.html()).contains("\u8868");
        assertThat(new ObjectMapper().readTree(json.toFile()).at("/summary/name").asText()).isEqualTo("shop-move");
        StringWriter open = new StringWriter();
        report.writeJson(open);
        open.write("still open");
        assertThat(open.toString()).endsWith("still open");
    }

    @Test
    void escapeReplacesMarkupAndForbiddenCharacters() {
        assertThat(HtmlReport.escape("a<b>&\"'")).isEqualTo("a&lt;b&gt;&amp;&quot;&#39;");
        assertThat(HtmlReport.escape("bell\u0007 nul\u0000 c1\u0085 lone\ud800 ok\ud83d\ude00"))
                .isEqualTo("bell\ufffd nul\ufffd c1\ufffd lone\ufffd ok\ud83d\ude00");
        assertThat(HtmlReport.shorten("\ud83d\ude00".repeat(30), 5)).isEqualTo("\ud83d\ude00".repeat(4) + "\u2026");
    }

    // ---- a record with everything in it

    private static Map<MigrationSubstatus, Instant> phases() {
        return Map.of(MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS, T0,
                MigrationSubstatus.VALIDATION_IN_PROGRESS, T0.plusSeconds(2),
                MigrationSubstatus.MIGRATING_DATA, T0.plusSeconds(8),
                MigrationSubstatus.COMPLETING_MIGRATION, T0.plusSeconds(45));
    }

    static MigrationRecord record() {
        ServerSpec source = ServerSpec.builder().host("10.0.0.4").port(5432).adminLogin("postgres")
                .password(Secret.of(PASSWORD)).build();
        ServerSpec target = ServerSpec.builder().host("pg.example.com").port(5433).adminLogin("admin")
                .password(Secret.of(PASSWORD)).build();
        String hostileDb = "db<img src=x onerror=alert(2)>";
        MigrationSpec spec = MigrationSpec.builder().name("shop-move").source(source).target(target)
                .databases("shop", hostileDb).build();
        List<ValidationResult> validation = List.of(
                new ValidationResult("unlogged-tables", ValidationScope.DATABASE, Optional.of("shop"),
                        ValidationStatus.WARNING, "1 unlogged table", "Unlogged tables are not crash-safe.",
                        "Make them logged after the migration.", List.of("public.audit")),
                new ValidationResult("source-version", ValidationScope.INSTANCE, Optional.empty(),
                        ValidationStatus.SUCCEEDED, "Source is PostgreSQL 15.8", "", "", List.of()),
                new ValidationResult("target-database-empty", ValidationScope.DATABASE, Optional.of(hostileDb),
                        ValidationStatus.FAILED, "The database exists on the target", "It would be overwritten.",
                        "Drop the database on the target, or set overwriteDbsInTarget.", List.of(hostileDb)));
        DatabaseProgress shop = new DatabaseProgress("shop", MigrationStatus.SUCCEEDED, Optional.of(T0.plusSeconds(8)),
                Optional.of(T0.plusSeconds(44)), List.of(
                        table(HOSTILE_TABLE, TableState.COMPLETED, 1000, 4_194_304, 10, 30, Optional.empty()),
                        table(QUOTED_TABLE, TableState.COMPLETED, 250, 1_048_576, 15, 35, Optional.empty())),
                Optional.empty());
        DatabaseProgress other = new DatabaseProgress(hostileDb, MigrationStatus.FAILED,
                Optional.of(T0.plusSeconds(9)), Optional.of(T0.plusSeconds(41)), List.of(
                        table("t", TableState.ERRORED, 10, 2048, 20, 40, Optional.of("The copy of <b> failed: disk "
                                + "full"))), Optional.of("Copy failed"));
        VerificationReport verification = new VerificationReport(T0.plusSeconds(45), Duration.ofSeconds(3), List.of(
                new TableVerification("shop", "public", HOSTILE_TABLE, 1000, 1000, "abc", "abc"),
                new TableVerification("shop", "public", QUOTED_TABLE, 250, 249, "def", "xyz")), List.of(
                new ObjectCount("shop", "public", "indexes", 3, 3),
                new ObjectCount("shop", "public", "sequence:seq<1>", 10, 9)));
        return new MigrationRecord(spec, MigrationStatus.FAILED, MigrationSubstatus.FAILED, T0,
                Optional.of(T0.plusSeconds(60)), validation, List.of(shop, other),
                List.of(new MigrationMessage(MessageCode.VERIFICATION_MISMATCH, "Verification found 2 differences")),
                Optional.of(verification),
                List.of(new MigrationMessage(MessageCode.OWNER_REMAPPED, "Owners were remapped: <none>")), false, false);
    }

    private static TableProgress table(String name, TableState state, long rows, long bytes, int start, int end,
            Optional<String> error) {
        return new TableProgress("public", name, state, rows, bytes, bytes, 1, 1, Optional.of("binary-copy"),
                Optional.of(T0.plusSeconds(start)), Optional.of(T0.plusSeconds(end)), error);
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
