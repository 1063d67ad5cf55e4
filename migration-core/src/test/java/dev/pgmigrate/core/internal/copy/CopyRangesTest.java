package dev.pgmigrate.core.internal.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The copy's ranges, without a server: how many, and that they cover every row exactly once. */
class CopyRangesTest {
    private static final long MIB = 1 << 20;

    @Test
    void aTableIsSplitOnlyWhenItWouldOutlastTheOthers() {
        assertThat(CopyRanges.parts(100 * MIB, 128 * MIB, 10 * MIB)).as("under the setting").isEqualTo(1);
        assertThat(CopyRanges.parts(200 * MIB, 128 * MIB, 180 * MIB)).as("about a worker's share").isEqualTo(1);
        assertThat(CopyRanges.parts(1024 * MIB, 128 * MIB, 300 * MIB)).as("half a share each").isEqualTo(7);
        assertThat(CopyRanges.parts(1L << 50, 128 * MIB, 1L << 40)).as("capped").isEqualTo(CopyRanges.MAX_PARTS);
    }

    @Test
    void tidRangesAreOpenAtBothEndsAndMeetWithoutAGap() {
        assertThat(CopyRanges.byTid(1000, 4)).containsExactly("ctid < '(250,0)'::tid",
                "ctid >= '(250,0)'::tid AND ctid < '(500,0)'::tid", "ctid >= '(500,0)'::tid AND ctid < '(750,0)'::tid",
                "ctid >= '(750,0)'::tid");
    }

    /** Snowflake or hash ids span nearly all of bigint: {@code long} arithmetic overflowed on them. */
    @Test
    void keyRangesOverTheWholeBigintSpanNeitherOverflowNorLeaveAGap() {
        BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
        BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);

        List<String> filters = CopyRanges.byKey("\"id\"", min, max, 4);

        assertThat(filters).containsExactly("\"id\" < -4611686018427387904",
                "\"id\" >= -4611686018427387904 AND \"id\" < 0", "\"id\" >= 0 AND \"id\" < 4611686018427387904",
                "\"id\" >= 4611686018427387904");
    }

    @Test
    void aNarrowKeyGivesRangesThatStillCoverEveryValue() {
        List<String> filters = CopyRanges.byKey("k", BigInteger.ONE, BigInteger.valueOf(3), 4);

        assertThat(filters).hasSize(4).first().isEqualTo("k < 1");
        assertThat(filters).last().isEqualTo("k >= 3");
        for (long value = 1; value <= 3; value++) {
            long v = value;
            assertThat(filters.stream().filter(f -> covers(f, v))).as("ranges holding %d", v).hasSize(1);
        }
    }

    /** Whether {@code k = value} satisfies a filter of the form {@code k >= a AND k < b}. */
    private static boolean covers(String filter, long value) {
        boolean ok = true;
        for (String part : filter.split(" AND ")) {
            long bound = Long.parseLong(part.substring(part.lastIndexOf(' ') + 1));
            ok &= part.contains(">=") ? value >= bound : value < bound;
        }
        return ok;
    }
}
