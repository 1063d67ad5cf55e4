package dev.pgmigrate.validators;

import java.util.List;

/** Wording shared by the validators' results. */
final class Text {
    private static final int SHOWN = 5;
    private static final int LISTED = 20;

    private Text() {
    }

    /** {@code "3 unlogged tables: a, b, c"}, naming at most five and counting the rest. */
    static String counted(List<String> items, String singular, String plural) {
        String head = count(items.size(), singular, plural);
        if (items.isEmpty()) {
            return head;
        }
        String shown = String.join(", ", items.subList(0, Math.min(SHOWN, items.size())));
        return head + ": " + shown + (items.size() > SHOWN ? " and " + (items.size() - SHOWN) + " more" : "");
    }

    /** {@code "1 table has"}, {@code "3 tables have"}. */
    static String count(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }

    /**
     * {@code "a, b, c"}, naming at most twenty and counting the rest ({@code "... and 4 more"}): for findings whose
     * items each need the user's hand.
     */
    static String listed(List<String> items) {
        String shown = String.join(", ", items.subList(0, Math.min(LISTED, items.size())));
        return items.size() > LISTED ? shown + " and " + (items.size() - LISTED) + " more" : shown;
    }

    /** A duration as people read it: {@code "45 s"}, {@code "12 min"}, {@code "3.5 h"}. */
    static String duration(double seconds) {
        if (seconds < 90) {
            return Math.max(1, Math.round(seconds)) + " s";
        }
        if (seconds < 90 * 60) {
            return Math.round(seconds / 60) + " min";
        }
        return String.format(java.util.Locale.ROOT, "%.1f h", seconds / 3600);
    }

    /** A byte count as people read it: {@code "1.5 GB"}. */
    static String bytes(long bytes) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " bytes" : String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** {@code "a, b and c"}. */
    static String and(List<String> words) {
        if (words.size() <= 1) {
            return String.join("", words);
        }
        return String.join(", ", words.subList(0, words.size() - 1)) + " and " + words.get(words.size() - 1);
    }
}
