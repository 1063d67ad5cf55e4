package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.Stable;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

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

    /**
     * The facts it reads from selected source databases with {@link ValidationContext#fact}; none unless it says
     * otherwise. The engine reads each fact declared once per selected database the source has, on the session
     * that database's checks share and before they run. An instance-scoped validator that declares any runs once
     * every database's facts are read, so that it needs no login of its own to each database.
     *
     * @return the facts, never {@code null}
     * @since 0.3
     */
    @Experimental
    default Set<DatabaseFact<?>> databaseFacts() {
        return Set.of();
    }

    /**
     * The names in {@code settings.options} it reads, such as {@code "copy.bufferBytes"}; none unless it says
     * otherwise. The engine refuses a name that neither it nor any plugin declares when it begins with a prefix
     * (the part up to the first {@code '.'}) that the engine or a plugin declares a name under, so that a typo
     * there is an error, not a setting silently ignored; names under other prefixes are left to their plugins.
     *
     * @return the names, never {@code null}
     * @since 0.3
     */
    default Set<String> options() {
        return Set.of();
    }
}
