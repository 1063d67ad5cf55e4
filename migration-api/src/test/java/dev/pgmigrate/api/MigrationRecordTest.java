package dev.pgmigrate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each copy of a record changes the one thing it names and keeps the rest. */
class MigrationRecordTest {
    private static final MigrationMessage E = new MigrationMessage(MessageCode.STATEMENT_FAILED, "e");
    private static final MigrationMessage N = new MigrationMessage(MessageCode.ROLES_CREATED, "n");
    private static final MigrationMessage M = new MigrationMessage(MessageCode.ROLES_KEPT, "m");
    private static final MigrationMessage BOOM = new MigrationMessage(MessageCode.SERVER_UNREACHABLE, "boom");

    private static MigrationRecord record() {
        MigrationSpec spec = MigrationSpec.builder().name("shop-move")
                .source(ServerSpec.builder().host("src").port(5432).adminLogin("a").build())
                .target(ServerSpec.builder().host("tgt").port(5432).adminLogin("b").build()).databases("shop").build();
        return new MigrationRecord(spec, MigrationStatus.IN_PROGRESS, MigrationSubstatus.MIGRATING_DATA,
                Instant.parse("2026-12-02T10:00:00Z"), Optional.empty(), List.of(), List.of(), List.of(E),
                Optional.empty(), List.of(N), false, false);
    }

    @Test
    void eachCopyChangesOnlyWhatItNames() {
        MigrationRecord r = record();
        Instant end = Instant.parse("2026-12-02T10:05:00Z");

        MigrationRecord ended = r.withStatus(MigrationStatus.FAILED, MigrationSubstatus.FAILED)
                .withEndedAt(Optional.of(end)).withErrors(List.of(BOOM));
        assertThat(ended.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(ended.substatus()).isEqualTo(MigrationSubstatus.FAILED);
        assertThat(ended.endedAt()).contains(end);
        assertThat(ended.errors()).containsExactly(BOOM);
        assertThat(ended.failedWith(MessageCode.SERVER_UNREACHABLE)).isTrue();
        assertThat(ended.failedWith(MessageCode.STATEMENT_FAILED)).as("replaced").isFalse();
        assertThat(ended.notes()).as("kept").containsExactly(N);
        assertThat(ended.spec()).isSameAs(r.spec());

        assertThat(r.withNotes(List.of(N, M)).notes()).containsExactly(N, M);
        assertThat(r.withInterrupted(true).interrupted()).isTrue();
        assertThat(r.withCancelRequested(true).cancelRequested()).isTrue();
        assertThat(r.withDatabases(List.of()).withValidationResults(List.of()).withVerification(Optional.empty()))
                .as("the same values give an equal record").isEqualTo(r);
    }
}
