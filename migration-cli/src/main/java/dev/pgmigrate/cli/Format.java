package dev.pgmigrate.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Numbers, sizes, durations and tables as the CLI prints them. */
final class Format {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Format() {
    }

    static String count(long n) {
        return dev.pgmigrate.core.report.Sizes.count(n);
    }

    static String bytes(long bytes) {
        return dev.pgmigrate.core.report.Sizes.bytes(bytes);
    }

    /** {@code 0:04:07}, or {@code 2d 03:00:00} past a day. */
    static String duration(Duration d) {
        long seconds = Math.max(0, d.getSeconds());
        long days = seconds / 86_400;
        String clock = String.format(Locale.ROOT, "%d:%02d:%02d", (seconds % 86_400) / 3600, (seconds % 3600) / 60,
                seconds % 60);
        return days > 0 ? days + "d " + clock : clock;
    }

    /** Seconds with one decimal, for short things such as one table's copy. */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** Seconds with one decimal under a minute ({@code 0.9 s}), else as {@link #duration}: for a short span. */
    static String span(Duration d) {
        return d.compareTo(Duration.ofMinutes(1)) < 0 ? seconds(d.isNegative() ? Duration.ZERO : d) : duration(d);
    }

    /** Local time, to the second. */
    static String time(Instant at) {
        return TIME.format(at);
    }

    /** A UTC timestamp for plain progress lines: {@code 2026-11-21T11:42:03Z}. */
    static String stamp(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Aligned columns under a header row, two spaces apart. */
    static String table(List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    /**
     * Names in a line a table's row can hold: all of them when they are few and short ({@code inventory, orders}),
     * else the first two and how many more ({@code bench, shop and 98 more}).
     */
    static String names(List<String> names) {
        String all = String.join(", ", names);
        if (names.size() <= 2 || names.size() == 3 && all.length() <= 40) {
            return all;
        }
        return names.get(0) + ", " + names.get(1) + " and " + (names.size() - 2) + " more";
    }

    /** {@code s}, cut to {@code width} characters with an ellipsis when longer. */
    static String shorten(String s, int width) {
        return s.length() <= width ? s : s.substring(0, Math.max(0, width - 1)) + "\u2026";
    }

    static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** A text bar such as {@code [=========>          ]}. */
    static String bar(double percent, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(100, percent)) / 100.0 * width);
        if (filled >= width) {
            return "[" + "=".repeat(width) + "]";
        }
        return "[" + "=".repeat(filled) + (filled > 0 ? ">" : " ") + " ".repeat(Math.max(0, width - filled - 1)) + "]";
    }

    /**
     * {@code prefix} then {@code text} wrapped at {@code width} columns, the following lines indented by
     * {@code indent}; a word longer than a line stays whole.
     */
    static String wrap(String prefix, String text, int width, String indent) {
        StringBuilder out = new StringBuilder(prefix);
        int column = prefix.length();
        boolean first = true;
        for (String word : text.split(" ")) {
            if (!first && column + 1 + word.length() > width) {
                out.append('\n').append(indent);
                column = indent.length();
            } else if (!first) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
            first = false;
        }
        return out.toString();
    }
}
