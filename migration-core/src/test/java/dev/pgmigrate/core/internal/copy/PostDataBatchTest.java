package dev.pgmigrate.core.internal.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gathering of small tables' post-data, without a server: what each table asks to queue, what each task takes. */
class PostDataBatchTest {
    @Test
    void theFirstTableQueuesTheRestTaskAndAFullBatchQueuesItsOwn() {
        PostDataBatch<Integer> batch = new PostDataBatch<>();
        assertThat(batch.isOpen()).isFalse();
        batch.open();
        assertThat(batch.isOpen()).isTrue();
        List<PostDataBatch.Queue> asked = new ArrayList<>();
        for (int i = 0; i < PostDataBatch.TABLES; i++) {
            asked.add(batch.add(i));
        }
        assertThat(asked.get(0)).isEqualTo(PostDataBatch.Queue.REST);
        assertThat(asked.subList(1, PostDataBatch.TABLES - 1)).containsOnly(PostDataBatch.Queue.NOTHING);
        assertThat(asked.get(PostDataBatch.TABLES - 1)).isEqualTo(PostDataBatch.Queue.FULL);
        assertThat(batch.takeFull()).hasSize(PostDataBatch.TABLES).startsWith(0, 1);
        assertThat(batch.takeFull()).isEmpty();
    }

    @Test
    void theRestTaskTakesEverythingInBatchesAndOnceEmptyTheNextTableQueuesAnother() {
        PostDataBatch<Integer> batch = new PostDataBatch<>();
        batch.open();
        assertThat(batch.add(0)).isEqualTo(PostDataBatch.Queue.REST);
        for (int i = 1; i < PostDataBatch.TABLES + 10; i++) {
            batch.add(i);
        }
        // A full batch was asked for on the way; the rest task may take it first.
        assertThat(batch.takeRest()).hasSize(PostDataBatch.TABLES);
        assertThat(batch.add(-1)).as("a rest task is still running").isEqualTo(PostDataBatch.Queue.NOTHING);
        assertThat(batch.takeRest()).hasSize(11).endsWith(-1);
        assertThat(batch.takeFull()).as("the full batch's task finds it taken").isEmpty();
        assertThat(batch.takeRest()).isEmpty();
        assertThat(batch.add(7)).as("after the rest task saw it empty").isEqualTo(PostDataBatch.Queue.REST);
    }
}
