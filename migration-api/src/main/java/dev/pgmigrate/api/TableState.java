package dev.pgmigrate.api;

/**
 * Where one table stands in the copy.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum TableState implements Labeled {
    QUEUED("Queued"),
    LOADING("Loading"),
    COMPLETED("Completed"),
    ERRORED("Errored");

    private final String label;

    TableState(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Parses a label such as {@code "Loading"}, ignoring case. */
    public static TableState fromLabel(String label) {
        return Labeled.fromLabel(TableState.class, label);
    }
}
