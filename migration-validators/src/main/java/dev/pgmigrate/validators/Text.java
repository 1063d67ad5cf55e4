package dev.pgmigrate.validators;

import java.util.List;

/** Wording shared by the validators' results. */
final class Text {
    private static final int SHOWN = 5;

    private Text() {
    }

    /** {@code "3 unlogged tables: a, b, c"}, naming at most five and counting the rest. */
    static String counted(List<String> items, String singular, String plural) {
        String head = items.size() + " " + (items.size() == 1 ? singular : plural);
        if (items.isEmpty()) {
            return head;
        }
        String shown = String.join(", ", items.subList(0, Math.min(SHOWN, items.size())));
        return head + ": " + shown + (items.size() > SHOWN ? " and " + (items.size() - SHOWN) + " more" : "");
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
