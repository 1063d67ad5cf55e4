package dev.pgmigrate.api;

/**
 * Whether the source keeps taking writes while the migration runs: not {@link #OFFLINE}; {@link #ONLINE}, whose
 * copy is followed by the source's changes until the user triggers the cutover.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum MigrationMode implements Labeled {
    OFFLINE("Offline"),
    ONLINE("Online");

    private final String label;

    MigrationMode(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Parses {@code "Offline"} or {@code "Online"}, ignoring case. */
    public static MigrationMode fromLabel(String label) {
        return Labeled.fromLabel(MigrationMode.class, label);
    }
}
