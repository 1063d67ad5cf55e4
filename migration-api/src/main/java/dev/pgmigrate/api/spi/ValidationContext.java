package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Stable;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.ValidationStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link Validator} may read: the spec, both servers, and facts already read about them.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public interface ValidationContext {
    /** The migration being validated. */
    MigrationSpec spec();

    /** The source server. */
    ServerAccess source();

    /** The target server. */
    ServerAccess target();

    /** The database being checked, for a database-scoped validator; empty for an instance-scoped one. */
    Optional<String> database();

    /**
     * What the spec's selection leaves out of {@link #database()}, resolved on the source; {@link LeftOut#NOTHING}
     * when it takes everything, for an instance-scoped validator, and from an engine before 0.3. A check about
     * tables skips those left out, so that a table the migration does not move cannot fail its validation.
     *
     * @since 0.2
     */
    @Experimental
    default LeftOut leftOut() {
        return LeftOut.NOTHING;
    }

    /**
     * The value of {@code fact} in {@code database} on the source, blocking. The engine answers from what it read
     * for the facts validators declared ({@link Validator#databaseFacts()}); it reads any other, and an engine
     * before 0.3 reads every fact, on a connection of its own. Only for a source whose facts are known.
     *
     * @throws SQLException if reading the fact failed, as often as it is asked for
     * @throws IllegalStateException if the source's facts are not known ({@link ServerAccess#facts()})
     * @since 0.3
     */
    @Experimental
    default <T> T fact(DatabaseFact<T> fact, String database) throws SQLException {
        ServerFacts facts = source().facts().orElseThrow(() -> new IllegalStateException("Cannot read the fact '"
                + fact.name() + "' of database " + database + ": the source's facts are not known"));
        try (Connection connection = source().connect(database)) {
            return fact.read(connection, facts);
        }
    }

    /**
     * The value of {@code fact} read on the target's maintenance database, blocking: what the whole target server
     * offers, such as its roles or collations, which every database's checks compare against. The engine reads
     * each such fact once per validation, on one connection, when it is first asked for, however many validators
     * and databases ask; an engine before 0.3 reads it at each call, on a connection of its own. The fact's query
     * gets the target's facts. Only for a target whose facts are known.
     *
     * @throws SQLException if reading the fact failed, as often as it is asked for
     * @throws IllegalStateException if the target's facts are not known ({@link ServerAccess#facts()})
     * @since 0.3
     */
    @Experimental
    default <T> T targetFact(DatabaseFact<T> fact) throws SQLException {
        ServerFacts facts = target().facts().orElseThrow(() -> new IllegalStateException("Cannot read the fact '"
                + fact.name() + "' of the target: its facts are not known"));
        try (Connection connection = target().connect(facts.maintenanceDatabase())) {
            return fact.read(connection, facts);
        }
    }

    /** The id of the validator this context was made for. */
    String validatorId();

    /** A result of this validator, scoped to {@link #database()}. */
    default ValidationResult result(ValidationStatus status, String found, String why, String remedy,
            List<String> items) {
        return new ValidationResult(validatorId(), database().isPresent() ? ValidationScope.DATABASE
                : ValidationScope.INSTANCE, database(), status, found, why, remedy, items);
    }

    /** A Succeeded result saying what was found. */
    default ValidationResult succeeded(String found) {
        return result(ValidationStatus.SUCCEEDED, found, "", "", List.of());
    }

    /** A Warning result. */
    default ValidationResult warning(String found, String why, String remedy, List<String> items) {
        return result(ValidationStatus.WARNING, found, why, remedy, items);
    }

    /** A Failed result. */
    default ValidationResult failed(String found, String why, String remedy, List<String> items) {
        return result(ValidationStatus.FAILED, found, why, remedy, items);
    }
}
