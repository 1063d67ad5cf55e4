package dev.pgmigrate.core.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.ServerFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgToolsTest {
    @Test
    void theConfiguredPgDumpIsUsedWhenItIsNewEnoughAndPassedOverWhenItIsNot(@TempDir Path dir) throws Exception {
        Path pgDump = dir.resolve("pg_dump");
        Files.writeString(pgDump, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 12.3'\n");
        Files.setPosixFilePermissions(pgDump, PosixFilePermissions.fromString("rwx------"));
        MigrationSettings settings = MigrationSettings.builder().pgDumpDirectory(dir.toString()).build();

        PgTools.PgDump chosen = PgTools.pgDumpFor(source(110000), settings);
        assertThat(chosen.path()).isEqualTo(pgDump);
        assertThat(chosen.majorNum()).isEqualTo(120000);

        // Too old for a 13 source: the machine's own (the build needs PostgreSQL 15's client tools) is used.
        PgTools.PgDump fallback = PgTools.pgDumpFor(source(130000), settings);
        assertThat(fallback.path()).isNotEqualTo(pgDump);
        assertThat(fallback.majorNum()).isGreaterThanOrEqualTo(130000);
    }

    @Test
    void aPgDumpThatNeverAnswersIsGivenUpInsteadOfHangingTheMigration(@TempDir Path dir) throws Exception {
        Path pgDump = dir.resolve("pg_dump");
        Files.writeString(pgDump, "#!/bin/sh\nexec sleep 600\n");
        Files.setPosixFilePermissions(pgDump, PosixFilePermissions.fromString("rwx------"));
        MigrationSettings settings = MigrationSettings.builder().pgDumpDirectory(dir.toString()).build();

        long started = System.nanoTime();
        PgTools.PgDump chosen = PgTools.pgDumpFor(source(110000), settings);
        assertThat(chosen.path()).isNotEqualTo(pgDump);
        assertThat((System.nanoTime() - started) / 1_000_000_000).as("seconds").isLessThan(60);
    }

    private static ServerFacts source(int versionNum) {
        return new ServerFacts(versionNum, String.valueOf(versionNum), "postgres", true, true, true, false, "postgres",
                List.of());
    }
}
