package dev.pgmigrate.api;

/**
 * The status of a migration as a whole.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum MigrationStatus implements Labeled {
    IN_PROGRESS("InProgress"),
    /**
     * An online migration whose target has caught up and follows the source, waiting for the user to trigger the
     * cutover (its substatus is then {@link MigrationSubstatus#WAITING_FOR_CUTOVER_TRIGGER}).
     *
     * @since 0.3
     */
    WAITING_FOR_USER_ACTION("WaitingForUserAction"),
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

    /**
     * Whether the migration has ended and will not change again (every status but {@code InProgress} and
     * {@code WaitingForUserAction}).
     */
    public boolean isFinal() {
        return this != IN_PROGRESS && this != WAITING_FOR_USER_ACTION;
    }

    /**
     * Whether the migration ended by rolling back what it made on the target ({@code Failed}, {@code Canceled}): a
     * verification it made then describes a copy that its rollback dropped, or is to drop once a cancel finishes an
     * incomplete rollback, and nothing on the target.
     *
     * @since 0.3
     */
    public boolean isRolledBack() {
        return this == FAILED || this == CANCELED;
    }

    /** Whether a cancel may still be requested. */
    public boolean isCancelable() {
        return !isFinal();
    }

    /** Parses a label such as {@code "ValidationFailed"}, ignoring case. */
    public static MigrationStatus fromLabel(String label) {
        return Labeled.fromLabel(MigrationStatus.class, label);
    }
}
