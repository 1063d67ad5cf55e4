package dev.pgmigrate.embedded;

import dev.pgmigrate.api.Experimental;
import java.sql.SQLException;

/**
 * A SQL statement run through a testkit helper failed; {@link #getCause()} is the driver's exception and
 * {@link #sqlState()} its SQLState, so tests can assert on the error PostgreSQL raised.
 *
 * @since 0.1
 */
@Experimental
public final class TestkitSqlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure of the statement or query {@code message} describes.
     *
     * @param message what was attempted, where; never a password or row values
     * @param cause the driver's exception
     */
    public TestkitSqlException(String message, SQLException cause) {
        super(message, cause);
    }

    /** The five-character SQLState PostgreSQL reported, such as {@code "42501"}, or empty if none. */
    public String sqlState() {
        String state = ((SQLException) getCause()).getSQLState();
        return state == null ? "" : state;
    }

    @Override
    public synchronized SQLException getCause() {
        return (SQLException) super.getCause();
    }
}
