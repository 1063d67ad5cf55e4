package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ServerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileMigrationStoreTest {
    private static final String NAMESPACE = "10.0.0.5_5432";

    @Test
    void aNewMigrationIsCheckedAgainstTheOnesStillInProgressOnly(@TempDir Path dir) {
        FileMigrationStore store = new FileMigrationStore(dir);
        store.create(stored("done", MigrationStatus.SUCCEEDED), existing -> Optional.empty());
        store.create(stored("failed", MigrationStatus.FAILED), existing -> Optional.empty());
        store.create(stored("running", MigrationStatus.IN_PROGRESS), existing -> Optional.empty());

        List<String> seen = new ArrayList<>();
        store.create(stored("next", MigrationStatus.IN_PROGRESS), existing -> {
            existing.forEach(m -> seen.add(m.name()));
            return Optional.empty();
        });

        assertThat(seen).containsExactly("running");
        assertThat(store.list()).extracting(StoredMigration::name)
                .containsExactlyInAnyOrder("done", "failed", "running", "next");
    }

    @Test
    void aDamagedRecordIsReportedWithItsFileInsteadOfPassedOver(@TempDir Path dir) throws Exception {
        FileMigrationStore store = new FileMigrationStore(dir);
        store.create(stored("done", MigrationStatus.SUCCEEDED), existing -> Optional.empty());
        Path damaged = dir.resolve(NAMESPACE).resolve("edited.json");
        Files.writeString(damaged, "{\"namespace\": \"" + NAMESPACE + "\", \"record\": {\"spec\": ");

        assertThatThrownBy(() -> store.create(stored("next", MigrationStatus.IN_PROGRESS),
                existing -> Optional.empty()))
                .isInstanceOf(MigrationException.class).hasMessageContaining(damaged.toString());
        assertThat(dir.resolve(NAMESPACE).resolve("next.json")).doesNotExist();
    }

    private static StoredMigration stored(String name, MigrationStatus status) {
        ServerSpec server = ServerSpec.builder().host("10.0.0.5").port(5432).adminLogin("postgres").build();
        MigrationSpec spec = MigrationSpec.builder().name(name).source(server).target(server).databases("app")
                .build();
        Instant now = Instant.parse("2026-11-29T10:00:00Z");
        MigrationRecord record = new MigrationRecord(spec, status, status.isFinal() ? MigrationSubstatus.COMPLETED
                : MigrationSubstatus.MIGRATING_DATA, now, Optional.empty(), List.of(), List.of(), List.of(),
                Optional.empty(), List.of(), false, false);
        return new StoredMigration(NAMESPACE, record, List.of(), Optional.empty(), now, Map.of(), Map.of());
    }
}
