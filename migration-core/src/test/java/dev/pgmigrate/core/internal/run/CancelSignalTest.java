package dev.pgmigrate.core.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationCanceledException;
import org.junit.jupiter.api.Test;

class CancelSignalTest {
    @Test
    void aChildIsCanceledWithItsParentAndAloneWithoutIt() {
        CancelSignal parent = new CancelSignal();
        CancelSignal alone = parent.child();
        CancelSignal along = parent.child();
        alone.cancel("stopped alone");
        assertThat(alone.isCanceled()).isTrue();
        assertThat(parent.isCanceled()).isFalse();
        assertThat(along.isCanceled()).isFalse();

        parent.cancel("canceled by the user");
        assertThat(along.isCanceled()).isTrue();
        assertThat(along.reason()).isEqualTo("canceled by the user");
        assertThatThrownBy(along::check).isInstanceOf(MigrationCanceledException.class)
                .hasMessageContaining("canceled by the user");
    }

    @Test
    void aChildOfACanceledSignalIsBornCanceled() {
        CancelSignal parent = new CancelSignal();
        parent.cancel("canceled");
        assertThat(parent.child().isCanceled()).isTrue();
    }
}
