package dev.pgmigrate.embedded;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fresh database names, so that tests sharing a pooled server never see each other's objects.
 *
 * <p>{@code String db = server.createDatabase(TestDatabases.unique("shop"));}
 *
 * @since 0.1
 */
@Experimental
public final class TestDatabases {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String JVM_TAG = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);

    private TestDatabases() {
    }

    /**
     * A name no other call in any JVM is likely to return: {@code prefix_<n>_<tag>}, lower case, at most 63
     * bytes. The prefix is lower-cased and every character outside {@code [a-z0-9_]} becomes {@code _}.
     */
    public static String unique(String prefix) {
        requireNonNull(prefix, "prefix must not be null");
        String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (clean.isEmpty() || Character.isDigit(clean.charAt(0))) {
            clean = "db_" + clean;
        }
        String suffix = "_" + COUNTER.incrementAndGet() + "_" + JVM_TAG;
        if (clean.length() + suffix.length() > 63) {
            clean = clean.substring(0, 63 - suffix.length());
        }
        return clean + suffix;
    }
}
