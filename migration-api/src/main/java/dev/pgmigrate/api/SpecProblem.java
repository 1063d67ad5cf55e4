package dev.pgmigrate.api;

import java.util.Objects;

/**
 * One thing wrong with a migration spec or properties file: which field, what it held, and the rule it broke.
 *
 * @param field the field's path, such as {@code "properties.sourceServer.port"}
 * @param value the offending value as text, or a description such as {@code "(missing)"}; never a secret
 * @param rule what the field must be and how to fix it
 * @since 0.1
 */
@Stable(since = "0.1")
public record SpecProblem(String field, String value, String rule) {
    public SpecProblem {
        Objects.requireNonNull(field, "field must not be null");
        Objects.requireNonNull(value, "value must not be null");
        Objects.requireNonNull(rule, "rule must not be null");
    }

    /** The problem as one line; a value longer than a few dozen characters is shortened, with its length. */
    @Override
    public String toString() {
        String shown = value.length() <= 60 ? value
                : value.substring(0, 40) + "... (" + value.length() + " characters)";
        return field + " = " + shown + ": " + rule;
    }
}
