package dev.pgmigrate.api;

/**
 * What the migration does with server parameters that differ between source and target.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum ServerParametersMode implements Labeled {
    /** List the differences with the statements that would carry them over; change nothing. */
    REPORT("report"),
    /** Set what the target admin may set, and list the rest. */
    APPLY("apply");

    private final String label;

    ServerParametersMode(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Parses {@code "report"} or {@code "apply"}, ignoring case. */
    public static ServerParametersMode fromLabel(String label) {
        return Labeled.fromLabel(ServerParametersMode.class, label);
    }
}
