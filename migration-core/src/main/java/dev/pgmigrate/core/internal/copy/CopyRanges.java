package dev.pgmigrate.core.internal.copy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * How a large table is cut into ranges that workers copy side by side: how many, and each range's {@code WHERE}
 * condition, by TID (sources 14 and later scan a TID range) or by a single-column integer key. Pure arithmetic,
 * so it is tested without a server.
 */
public final class CopyRanges {
    /** More ranges than this only add sessions and per-range overhead. */
    static final int MAX_PARTS = 64;

    private CopyRanges() {
    }

    /**
     * How many ranges a table of {@code bytes} needs, or 1 when it is best copied whole: when it is not above
     * {@code threshold} (the split setting) or not so much larger than one worker's share of the database
     * ({@code share}) that it would still copy after the others are done.
     */
    static int parts(long bytes, long threshold, long share) {
        if (bytes <= threshold || bytes <= share + share / 4) {
            return 1;
        }
        long partBytes = Math.max(threshold, share / 2);
        return (int) Math.min(MAX_PARTS, Math.max(2, (bytes + partBytes - 1) / partBytes));
    }

    /** {@code parts} conditions on {@code ctid} over {@code blocks} pages; the first and last are open-ended. */
    public static List<String> byTid(long blocks, int parts) {
        List<String> filters = new ArrayList<>(parts);
        long pages = Math.max(1, blocks);
        for (int i = 0; i < parts; i++) {
            String lower = i == 0 ? null : "ctid >= '(" + pages * i / parts + ",0)'::tid";
            String upper = i == parts - 1 ? null : "ctid < '(" + pages * (i + 1) / parts + ",0)'::tid";
            filters.add(join(lower, upper));
        }
        return filters;
    }

    /**
     * {@code parts} conditions on the integer key {@code column} (already quoted) from {@code min} to {@code max},
     * in exact arithmetic: a bigint key may span more than a long holds (snowflake or hash ids). The first and
     * last are open-ended, so a row outside the bounds read is still copied.
     */
    static List<String> byKey(String column, BigInteger min, BigInteger max, int parts) {
        List<String> filters = new ArrayList<>(parts);
        BigInteger span = max.subtract(min).add(BigInteger.ONE);
        BigInteger count = BigInteger.valueOf(parts);
        for (int i = 0; i < parts; i++) {
            BigInteger from = min.add(span.multiply(BigInteger.valueOf(i)).divide(count));
            BigInteger to = min.add(span.multiply(BigInteger.valueOf(i + 1L)).divide(count));
            filters.add(join(i == 0 ? null : column + " >= " + from, i == parts - 1 ? null : column + " < " + to));
        }
        return filters;
    }

    private static String join(String lower, String upper) {
        if (lower == null) {
            return upper;
        }
        return upper == null ? lower : lower + " AND " + upper;
    }
}
