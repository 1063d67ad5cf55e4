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

    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
