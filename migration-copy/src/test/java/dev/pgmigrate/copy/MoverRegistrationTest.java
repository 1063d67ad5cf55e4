package dev.pgmigrate.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pgmigrate.api.spi.DataMover;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class MoverRegistrationTest {
    @Test
    void registersBothMoversWithTheirIdsAndPriorities() {
        assertThat(ServiceLoader.load(DataMover.class).stream().map(ServiceLoader.Provider::get))
                .extracting(DataMover::id, DataMover::priority)
                .containsExactlyInAnyOrder(tuple("binary-copy", 100), tuple("text-copy", 10));
    }
}
