package dev.pgmigrate.api;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A password or other secret. Its {@link #toString()} never reveals the value, so records that hold one
 * can be logged and printed safely.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public final class Secret {
    private final char[] value;
    private final String origin;

    private Secret(char[] value, String origin) {
        this.value = value;
        this.origin = origin;
    }

    /** Wraps {@code value}; the caller keeps no obligation to clear its own copy. */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "value must not be null");
        return new Secret(value.toCharArray(), null);
    }

    /**
     * Wraps {@code value}, saying where it came from, so that a refused login can name the place to correct it.
     * {@code Secret.of(System.getenv("SOURCE_PASSWORD"), "the environment variable SOURCE_PASSWORD")}
     *
     * @param origin where the value was read, as a phrase to follow "from": never the value itself
     * @since 0.3
     */
    public static Secret of(String value, String origin) {
        Objects.requireNonNull(value, "value must not be null");
        Objects.requireNonNull(origin, "origin must not be null");
        return new Secret(value.toCharArray(), origin);
    }

    /**
     * Where the value came from, such as {@code "the environment variable SOURCE_PASSWORD"}; empty when whoever
     * made it did not say.
     *
     * @since 0.3
     */
    public Optional<String> origin() {
        return Optional.ofNullable(origin);
    }

    /** The secret as a string, for handing to a driver; never log or print it. */
    public String reveal() {
        return new String(value);
    }

    /** Whether the secret is the empty string. */
    public boolean isEmpty() {
        return value.length == 0;
    }

    /** Equal when the values are: where each came from does not count. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s && Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    /** Always {@code "****"}. */
    @Override
    public String toString() {
        return "****";
    }
}
