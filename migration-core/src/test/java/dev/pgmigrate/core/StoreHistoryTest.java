package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ServerSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration replaced by a later one of its name is kept, and read back in order, by both stores; the one of the
 * same name is given to the conflict check even when it ended, so the engine can refuse a name in use.
 */
class StoreHistoryTest {
    private static final String NAMESPACE = "10.0.0.5_5432";

    @Test
    void theFileStoreKeepsReplacedRecordsInOrderAndShowsTheEndedOneOfTheSameName(@TempDir Path dir) {
        FileMigrationStore store = new FileMigrationStore(dir);
        checkHistory(store);
        assertThat(dir.resolve(NAMESPACE).resolve("history")).isDirectory();
        assertThat(store.list()).extracting(StoredMigration::name).containsExactlyInAnyOrder("2024-move", "other");
    }

    @Test
    void theMemoryStoreKeepsThemToo() {
        checkHistory(new InMemoryMigrationStore());
    }

    private static void checkHistory(MigrationStore store) {
        store.create(stored("2024-move", MigrationStatus.CANCELED, 1), existing -> Optional.empty());
        store.create(stored("other", MigrationStatus.SUCCEEDED, 2), existing -> Optional.empty());
        List<String> seen = new ArrayList<>();
        store.create(stored("2024-move", MigrationStatus.FAILED, 3), existing -> {
            existing.forEach(m -> seen.add(m.name() + " " + m.record().status().label()));
            return Optional.empty();
        });
        assertThat(seen).contains("2024-move Canceled");
        store.create(stored("2024-move", MigrationStatus.SUCCEEDED, 4), existing -> Optional.empty());

        assertThat(store.history(NAMESPACE, "2024-move")).extracting(m -> m.record().status())
                .containsExactly(MigrationStatus.CANCELED, MigrationStatus.FAILED);
        assertThat(store.history(NAMESPACE, "move")).isEmpty();
        assertThat(store.history()).hasSize(2);
        assertThat(store.load(NAMESPACE, "2024-move").orElseThrow().record().status())
                .isEqualTo(MigrationStatus.SUCCEEDED);
    }

    private static StoredMigration stored(String name, MigrationStatus status, int minute) {
        ServerSpec server = ServerSpec.builder().host("10.0.0.5").port(5432).adminLogin("postgres").build();
        MigrationSpec spec = MigrationSpec.builder().name(name).source(server).target(server).databases("app")
                .build();
        Instant at = Instant.parse("2026-11-29T10:00:00Z").plusSeconds(60L * minute);
        MigrationRecord record = new MigrationRecord(spec, status, MigrationSubstatus.COMPLETED, at, Optional.of(at),
                List.of(), List.of(), List.of(), Optional.empty(), List.of(), false, false);
        return new StoredMigration(NAMESPACE, record, List.of(), Optional.empty(), at, Map.of(), Map.of());
    }
}
