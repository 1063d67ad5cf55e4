package dev.pgmigrate.core.internal.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The order copies start in, without a server: the longest copy still ahead first. */
class CopyOrderTest {
    private static final long MIB = 1 << 20;

    /**
     * pgbench at scale 50 beside a 200 MB table copied whole: the large table's ranges go first until what is left
     * of it is shorter than the other table, which then copies beside its last range and its key's build.
     */
    @Test
    void aWholeTableStartsBesideTheLastRangeOfALargerOne() {
        List<TableCopy.Part> parts = new ArrayList<>(ranges(1, 656 * MIB, 4));
        parts.add(whole(2, 200 * MIB));
        parts.add(whole(3, 1 * MIB));

        assertThat(names(CopyOrder.longestRemainingFirst(parts)))
                .containsExactly("t1.1", "t1.2", "t1.3", "t2.1", "t1.4", "t3.1");
    }

    /** At scale 100 a range alone outlasts the other table: all ranges first, as largest part first had it. */
    @Test
    void rangesLongerThanTheNextTableAllGoFirst() {
        List<TableCopy.Part> parts = new ArrayList<>(List.of(whole(2, 200 * MIB)));
        parts.addAll(ranges(1, 1320 * MIB, 4));

        assertThat(names(CopyOrder.longestRemainingFirst(parts)))
                .containsExactly("t1.1", "t1.2", "t1.3", "t1.4", "t2.1");
    }

    @Test
    void tablesCopiedWholeGoLargestFirstAndTiesByTable() {
        List<TableCopy.Part> parts = List.of(whole(5, 10), whole(4, 30), whole(3, 10), whole(2, 20));

        assertThat(names(CopyOrder.longestRemainingFirst(parts))).containsExactly("t4.1", "t2.1", "t3.1", "t5.1");
    }

    @Test
    void twoSplitTablesInterleaveByWhatIsLeftOfEach() {
        List<TableCopy.Part> parts = new ArrayList<>(ranges(1, 300, 3));
        parts.addAll(ranges(2, 250, 2));

        assertThat(names(CopyOrder.longestRemainingFirst(parts)))
                .containsExactly("t1.1", "t2.1", "t1.2", "t2.2", "t1.3");
    }

    private static List<TableCopy.Part> ranges(long oid, long bytes, int count) {
        List<TableCopy.Part> parts = new ArrayList<>();
        for (int i = count; i >= 1; i--) { // given last range first: the order must not depend on it
            parts.add(new TableCopy.Part(table(oid, bytes), i, count, Optional.of("range " + i), bytes / count));
        }
        return parts;
    }

    private static TableCopy.Part whole(long oid, long bytes) {
        return new TableCopy.Part(table(oid, bytes), 1, 1, Optional.empty(), bytes);
    }

    private static Table table(long oid, long bytes) {
        return new Table(oid, "public", "t" + oid, 'r', bytes, List.of(), Optional.empty());
    }

    private static List<String> names(List<TableCopy.Part> parts) {
        return parts.stream().map(p -> p.table().name() + "." + p.part()).toList();
    }
}
