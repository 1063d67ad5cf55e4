package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.Stable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Read-only access to one server for a validator.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public interface ServerAccess {
    /** Source or target. */
    ServerRole role();

    /** How the server is reached; its password prints as {@code ****}. */
    ServerSpec spec();

    /**
     * A read-only connection to {@code database}; the caller closes it. During premigration validation it may be
     * a session an earlier check of the same database closed, handed on reset ({@code RESET ALL}, no open
     * transaction, autocommit and read-only on): a check must not rely on its backend being new.
     *
     * @throws SQLException with the server's SQLState when the connection is refused
     */
    Connection connect(String database) throws SQLException;

    /** What the engine read about the server, or empty when it could not connect. */
    Optional<ServerFacts> facts();
}
