package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Experimental;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Something validators read from each selected source database, such as its installed extensions, declared
 * with {@link Validator#databaseFacts()} so that the engine reads it once per database, however many validators
 * need it, and read back with {@link ValidationContext#fact}. A fact of the whole target server, such as its
 * roles, is read back with {@link ValidationContext#targetFact}, once per validation.
 *
 * <p>Facts are told apart by identity: declare each as a constant and share that constant between the validators
 * that need it. Its query must be read-only and must not rely on the session being new.
 *
 * <pre>{@code
 * static final DatabaseFact<Long> SIZE = DatabaseFact.of("database size", (c, source) -> {
 *     try (Statement s = c.createStatement();
 *             ResultSet rs = s.executeQuery("SELECT pg_database_size(current_database())")) {
 *         rs.next();
 *         return rs.getLong(1);
 *     }
 * });
 * }</pre>
 *
 * @param <T> what the query answers; immutable, since every validator that declares the fact shares one value
 * @since 0.3
 */
@Experimental
public final class DatabaseFact<T> {
    /**
     * Reads a fact on a connection to one source database.
     *
     * @param <T> what it answers
     * @since 0.3
     */
    @Experimental
    @FunctionalInterface
    public interface Query<T> {
        /**
         * Runs the query on {@code connection}, blocking, and returns its answer, never {@code null}.
         *
         * @param source what the engine read about the server {@code connection} is to (the source, or the
         *        target for {@link ValidationContext#targetFact}), whose version the query may depend on
         * @throws SQLException if the query fails; every validator that reads the fact gets it
         */
        T read(Connection connection, ServerFacts source) throws SQLException;
    }

    private final String name;
    private final Query<T> query;

    private DatabaseFact(String name, Query<T> query) {
        this.name = Objects.requireNonNull(name, "name must not be null");
        this.query = Objects.requireNonNull(query, "query must not be null");
    }

    /** A fact called {@code name} in logs, read with {@code query}. */
    public static <T> DatabaseFact<T> of(String name, Query<T> query) {
        return new DatabaseFact<>(name, query);
    }

    /** What it is, for logs, such as {@code "installed extensions"}. */
    public String name() {
        return name;
    }

    /**
     * Reads it on {@code connection}, a connection to a database on the server that {@code source} describes,
     * blocking.
     *
     * @throws SQLException if the query fails
     * @throws NullPointerException if the query answers {@code null}
     */
    public T read(Connection connection, ServerFacts source) throws SQLException {
        Objects.requireNonNull(source, "source must not be null");
        return Objects.requireNonNull(query.read(connection, source), () -> "the query of the fact '" + name
                + "' answered null");
    }

    @Override
    public String toString() {
        return "DatabaseFact[" + name + "]";
    }
}
