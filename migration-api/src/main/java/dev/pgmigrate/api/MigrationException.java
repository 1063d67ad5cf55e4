package dev.pgmigrate.api;

/**
 * The root of every exception pgmigrate throws. Its message says what was attempted, the offending value,
 * and what to do next; it never holds a password or row data.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public class MigrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final MessageCode code;

    /** A failure without a more specific code: {@link MessageCode#UNCLASSIFIED}. */
    public MigrationException(String message) {
        this(MessageCode.UNCLASSIFIED, message, null);
    }

    /** A failure without a more specific code: {@link MessageCode#UNCLASSIFIED}. */
    public MigrationException(String message, Throwable cause) {
        this(MessageCode.UNCLASSIFIED, message, cause);
    }

    /** @since 0.2 */
    public MigrationException(MessageCode code, String message) {
        this(code, message, null);
    }

    /** @since 0.2 */
    public MigrationException(MessageCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = java.util.Objects.requireNonNull(code, "code must not be null");
    }

    /** The failure's stable code; the record of a migration that ends with this exception carries it. */
    public MessageCode code() {
        return code;
    }
}
