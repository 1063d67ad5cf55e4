package dev.pgmigrate.api;

/**
 * Whether a check looks at the servers as a whole or at one selected database.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum ValidationScope implements Labeled {
    INSTANCE("Instance"),
    DATABASE("Database");

    private final String label;

    ValidationScope(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Parses {@code "Instance"} or {@code "Database"}, ignoring case. */
    public static ValidationScope fromLabel(String label) {
        return Labeled.fromLabel(ValidationScope.class, label);
    }
}
