package dev.pgmigrate.testkit;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on validation results; a failure message shows every result, not only the first.
 *
 * @since 0.1
 */
@Experimental
public final class ValidationResultsAssert extends AbstractAssert<ValidationResultsAssert, List<ValidationResult>> {

    public ValidationResultsAssert(List<ValidationResult> actual) {
        super(actual, ValidationResultsAssert.class);
    }

    /** The worst status among the results is {@code expected}. */
    public ValidationResultsAssert hasStatus(ValidationStatus expected) {
        isNotNull();
        Optional<ValidationStatus> worst = actual.stream().map(ValidationResult::status)
                .reduce(ValidationStatus::worst);
        if (worst.isEmpty() || worst.get() != expected) {
            failWithMessage("Expected the results' worst status to be %s but was %s in:%n%s", expected.label(),
                    worst.map(ValidationStatus::label).orElse("(no results)"), describe());
        }
        return this;
    }

    /** Some result has exactly {@code expected} as its status. */
    public ValidationResultsAssert hasResultWithStatus(ValidationStatus expected) {
        isNotNull();
        if (actual.stream().noneMatch(r -> r.status() == expected)) {
            failWithMessage("Expected a %s result in:%n%s", expected.label(), describe());
        }
        return this;
    }

    /** Every one of {@code texts} appears, ignoring case, in some result's finding, items or remedy. */
    public ValidationResultsAssert mentions(String... texts) {
        isNotNull();
        for (String text : texts) {
            if (actual.stream().noneMatch(r -> text(r).contains(text.toLowerCase(Locale.ROOT)))) {
                failWithMessage("Expected some result to mention '%s' in:%n%s", text, describe());
            }
        }
        return this;
    }

    /** None of {@code texts} appears in any result. */
    public ValidationResultsAssert doesNotMention(String... texts) {
        isNotNull();
        for (String text : texts) {
            if (actual.stream().anyMatch(r -> text(r).contains(text.toLowerCase(Locale.ROOT)))) {
                failWithMessage("Expected no result to mention '%s' in:%n%s", text, describe());
            }
        }
        return this;
    }

    /** Every non-Succeeded result has a remedy. */
    public ValidationResultsAssert everyProblemHasARemedy() {
        isNotNull();
        if (actual.stream().anyMatch(r -> r.status() != ValidationStatus.SUCCEEDED && r.remedy().isBlank())) {
            failWithMessage("Expected every Warning and Failed result to carry a remedy in:%n%s", describe());
        }
        return this;
    }

    /** Only the results about {@code database}. */
    public ValidationResultsAssert forDatabase(String database) {
        return new ValidationResultsAssert(actual.stream()
                .filter(r -> r.database().map(database::equals).orElse(false)).toList());
    }

    /** Only the results of the instance level. */
    public ValidationResultsAssert forInstance() {
        return new ValidationResultsAssert(actual.stream().filter(r -> r.database().isEmpty()).toList());
    }

    /** There are exactly {@code count} results. */
    public ValidationResultsAssert hasSize(int count) {
        isNotNull();
        if (actual.size() != count) {
            failWithMessage("Expected %s results but found %s:%n%s", count, actual.size(), describe());
        }
        return this;
    }

    private static String text(ValidationResult r) {
        return (r.found() + "\n" + r.why() + "\n" + r.remedy() + "\n" + String.join("\n", r.items()))
                .toLowerCase(Locale.ROOT);
    }

    private String describe() {
        if (actual.isEmpty()) {
            return "  (no results)";
        }
        return actual.stream().map(r -> "  [" + r.status().label() + "] " + r.validatorId()
                + r.database().map(d -> " (" + d + ")").orElse("") + ": " + r.found()
                + (r.items().isEmpty() ? "" : " items=" + r.items())
                + (r.remedy().isBlank() ? "" : " -- remedy: " + r.remedy()))
                .collect(Collectors.joining("\n"));
    }
}
