package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The builds of a table and the activity of a database are stored beside what records held before them. */
class ProgressRecordJsonTest {
    private final ObjectMapper json = RecordJson.mapper();

    @Test
    void buildsAndActivityAreWrittenAndReadBack() throws Exception {
        TableProgress table = TableProgress.queued("public", "orders", 8192, 1).withBuilds(3)
                .loading("binary-copy", Instant.EPOCH).completed(10, 100, Instant.EPOCH.plusSeconds(1))
                .building(Optional.of("index orders_pkey")).built(Duration.ofMillis(1500))
                .analyzed(Duration.ofMillis(250));
        DatabaseProgress db = new DatabaseProgress("shop", MigrationStatus.IN_PROGRESS, Optional.of(Instant.EPOCH),
                Optional.empty(), List.of(table), Optional.empty(), Optional.of("verifying"));

        String written = json.writeValueAsString(db);
        DatabaseProgress read = json.readValue(written, DatabaseProgress.class);

        assertThat(read).isEqualTo(db);
        assertThat(read.builds()).isEqualTo(3);
        assertThat(read.buildsDone()).isEqualTo(1);
        assertThat(read.building()).containsExactly("public.orders: index orders_pkey");
        assertThat(json.readTree(written).at("/tables/0/buildTime").asText()).isEqualTo("PT1.5S");
    }

    @Test
    void aDatabaseStoredBeforeBuildsWereCountedLoadsWithoutThem() throws Exception {
        TableProgress table = new TableProgress("public", "orders", TableState.COMPLETED, 10, 100, 8192, 1, 1,
                Optional.of("binary-copy"), Optional.of(Instant.EPOCH), Optional.of(Instant.EPOCH.plusSeconds(1)),
                Optional.empty());
        DatabaseProgress db = new DatabaseProgress("shop", MigrationStatus.SUCCEEDED, Optional.of(Instant.EPOCH),
                Optional.of(Instant.EPOCH.plusSeconds(2)), List.of(table), Optional.empty());
        ObjectNode stored = json.valueToTree(db);
        stored.remove("activity");
        ObjectNode storedTable = (ObjectNode) stored.get("tables").get(0);
        for (String field : List.of("builds", "buildsDone", "building", "buildTime", "analyzeTime")) {
            assertThat(storedTable.remove(field)).as(field).isNotNull();
        }

        DatabaseProgress read = json.treeToValue(stored, DatabaseProgress.class);

        assertThat(read).isEqualTo(db);
        assertThat(read.activity()).isEmpty();
        assertThat(read.tables().get(0).builds()).isZero();
        assertThat(read.tables().get(0).buildTime()).isEmpty();
        assertThat(read.queued()).isFalse();
    }

    @Test
    void aDatabaseNotBegunIsQueuedAndOneWithoutTablesIsCopied() {
        DatabaseProgress waiting = new DatabaseProgress("later", MigrationStatus.IN_PROGRESS, Optional.empty(),
                Optional.empty(), List.of(), Optional.empty());
        assertThat(waiting.queued()).isTrue();
        assertThat(waiting.copied()).isTrue();
        DatabaseProgress begun = new DatabaseProgress("now", MigrationStatus.IN_PROGRESS, Optional.of(Instant.EPOCH),
                Optional.empty(), List.of(TableProgress.queued("public", "t", 1, 1)), Optional.empty());
        assertThat(begun.queued()).isFalse();
        assertThat(begun.copied()).isFalse();
    }
}
