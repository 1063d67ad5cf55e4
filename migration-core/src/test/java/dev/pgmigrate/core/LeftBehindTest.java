package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.StoredMigration.JournalEntry;
import dev.pgmigrate.core.internal.run.JournalKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a migration still holds, per server: an online migration's slot and publication are the source's, not
 * the target's, so they are not listed among what is left on the target.
 */
class LeftBehindTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void theSourcesSlotIsLeftOnTheSourceNotOnTheTarget() {
        MigrationSpec spec = MigrationSpec.builder().name("shop-move")
                .source(ServerSpec.builder().host("10.0.0.4").port(5432).adminLogin("postgres").build())
                .target(ServerSpec.builder().host("pg.example.com").port(5432).adminLogin("admin").build())
                .databases("shop").build();
        MigrationRecord failed = new MigrationRecord(spec, MigrationStatus.FAILED, MigrationSubstatus.FAILED, T0,
                Optional.of(T0.plusSeconds(60)), List.of(), List.of(), List.of(), Optional.empty(), List.of(), false,
                false);
        InMemoryMigrationStore store = new InMemoryMigrationStore();
        store.create(new StoredMigration(MigrationService.namespaceOf(spec.target()), failed, List.of(
                new JournalEntry(JournalKind.CREATE_DATABASE.label(), "pgmigrate_1a2b_0", "shop", T0),
                new JournalEntry(JournalKind.SOURCE_SLOT.label(), "pgmigrate_1a2b_0", "shop", T0)),
                Optional.empty(), T0, Map.of(), Map.of()), existing -> Optional.empty());

        try (MigrationService service = MigrationService.builder().store(store).build()) {
            assertThat(service.leftOnTarget("shop-move")).singleElement().asString().startsWith("database "
                    + "pgmigrate_1a2b_0");
            assertThat(service.leftOnSource("shop-move")).singleElement().asString()
                    .isEqualTo("replication slot and publication pgmigrate_1a2b_0 in database shop on the source");
        }
    }
}
