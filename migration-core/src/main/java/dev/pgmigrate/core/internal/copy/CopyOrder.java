package dev.pgmigrate.core.internal.copy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which copies start: the longest copy still ahead first. A table copied whole counts its own bytes;
 * a range of a table copied in ranges counts its table's bytes from that range on. So a large table's ranges go
 * first until what is left of it is no longer than the next table, which then starts beside its last ranges, and
 * that table's copy runs beside the large table's key build, which can only follow its last range, instead of the
 * build running alone at the end. Largest part first, as before, among tables copied whole. Pure, so it is tested
 * without a server.
 */
final class CopyOrder {
    private CopyOrder() {
    }

    /** {@code parts} in the order they start. */
    static List<TableCopy.Part> longestRemainingFirst(List<TableCopy.Part> parts) {
        Map<Long, List<TableCopy.Part>> byTable = new HashMap<>();
        for (TableCopy.Part part : parts) {
            byTable.computeIfAbsent(part.table().oid(), k -> new ArrayList<>()).add(part);
        }
        List<Ranked> ranked = new ArrayList<>(parts.size());
        for (List<TableCopy.Part> ranges : byTable.values()) {
            ranges.sort(Comparator.comparingInt(TableCopy.Part::part));
            long fromHere = 0;
            for (int i = ranges.size() - 1; i >= 0; i--) {
                fromHere += ranges.get(i).estimatedBytes();
                ranked.add(new Ranked(ranges.get(i), fromHere));
            }
        }
        ranked.sort(Comparator.comparingLong(Ranked::remaining).thenComparingLong(r -> r.part().estimatedBytes())
                .reversed().thenComparingLong(r -> r.part().table().oid()).thenComparingInt(r -> r.part().part()));
        return ranked.stream().map(Ranked::part).toList();
    }

    /** A part and the bytes of its table still to copy from it on. */
    private record Ranked(TableCopy.Part part, long remaining) {
    }
}
