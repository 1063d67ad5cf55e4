package dev.pgmigrate.api;

/**
 * The outcome of one check, of one database's checks, or of a whole validation.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum ValidationStatus implements Labeled {
    SUCCEEDED("Succeeded"),
    WARNING("Warning"),
    FAILED("Failed");

    private final String label;

    ValidationStatus(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Whether this outcome stops a {@code ValidateAndMigrate} run before any data moves. */
    public boolean blocksMigration() {
        return this == FAILED;
    }

    /** The worse of this and {@code other}: Failed over Warning over Succeeded. */
    public ValidationStatus worst(ValidationStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    /** Parses a label such as {@code "Warning"}, ignoring case. */
    public static ValidationStatus fromLabel(String label) {
        return Labeled.fromLabel(ValidationStatus.class, label);
    }
}
