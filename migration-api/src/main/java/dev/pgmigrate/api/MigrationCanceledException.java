package dev.pgmigrate.api;

/**
 * Thrown by work that stopped because its migration was canceled.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public class MigrationCanceledException extends MigrationException {
    private static final long serialVersionUID = 1L;

    public MigrationCanceledException(String message) {
        super(MessageCode.CANCELED, message);
    }

    public MigrationCanceledException(String message, Throwable cause) {
        super(MessageCode.CANCELED, message, cause);
    }
}
