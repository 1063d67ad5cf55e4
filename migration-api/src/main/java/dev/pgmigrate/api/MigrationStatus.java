package dev.pgmigrate.api;

/**
 * The status of a migration as a whole.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum MigrationStatus implements Labeled {
    IN_PROGRESS("InProgress"),
    CANCELED("Canceled"),
    FAILED("Failed"),
    VALIDATION_FAILED("ValidationFailed"),
    SUCCEEDED("Succeeded");

    private final String label;

    MigrationStatus(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Whether the migration has ended and will not change again (every status but {@code InProgress}). */
    public boolean isFinal() {
        return this != IN_PROGRESS;
    }

    /** Whether a cancel may still be requested. */
    public boolean isCancelable() {
        return this == IN_PROGRESS;
    }

    /** Parses a label such as {@code "ValidationFailed"}, ignoring case. */
    public static MigrationStatus fromLabel(String label) {
        return Labeled.fromLabel(MigrationStatus.class, label);
    }
}
