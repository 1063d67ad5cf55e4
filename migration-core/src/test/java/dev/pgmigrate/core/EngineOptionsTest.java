package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.spi.CopyContext;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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

    @Test
    void unknownNamesUnderTheEnginesPrefixesAreRefusedWithTheClosestName(@TempDir Path dir) {
        MigrationSettings settings = MigrationSettings.builder().option("source.lockTimeoutSecs", "5")
                .option("rollback.waitSecs", "5").option("verify.duringCopy", "false").build();
        MigrationSpec spec = MigrationSpec.builder().name("typo-options")
                .source(ServerSpec.builder().host("127.0.0.1").port(1).adminLogin("a").build())
                .target(ServerSpec.builder().host("127.0.0.1").port(2).adminLogin("b").build())
                .databases("shop").settings(settings).build();
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(dir))
                .plugins(Plugins.of(List.of(), List.of())).build()) {
            assertThatThrownBy(() -> service.start(spec)).isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                assertThat(e.problems()).extracting(SpecProblem::field).containsExactly(
                        "settings.options.rollback.waitSecs", "settings.options.source.lockTimeoutSecs");
                assertThat(e.problems()).extracting(SpecProblem::rule).anySatisfy(r -> assertThat(r)
                        .contains("did you mean \"source.lockTimeoutSeconds\"?")).anySatisfy(r -> assertThat(r)
                        .contains("did you mean \"rollback.waitSeconds\"?"));
            });
            assertThat(service.list()).isEmpty();
        }
    }

    @Test
    void aPluginsDeclaredNamesClaimTheirPrefixAndOtherPrefixesStayOpen() {
        DataMover mover = new DataMover() {
            @Override
            public String id() {
                return "acme-copy";
            }

            @Override
            public int priority() {
                return 1;
            }

            @Override
            public boolean supports(CopyTask task) {
                return false;
            }

            @Override
            public MoveResult move(CopyTask task, CopyContext context) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Set<String> options() {
                return Set.of("acme.chunkRows");
            }
        };
        Plugins plugins = Plugins.of(List.of(), List.of(mover));
        MigrationSettings settings = MigrationSettings.builder().option("acme.chunkRow", "5")
                .option("acme.chunkRows", "5").option("experiment.anything", "1").option("verify.targetHashes",
                        "true").build();

        assertThat(plugins.optionProblems(settings)).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("settings.options.acme.chunkRow");
            assertThat(p.rule()).contains("did you mean \"acme.chunkRows\"?").contains("'acme.' is theirs");
        });
    }
}
