package dev.pgmigrate.api;

/**
 * What a migration does: check only, check then move, or move without checking.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum MigrationOption implements Labeled {
    VALIDATE("Validate", "Validate"),
    VALIDATE_AND_MIGRATE("ValidateAndMigrate", "Validate and migrate"),
    MIGRATE("Migrate", "Migrate");

    private final String label;
    private final String displayName;

    MigrationOption(String label, String displayName) {
        this.label = label;
        this.displayName = displayName;
    }

    @Override
    public String label() {
        return label;
    }

    /** The words shown in the list grid's "Migration type" column, such as {@code "Validate and migrate"}. */
    public String displayName() {
        return displayName;
    }

    /** Whether the premigration checks run. */
    public boolean validates() {
        return this != MIGRATE;
    }

    /** Whether data moves (when no check failed). */
    public boolean migrates() {
        return this != VALIDATE;
    }

    /** Parses a label such as {@code "ValidateAndMigrate"}, ignoring case. */
    public static MigrationOption fromLabel(String label) {
        return Labeled.fromLabel(MigrationOption.class, label);
    }
}
