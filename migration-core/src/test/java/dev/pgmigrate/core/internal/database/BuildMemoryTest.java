package dev.pgmigrate.core.internal.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BuildMemoryTest {
    @Test
    void memorySettingsAreReadInKilobytesAsPostgresqlReadsThem() {
        assertThat(WorkerSessions.memoryKilobytes("65536")).isEqualTo(65_536);
        assertThat(WorkerSessions.memoryKilobytes("64kB")).isEqualTo(64);
        assertThat(WorkerSessions.memoryKilobytes("512MB")).isEqualTo(524_288);
        assertThat(WorkerSessions.memoryKilobytes(" 2 GB ")).isEqualTo(2_097_152);
        assertThat(WorkerSessions.memoryKilobytes("1TB")).isEqualTo(1_073_741_824L);
        assertThatThrownBy(() -> WorkerSessions.memoryKilobytes("lots")).isInstanceOf(IllegalArgumentException.class);
    }
}
