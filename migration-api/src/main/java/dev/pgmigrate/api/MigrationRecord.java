package dev.pgmigrate.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything known about one migration, as stored: what {@code show} prints and {@code list} summarises.
 *
 * @param spec the migration's spec, with every password removed
 * @param status the overall status
 * @param substatus the phase
 * @param createdAt when it was created
 * @param endedAt when it reached a final status
 * @param validationResults every check's result, instance level first
 * @param databases per-database and per-table progress
 * @param errors what went wrong, most important first, each with its code
 * @param verification the comparison of source and target, once made
 * @param notes what the user should know (owners remapped, roles created or skipped, parameters, reuse on resume,
 *     warnings), each with its code
 * @param interrupted whether the process running it died before it reached a final status
 * @param cancelRequested whether a cancel was asked for and not yet carried out
 * @param pgmigrateVersion the pgmigrate version that started it, with the commit it was built from, such as
 *     {@code "0.1.0 (commit 1a2b3c4d5e6f)"}; empty for migrations stored before records kept it
 * @param cutoverRequestedAt when the cutover of an online migration was asked for: the downtime runs from there to
 *     {@code endedAt}; empty before, and always for an offline migration
 * @since 0.1
 */
@Stable(since = "0.1")
public record MigrationRecord(MigrationSpec spec, MigrationStatus status, MigrationSubstatus substatus,
        Instant createdAt, Optional<Instant> endedAt, List<ValidationResult> validationResults,
        List<DatabaseProgress> databases, List<MigrationMessage> errors, Optional<VerificationReport> verification,
        List<MigrationMessage> notes, boolean interrupted, boolean cancelRequested,
        Optional<String> pgmigrateVersion, Optional<Instant> cutoverRequestedAt) {

    public MigrationRecord {
        Objects.requireNonNull(spec, "spec must not be null");
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(substatus, "substatus must not be null");
        Objects.requireNonNull(createdAt, "createdAt must not be null");
        Objects.requireNonNull(endedAt, "endedAt must not be null");
        validationResults = List.copyOf(Objects.requireNonNull(validationResults, "validationResults must not be null"));
        databases = List.copyOf(Objects.requireNonNull(databases, "databases must not be null"));
        errors = List.copyOf(Objects.requireNonNull(errors, "errors must not be null"));
        Objects.requireNonNull(verification, "verification must not be null");
        notes = List.copyOf(Objects.requireNonNull(notes, "notes must not be null"));
        Objects.requireNonNull(pgmigrateVersion, "pgmigrateVersion must not be null; Optional.empty() if unknown");
        Objects.requireNonNull(cutoverRequestedAt, "cutoverRequestedAt must not be null; Optional.empty() if none");
    }

    /**
     * A record without a cutover request, as records stored before online migrations describe it.
     *
     * @since 0.3
     */
    public MigrationRecord(MigrationSpec spec, MigrationStatus status, MigrationSubstatus substatus,
            Instant createdAt, Optional<Instant> endedAt, List<ValidationResult> validationResults,
            List<DatabaseProgress> databases, List<MigrationMessage> errors, Optional<VerificationReport> verification,
            List<MigrationMessage> notes, boolean interrupted, boolean cancelRequested,
            Optional<String> pgmigrateVersion) {
        this(spec, status, substatus, createdAt, endedAt, validationResults, databases, errors, verification, notes,
                interrupted, cancelRequested, pgmigrateVersion, Optional.empty());
    }

    /** A record that does not say which pgmigrate version started it, for code written before records did. */
    public MigrationRecord(MigrationSpec spec, MigrationStatus status, MigrationSubstatus substatus,
            Instant createdAt, Optional<Instant> endedAt, List<ValidationResult> validationResults,
            List<DatabaseProgress> databases, List<MigrationMessage> errors, Optional<VerificationReport> verification,
            List<MigrationMessage> notes, boolean interrupted, boolean cancelRequested) {
        this(spec, status, substatus, createdAt, endedAt, validationResults, databases, errors, verification, notes,
                interrupted, cancelRequested, Optional.empty());
    }

    /** The migration's name. */
    public String name() {
        return spec.name();
    }

    /** The worst validation outcome, or empty when no check has run. */
    public Optional<ValidationStatus> validationStatus() {
        return validationResults.stream().map(ValidationResult::status).reduce(ValidationStatus::worst);
    }

    /** From creation to the end, or to {@code now} while it runs. */
    public Duration duration(Instant now) {
        return Duration.between(createdAt, endedAt.orElse(now));
    }

    /** Whether one of its errors has {@code code}. */
    public boolean failedWith(MessageCode code) {
        return errors.stream().anyMatch(e -> e.is(code));
    }

    /** The database's progress, if it is one of the migration's. */
    public Optional<DatabaseProgress> database(String name) {
        return databases.stream().filter(d -> d.database().equals(name)).findFirst();
    }

    /** This record with another status and phase. */
    public MigrationRecord withStatus(MigrationStatus newStatus, MigrationSubstatus newSubstatus) {
        return new MigrationRecord(spec, newStatus, newSubstatus, createdAt, endedAt, validationResults, databases,
                errors, verification, notes, interrupted, cancelRequested,
                pgmigrateVersion, cutoverRequestedAt);
    }

    /** This record with another end time. */
    public MigrationRecord withEndedAt(Optional<Instant> newEndedAt) {
        return new MigrationRecord(spec, status, substatus, createdAt, newEndedAt, validationResults, databases,
                errors, verification, notes, interrupted, cancelRequested,
                pgmigrateVersion, cutoverRequestedAt);
    }

    /** This record with other validation results. */
    public MigrationRecord withValidationResults(List<ValidationResult> newResults) {
        return new MigrationRecord(spec, status, substatus, createdAt, endedAt, newResults, databases, errors,
                verification, notes, interrupted, cancelRequested,
                pgmigrateVersion, cutoverRequestedAt);
    }

    /** This record with other databases' progress. */
    public MigrationRecord withDatabases(List<DatabaseProgress> newDatabases) {
        return new MigrationRecord(spec, status, substatus, createdAt, endedAt, validationResults, newDatabases,
                errors, verification, notes, interrupted, cancelRequested,
                pgmigrateVersion, cutoverRequestedAt);
    }

    /** This record with other errors. */
    public MigrationRecord withErrors(List<MigrationMessage> newErrors) {
        return new MigrationRecord(spec, status, substatus, createdAt, endedAt, validationResults, databases,
                newErrors, verification, notes, interrupted, cancelRequested,
                pgmigrateVersion, cutoverRequestedAt);
    }

    /** This record with another verification. */
    public MigrationRecord withVerification(Optional<VerificationReport> newVerification) {
        return new MigrationRecord(spec, status, substatus, createdAt, endedAt, validationResults, databases, errors,
                newVerification, notes, interrupted, cancelRequested,
                pgmigrateVersion, cutoverRequestedAt);
    }

    /** This record with other notes. */
    public MigrationRecord withNotes(List<MigrationMessage> newNotes) {
        return new MigrationRecord(spec, status, substatus, createdAt, endedAt, validationResults, databases, errors,
                verification, newNotes, interrupted, cancelRequested,
                pgmigrateVersion, cutoverRequestedAt);
    }

    /** This record, marked as interrupted (its process gone) or not. */
    public MigrationRecord withInterrupted(boolean isInterrupted) {
        return new MigrationRecord(spec, status, substatus, createdAt, endedAt, validationResults, databases, errors,
                verification, notes, isInterrupted, cancelRequested,
                pgmigrateVersion, cutoverRequestedAt);
    }

    /** This record, saying which pgmigrate version started it. */
    public MigrationRecord withPgmigrateVersion(Optional<String> newPgmigrateVersion) {
        return new MigrationRecord(spec, status, substatus, createdAt, endedAt, validationResults, databases, errors,
                verification, notes, interrupted, cancelRequested, newPgmigrateVersion,
                cutoverRequestedAt);
    }

    /** This record, with a cancel asked for or not. */
    public MigrationRecord withCancelRequested(boolean isCancelRequested) {
        return new MigrationRecord(spec, status, substatus, createdAt, endedAt, validationResults, databases, errors,
                verification, notes, interrupted, isCancelRequested,
                pgmigrateVersion, cutoverRequestedAt);
    }

    /**
     * This record, with the time its cutover was asked for.
     *
     * @since 0.3
     */
    public MigrationRecord withCutoverRequestedAt(Optional<Instant> at) {
        return new MigrationRecord(spec, status, substatus, createdAt, endedAt, validationResults, databases, errors,
                verification, notes, interrupted, cancelRequested, pgmigrateVersion, at);
    }

    /**
     * An online migration's downtime: from the cutover request to the end, or to {@code now} while the cutover
     * runs; empty when no cutover was asked for.
     *
     * @since 0.3
     */
    public Optional<Duration> downtime(Instant now) {
        return cutoverRequestedAt.map(at -> Duration.between(at, endedAt.orElse(now)));
    }
}
