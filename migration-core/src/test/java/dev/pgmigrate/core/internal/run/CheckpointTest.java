package dev.pgmigrate.core.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.core.internal.run.Checkpoint.Stage;
import org.junit.jupiter.api.Test;

/** The stages a resume reads keep the labels earlier versions stored. */
class CheckpointTest {
    @Test
    void storedLabelsReadAsTheirStagesAndAnUnknownOneStartsTheDatabaseAgain() {
        assertThat(Stage.of("")).isEqualTo(Stage.NONE);
        assertThat(Stage.of("created")).isEqualTo(Stage.CREATED);
        assertThat(Stage.of("schema")).isEqualTo(Stage.SCHEMA);
        assertThat(Stage.of("data")).isEqualTo(Stage.DATA);
        assertThat(Stage.of("verified")).isEqualTo(Stage.VERIFIED);
        assertThat(Stage.of("done")).isEqualTo(Stage.DONE);
        assertThat(Stage.of("copying")).as("a stage this version does not know").isEqualTo(Stage.CREATED);
    }
}
