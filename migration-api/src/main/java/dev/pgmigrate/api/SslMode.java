package dev.pgmigrate.api;

/**
 * How the connection to a server uses TLS, with libpq's meaning of each mode.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum SslMode implements Labeled {
    DISABLE("disable"),
    PREFER("prefer"),
    REQUIRE("require"),
    VERIFY_CA("verify-ca"),
    VERIFY_FULL("verify-full");

    private final String label;

    SslMode(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Whether a connection without TLS is refused. */
    public boolean requiresTls() {
        return this == REQUIRE || this == VERIFY_CA || this == VERIFY_FULL;
    }

    /** Parses a label such as {@code "require"} or {@code "Require"}, ignoring case. */
    public static SslMode fromLabel(String label) {
        return Labeled.fromLabel(SslMode.class, label);
    }
}
