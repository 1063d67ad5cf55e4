package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad engine option is a spec problem naming the field, refused before anything is written or connected. */
class EngineOptionsTest {

    @Test
    void badOptionValuesAreRefusedBeforeTheRecordIsWritten(@TempDir Path dir) {
        MigrationSettings settings = MigrationSettings.builder().option("connection.socketTimeoutSeconds", "abc")
                .option("source.lockTimeoutSeconds", "0").option("verify.duringCopy", "sometimes")
                .option("roles.scope", "everyone").option("connection.watchSeconds", "0")
                .option("online.replicaIdentityFull", "yes").build();
        // Nothing listens on these ports: the check comes before any connection.
        MigrationSpec spec = MigrationSpec.builder().name("bad-options")
                .source(ServerSpec.builder().host("127.0.0.1").port(1).adminLogin("a").build())
                .target(ServerSpec.builder().host("127.0.0.1").port(2).adminLogin("b").build())
                .databases("shop").settings(settings).build();
        FileMigrationStore store = new FileMigrationStore(dir);
        try (MigrationService service = MigrationService.builder().store(store).build()) {
            assertThatThrownBy(() -> service.start(spec)).isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                assertThat(e.problems()).extracting(p -> p.field()).containsExactlyInAnyOrder(
                        "settings.options.connection.socketTimeoutSeconds", "settings.options.source.lockTimeoutSeconds",
                        "settings.options.verify.duringCopy", "settings.options.roles.scope",
                        "settings.options.connection.watchSeconds", "settings.options.online.replicaIdentityFull");
                assertThat(e.problems()).filteredOn(p -> p.field().endsWith("socketTimeoutSeconds")).singleElement()
                        .satisfies(p -> {
                            assertThat(p.value()).isEqualTo("abc");
                            assertThat(p.rule()).contains("whole number of seconds");
                        });
            });
            assertThat(service.list()).isEmpty();
        }
    }
}
