package dev.pgmigrate.api;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An enum constant with the spelling the brief, the JSON files, the CLI and reports use.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public interface Labeled {
    /** The external spelling, such as {@code "InProgress"}. */
    String label();

    /**
     * Finds the constant of {@code type} whose label equals {@code label}, ignoring case.
     *
     * @throws IllegalArgumentException naming the valid labels when none matches
     */
    static <E extends Enum<E> & Labeled> E fromLabel(Class<E> type, String label) {
        java.util.Objects.requireNonNull(label, "label must not be null");
        for (E constant : type.getEnumConstants()) {
            if (constant.label().equalsIgnoreCase(label.trim())) {
                return constant;
            }
        }
        throw new IllegalArgumentException("'" + label + "' is not a valid " + type.getSimpleName()
                + "; use one of: " + Arrays.stream(type.getEnumConstants()).map(Labeled::label)
                        .collect(Collectors.joining(", ")));
    }
}
