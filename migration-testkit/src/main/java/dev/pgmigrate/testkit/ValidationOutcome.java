package dev.pgmigrate.testkit;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ValidationResult;
import java.util.List;

/**
 * What a validator said when {@link ValidatorTestKit} ran it.
 *
 * @param record the migration record of the validation run
 * @since 0.1
 */
@Experimental
public record ValidationOutcome(MigrationRecord record) {
    /** Every result, in the engine's order. */
    public List<ValidationResult> results() {
        return record.validationResults();
    }

    /** Fluent assertions on the results. */
    public ValidationResultsAssert assertThatResults() {
        return new ValidationResultsAssert(results());
    }
}
