package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.VerificationReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What {@code show} and the end of a {@code --wait} run say of a migration that did not simply succeed, from records
 * built here: a verification whose copy the rollback dropped, a migration whose process died, and what is left
 * behind on each server.
 */
class EndedMigrationDisplayTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final VerificationReport MATCHING = new VerificationReport(T0.plusSeconds(40), Duration.ofSeconds(1),
            List.of(new TableVerification("shop", "public", "orders", 1000, 1000, "abc", "abc")),
            List.of(new ObjectCount("shop", "public", "indexes", 3, 3)));

    @Test
    void aVerificationOfACopyTheRollbackDroppedIsNotPresentedAsTheTarget() {
        MigrationRecord failed = ended(MigrationStatus.FAILED, MigrationSubstatus.FAILED).withErrors(List.of(
                new MigrationMessage(MessageCode.STATEMENT_FAILED, "Cannot rename database pgmigrate_1_0 to shop")));
        MigrationRecord canceled = ended(MigrationStatus.CANCELED, MigrationSubstatus.COMPLETING_MIGRATION);
        for (MigrationRecord r : List.of(failed, canceled)) {
            for (String text : List.of(Reports.show(r, T0.plusSeconds(60)), Reports.ending(r, T0.plusSeconds(60)))) {
                assertThat(text).as(r.status().label()).contains("Verification, before the rollback dropped the copy "
                        + "(it describes nothing on the target): the copy matched the source: 1 tables")
                        .doesNotContain("the target matches the source");
            }
        }
        MigrationRecord succeeded = ended(MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED);
        assertThat(Reports.show(succeeded, T0.plusSeconds(60))).contains("Verification: the target matches the source: "
                + "1 tables").doesNotContain("rollback");
    }

    @Test
    void aMigrationWhoseProcessDiedOffersResumeAndCancelAndIsNotShownAsRunning() {
        MigrationRecord died = ended(MigrationStatus.IN_PROGRESS, MigrationSubstatus.MIGRATING_DATA)
                .withEndedAt(Optional.empty()).withVerification(Optional.empty()).withInterrupted(true);
        String shown = Reports.show(died, T0.plusSeconds(3600));
        assertThat(shown).contains("Migration shop-move: InProgress (interrupted) (MigratingData)",
                "Interrupted     its process died; nothing runs it (started 1:00:00 ago)",
                "pgmigrate migration resume --name shop-move", "pgmigrate migration cancel --name shop-move")
                .doesNotContain("Running for");
    }

    @Test
    void whatIsLeftIsListedUnderTheServerThatHoldsIt() {
        String left = Reports.leftBehind("shop-move", List.of("database pgmigrate_1a2b_0 (created under its working "
                + "name)"), List.of("replication slot and publication pgmigrate_1a2b_0 in database shop on the source"));
        assertThat(left).isEqualTo("""
                Left on the target:
                  - database pgmigrate_1a2b_0 (created under its working name)
                Left on the source:
                  - replication slot and publication pgmigrate_1a2b_0 in database shop on the source
                pgmigrate migration cancel --name shop-move rolls back what is left.
                """);
        assertThat(Reports.leftBehind("shop-move", List.of(), List.of())).isEmpty();
        MigrationRecord failed = ended(MigrationStatus.FAILED, MigrationSubstatus.FAILED).withVerification(
                Optional.empty());
        assertThat(Reports.ending(failed, T0.plusSeconds(60), List.of(), List.of("replication slot and publication "
                + "pgmigrate_1a2b_0 in database shop on the source"))).contains("The rollback did not finish.\n"
                + "Left on the source:").doesNotContain("Left on the target", "every change rolled back");
    }

    private static MigrationRecord ended(MigrationStatus status, MigrationSubstatus substatus) {
        MigrationSpec spec = MigrationSpec.builder().name("shop-move")
                .source(ServerSpec.builder().host("10.0.0.4").port(5432).adminLogin("postgres").build())
                .target(ServerSpec.builder().host("pg.example.com").port(5432).adminLogin("admin").build())
                .databases("shop").build();
        return new MigrationRecord(spec, status, substatus, T0, Optional.of(T0.plusSeconds(50)), List.of(), List.of(),
                List.of(), Optional.of(MATCHING), List.of(), false, false);
    }
}
