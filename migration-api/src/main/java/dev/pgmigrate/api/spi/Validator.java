package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Stable;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import java.sql.SQLException;
import java.util.List;

/**
 * Checks one precondition of a migration before any row is moved.
 *
 * <p>Found with {@link java.util.ServiceLoader}, so an implementation needs a public no-argument constructor
 * that does no I/O. One instance may serve several threads at once. It reads both servers and writes to
 * neither: the connections it gets are read-only.
 *
 * <p>An instance-scoped validator runs once per migration; a database-scoped one runs once for each
 * selected database, with {@link ValidationContext#database()} set.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public interface Validator {
    /** Unique id shown in reports, such as {@code "unlogged-tables"}: lower-case words joined by {@code -}. */
    String id();

    /** Whether it checks the servers as a whole or one database at a time. */
    ValidationScope scope();

    /** One line saying what it checks, for {@code --help} and reports. */
    String description();

    /**
     * Runs the check, blocking; stops with {@code MigrationCanceledException} once interrupted.
     *
     * @return the results, never {@code null}; a problem found is a result, not an exception
     * @throws SQLException if a catalog query fails; the engine reports it as this validator's Failed result
     */
    List<ValidationResult> validate(ValidationContext context) throws SQLException;
}
