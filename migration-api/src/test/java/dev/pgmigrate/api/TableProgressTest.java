package dev.pgmigrate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A table's progress moves through its states by named copies, never by rebuilding it field by field. */
class TableProgressTest {
    private static final Instant START = Instant.parse("2026-12-02T10:00:00Z");
    private static final Instant END = Instant.parse("2026-12-02T10:00:05Z");

    @Test
    void aTableGoesFromQueuedThroughItsPartsToCompleted() {
        TableProgress queued = TableProgress.queued("public", "orders", 1000, 2);
        assertThat(queued.state()).isEqualTo(TableState.QUEUED);
        assertThat(queued.qualifiedName()).isEqualTo("public.orders");

        TableProgress loading = queued.loading("binary-copy", START);
        assertThat(loading.state()).isEqualTo(TableState.LOADING);
        assertThat(loading.moverId()).contains("binary-copy");
        assertThat(loading.startedAt()).contains(START);

        TableProgress half = loading.progressed(10, 400).partDone(20, 500);
        assertThat(half.partsDone()).isEqualTo(1);
        assertThat(half.rows()).isEqualTo(20);
        assertThat(half.bytes()).isEqualTo(500);
        assertThat(half.state()).isEqualTo(TableState.LOADING);

        TableProgress done = half.completed(40, 1000, END);
        assertThat(done.state()).isEqualTo(TableState.COMPLETED);
        assertThat(done.partsDone()).isEqualTo(2);
        assertThat(done.endedAt()).contains(END);
        assertThat(done.startedAt()).as("kept from the start").contains(START);
        assertThat(done.estimatedBytes()).isEqualTo(1000);
    }

    @Test
    void aFailedTableSaysWhyAndARequeuedOneStartsFromNothing() {
        TableProgress failed = TableProgress.queued("s", "t", 10, 1).loading("text-copy", START).progressed(5, 50)
                .errored(END, "disk full");
        assertThat(failed.state()).isEqualTo(TableState.ERRORED);
        assertThat(failed.error()).contains("disk full");
        assertThat(failed.rows()).as("what was copied before it failed").isEqualTo(5);

        TableProgress again = failed.requeued();
        assertThat(again).isEqualTo(TableProgress.queued("s", "t", 10, 1));
        assertThat(again.moverId()).isEqualTo(Optional.empty());
    }

    @Test
    void noFieldMayBeNull() {
        assertThatThrownBy(() -> TableProgress.queued(null, "t", 0, 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("schema");
    }
}
