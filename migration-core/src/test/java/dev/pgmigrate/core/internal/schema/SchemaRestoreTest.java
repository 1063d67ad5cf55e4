package dev.pgmigrate.core.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SchemaRestoreTest {
    private static Entry key(int i) {
        return new Entry("t" + i + " t" + i + "_pkey", "CONSTRAINT", "public", "postgres", List.of());
    }

    @Test
    void aMessageAboutABatchNamesItsFirstEntriesAndCountsTheRest() {
        List<Entry> fifty = IntStream.rangeClosed(1, 50).mapToObj(SchemaRestoreTest::key).toList();
        assertThat(SchemaRestore.named(fifty)).isEqualTo("CONSTRAINT t1 t1_pkey, CONSTRAINT t2 t2_pkey, "
                + "CONSTRAINT t3 t3_pkey, CONSTRAINT t4 t4_pkey, CONSTRAINT t5 t5_pkey and 45 more");
        assertThat(SchemaRestore.named(List.of(key(1), key(2)))).isEqualTo("CONSTRAINT t1 t1_pkey, CONSTRAINT t2 t2_pkey");
    }

    @Test
    void aBatchOfStatisticsAloneIsNamedForWhatItDoes() {
        assertThat(SchemaRestore.named(List.of())).isEqualTo("the tables' statistics (ANALYZE)");
    }
}
