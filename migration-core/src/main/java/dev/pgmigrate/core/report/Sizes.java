package dev.pgmigrate.core.report;

import java.util.Locale;

/** Counts and byte sizes as every pgmigrate output prints them: powers of 1024, Locale.ROOT. */
public final class Sizes {
    private static final String[] UNITS = {"kB", "MB", "GB", "TB", "PB"};

    private Sizes() {
    }

    /** {@code 1,234,567}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 512 B}, {@code 4.2 MB}, {@code 37 GB}. */
    public static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.1f %s" : "%.0f %s", value, UNITS[unit]);
    }
}
