package dev.pgmigrate.core.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.OptionalDouble;

/** Numbers, sizes, times and rates as the HTML report shows them: binary units, UTC times, Locale.ROOT. */
final class Units {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final double MIB = 1024.0 * 1024.0;

    private Units() {
    }

    static String count(long n) {
        return Sizes.count(n);
    }

    /** {@code 512 B}, {@code 4.2 MB}, {@code 37 GB}: powers of 1024, as the command line prints them. */
    static String bytes(long bytes) {
        return Sizes.bytes(bytes);
    }

    /** {@code 0.4 s}, {@code 12.3 s}, {@code 4 min 07 s}, {@code 2 h 03 min}. */
    static String duration(Duration d) {
        long millis = Math.max(0, d.toMillis());
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, (seconds % 3600) / 60);
    }

    /** Mebibytes per second with one decimal ({@code 87.5}), or an en dash when the time was too short. */
    static String megabytesPerSecond(OptionalDouble bytesPerSecond) {
        return bytesPerSecond.isPresent() ? String.format(Locale.ROOT, "%.1f", bytesPerSecond.getAsDouble() / MIB)
                : "\u2013";
    }

    static String perSecond(OptionalDouble perSecond) {
        return perSecond.isPresent() ? count(Math.round(perSecond.getAsDouble())) : "\u2013";
    }

    static String time(Instant at) {
        return TIME.format(at);
    }
}
