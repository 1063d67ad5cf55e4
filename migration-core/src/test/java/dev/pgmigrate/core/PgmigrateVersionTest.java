package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerSpec;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The version this build wrote, how it reads for people, and that a new migration's record keeps it. */
class PgmigrateVersionTest {
    @Test
    void theBuildWroteTheProjectVersionAndACommitWhenItHadGit() {
        PgmigrateVersion current = PgmigrateVersion.current();
        assertThat(current.version()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        current.commit().ifPresent(c -> assertThat(c).matches("[0-9a-f]{7,40}"));
    }

    @Test
    void aStartingMigrationsRecordKeepsTheVersionRunningIt() {
        MigrationSpec spec = MigrationSpec.builder().name("versioned").databases("shop")
                .source(ServerSpec.builder().host("src").port(5432).adminLogin("a").build())
                .target(ServerSpec.builder().host("tgt").port(5432).adminLogin("b").build()).build();
        MigrationRecord first = FirstRecord.of(spec, "tgt-5432", Map.of(), Instant.EPOCH).record();
        assertThat(first.pgmigrateVersion()).contains(PgmigrateVersion.current().display());
    }

    @Test
    void displaysTheCommitOrSaysItIsUnknown() {
        assertThat(new PgmigrateVersion("0.1.0", Optional.of("1a2b3c4d5e6f"), false).display())
                .isEqualTo("0.1.0 (commit 1a2b3c4d5e6f)");
        assertThat(new PgmigrateVersion("0.1.0", Optional.of("1a2b3c4d5e6f"), true).display())
                .isEqualTo("0.1.0 (commit 1a2b3c4d5e6f, modified)");
        assertThat(new PgmigrateVersion("0.2.0", Optional.empty(), false).display())
                .isEqualTo("0.2.0 (unknown commit)");
    }

    @Test
    void rejectsABlankVersion() {
        assertThatThrownBy(() -> new PgmigrateVersion(" ", Optional.empty(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
    }
}
