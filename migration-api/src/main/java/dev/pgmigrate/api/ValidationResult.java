package dev.pgmigrate.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one premigration check: what it found, why that matters, and what to do.
 *
 * @param validatorId the id of the validator that produced it, such as {@code "unlogged-tables"}
 * @param scope instance or database
 * @param database the database checked, present exactly when {@code scope} is {@code DATABASE}
 * @param status Succeeded, Warning or Failed
 * @param found what the check saw, in a sentence
 * @param why why it matters for the migration; may be empty for Succeeded
 * @param remedy what the user should do; required unless Succeeded
 * @param items the objects concerned (tables, roles, parameters), for reports and JSON; may be empty
 * @since 0.1
 */
@Stable(since = "0.1")
public record ValidationResult(String validatorId, ValidationScope scope, Optional<String> database,
        ValidationStatus status, String found, String why, String remedy, List<String> items) {

    public ValidationResult {
        Objects.requireNonNull(validatorId, "validatorId must not be null");
        Objects.requireNonNull(scope, "scope must not be null");
        Objects.requireNonNull(database, "database must not be null; Optional.empty() means instance level");
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(found, "found must not be null");
        Objects.requireNonNull(why, "why must not be null");
        Objects.requireNonNull(remedy, "remedy must not be null");
        items = List.copyOf(Objects.requireNonNull(items, "items must not be null"));
        if ((scope == ValidationScope.DATABASE) != database.isPresent()) {
            throw new IllegalArgumentException(validatorId + ": a " + scope.label()
                    + " result " + (database.isPresent() ? "must not name" : "must name") + " a database");
        }
        if (status != ValidationStatus.SUCCEEDED && remedy.isBlank()) {
            throw new IllegalArgumentException(validatorId + ": a " + status.label() + " result needs a remedy");
        }
    }

    /** A copy that lists {@code newItems}. */
    public ValidationResult withItems(List<String> newItems) {
        return new ValidationResult(validatorId, scope, database, status, found, why, remedy, newItems);
    }

    /** {@code "[Warning] unlogged-tables (shop): found"}: one line for logs. */
    @Override
    public String toString() {
        return "[" + status.label() + "] " + validatorId + database.map(d -> " (" + d + ")").orElse("") + ": " + found;
    }
}
