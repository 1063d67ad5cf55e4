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

    @Test
    void anUpdateStartsFromWhatAnotherProcessOrAnEditorWroteMeanwhile(@TempDir Path dir) throws Exception {
        FileMigrationStore mine = new FileMigrationStore(dir);
        FileMigrationStore other = new FileMigrationStore(dir); // as another process sees the same directory
        mine.create(stored("shared", MigrationStatus.IN_PROGRESS), existing -> Optional.empty());
        mine.update(NAMESPACE, "shared", m -> m.withState(Map.of("mine", "1")));

        other.update(NAMESPACE, "shared", m -> m.withState(plus(m.state(), "other", "2")));
        StoredMigration afterOther = mine.update(NAMESPACE, "shared", m -> m.withState(plus(m.state(), "mine", "3")));
        assertThat(afterOther.state()).containsExactlyInAnyOrderEntriesOf(Map.of("mine", "3", "other", "2"));

        // an edit in place keeps the file's inode but not its size or time
        Path file = dir.resolve(NAMESPACE).resolve("shared.json");
        String edited = Files.readString(file).replaceAll("\"other\"\\s*:\\s*\"2\"", "\"other\": \"edited\"");
        assertThat(edited).contains("edited");
        Files.writeString(file, edited);
        StoredMigration afterEdit = mine.update(NAMESPACE, "shared", m -> m);
        assertThat(afterEdit.state()).containsEntry("other", "edited");
        assertThat(mine.load(NAMESPACE, "shared").orElseThrow().state()).isEqualTo(afterEdit.state());
    }

    private static Map<String, String> plus(Map<String, String> map, String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(map);
        copy.put(key, value);
        return copy;
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

    @Test
    void aStateDirectoryOfAnotherUserIsRefusedAndOneOfOursIsMadePrivate(@TempDir Path dir) throws Exception {
        Path loose = Files.createDirectory(dir.resolve("loose"));
        Files.setPosixFilePermissions(loose, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        new FileMigrationStore(loose);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(loose)))
                .isEqualTo("rwx------");

        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "giving a directory to another user needs root");
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setOwner(theirs, theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThatThrownBy(() -> new FileMigrationStore(theirs)).isInstanceOf(MigrationException.class)
                .hasMessageContaining("belongs to user nobody").hasMessageContaining("--state-dir");
    }
}
