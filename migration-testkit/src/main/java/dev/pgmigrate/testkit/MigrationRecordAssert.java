package dev.pgmigrate.testkit;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import java.util.Optional;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on a migration record; a failure message shows the status, errors, notes and tables.
 *
 * @since 0.1
 */
@Experimental
public final class MigrationRecordAssert extends AbstractAssert<MigrationRecordAssert, MigrationRecord> {

    public MigrationRecordAssert(MigrationRecord actual) {
        super(actual, MigrationRecordAssert.class);
    }

    /** The migration ended with {@code expected}. */
    public MigrationRecordAssert hasStatus(MigrationStatus expected) {
        isNotNull();
        if (actual.status() != expected) {
            failWithMessage("Expected status %s but was %s:%n%s", expected.label(), actual.status().label(),
                    describe());
        }
        return this;
    }

    /** The migration succeeded. */
    public MigrationRecordAssert succeeded() {
        return hasStatus(MigrationStatus.SUCCEEDED);
    }

    /** A verification ran and found the target an exact copy. */
    public MigrationRecordAssert isVerified() {
        isNotNull();
        if (actual.verification().isEmpty() || !actual.verification().get().matches()) {
            failWithMessage("Expected a matching verification:%n%s", describe());
        }
        return this;
    }

    /** {@code table} ({@code schema.name}) was copied by the mover {@code moverId}. */
    public MigrationRecordAssert copiedWith(String moverId, String table) {
        isNotNull();
        Optional<TableProgress> found = actual.databases().stream().flatMap(d -> d.tables().stream())
                .filter(t -> t.qualifiedName().equals(table)).findFirst();
        if (found.isEmpty() || !found.get().moverId().equals(Optional.of(moverId))) {
            failWithMessage("Expected %s to be copied with %s:%n%s", table, moverId, describe());
        }
        return this;
    }

    /** Some error mentions {@code text}. */
    public MigrationRecordAssert hasErrorMentioning(String text) {
        isNotNull();
        if (actual.errors().stream().noneMatch(e -> e.text().contains(text))) {
            failWithMessage("Expected an error mentioning '%s':%n%s", text, describe());
        }
        return this;
    }

    /**
     * Some error has {@code code}: what a test should read rather than the error's text.
     *
     * @since 0.2
     */
    public MigrationRecordAssert failedWith(MessageCode code) {
        isNotNull();
        if (!actual.failedWith(code)) {
            failWithMessage("Expected an error with code %s:%n%s", code.label(), describe());
        }
        return this;
    }

    /**
     * Some note has {@code code}.
     *
     * @since 0.2
     */
    public MigrationRecordAssert hasNote(MessageCode code) {
        isNotNull();
        if (actual.notes().stream().noneMatch(n -> n.is(code))) {
            failWithMessage("Expected a note with code %s:%n%s", code.label(), describe());
        }
        return this;
    }

    private String describe() {
        StringBuilder sb = new StringBuilder("  status ").append(actual.status().label()).append(" / ")
                .append(actual.substatus().label()).append('\n');
        actual.errors().forEach(e -> sb.append("  error: ").append(e).append('\n'));
        actual.notes().forEach(n -> sb.append("  note: ").append(n).append('\n'));
        for (DatabaseProgress db : actual.databases()) {
            sb.append("  database ").append(db.database()).append(' ').append(db.status().label()).append('\n');
            sb.append(db.tables().stream().map(t -> "    " + t.qualifiedName() + " " + t.state().label() + " "
                    + t.rows() + " rows by " + t.moverId().orElse("-")).collect(Collectors.joining("\n")));
        }
        actual.verification().ifPresent(v -> sb.append("\n  verification mismatches: ").append(v.tableMismatches())
                .append(' ').append(v.objectMismatches()));
        return sb.toString();
    }
}
