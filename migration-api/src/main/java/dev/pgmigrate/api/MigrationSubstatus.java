package dev.pgmigrate.api;

/**
 * The phase a migration is in, in the order the engine runs them.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum MigrationSubstatus implements Labeled {
    PERFORMING_PREREQUISITE_STEPS("PerformingPrerequisiteSteps"),
    VALIDATION_IN_PROGRESS("ValidationInProgress"),
    MIGRATING_DATA("MigratingData"),
    /**
     * An online migration's target follows the source's changes until the user triggers the cutover.
     *
     * @since 0.3
     */
    WAITING_FOR_CUTOVER_TRIGGER("WaitingForCutoverTrigger"),
    COMPLETING_MIGRATION("CompletingMigration"),
    COMPLETED("Completed"),
    FAILED("Failed");

    private final String label;

    MigrationSubstatus(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Whether this substatus ends a migration. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED;
    }

    /** Parses a label such as {@code "MigratingData"}, ignoring case. */
    public static MigrationSubstatus fromLabel(String label) {
        return Labeled.fromLabel(MigrationSubstatus.class, label);
    }
}
