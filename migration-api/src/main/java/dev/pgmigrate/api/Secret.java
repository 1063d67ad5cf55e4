package dev.pgmigrate.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A password or other secret. Its {@link #toString()} never reveals the value, so records that hold one
 * can be logged and printed safely.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public final class Secret {
    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    /** Wraps {@code value}; the caller keeps no obligation to clear its own copy. */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "value must not be null");
        return new Secret(value.toCharArray());
    }

    /** The secret as a string, for handing to a driver; never log or print it. */
    public String reveal() {
        return new String(value);
    }

    /** Whether the secret is the empty string. */
    public boolean isEmpty() {
        return value.length == 0;
    }

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
