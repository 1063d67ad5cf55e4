package dev.pgmigrate.testkit;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.MigrationRecord;

/**
 * The final record of a migration run by a testkit harness.
 *
 * @param record the record
 * @since 0.1
 */
@Experimental
public record MigrationOutcome(MigrationRecord record) {
    /** Fluent assertions on the record. */
    public MigrationRecordAssert assertThatMigration() {
        return new MigrationRecordAssert(record);
    }
}
