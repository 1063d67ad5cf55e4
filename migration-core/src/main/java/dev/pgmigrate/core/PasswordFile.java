package dev.pgmigrate.core;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.internal.pg.MaintenanceDatabase;
import java.util.Objects;
import java.util.Optional;
import org.postgresql.jdbcurlresolver.PgPassParser;

/**
 * The libpq password file, read as the PostgreSQL driver reads it when a {@link ServerSpec} has no password: the file
 * {@code PGPASSFILE} names, else {@code ~/.pgpass}; lines {@code host:port:database:user:password}, {@code *} for
 * any, {@code \:} and {@code \\} escaped. The engine's connections find their password there through the driver,
 * and pg_dump through this class, so both log in alike.
 *
 * <p>{@code PasswordFile.lookup(spec, "shop").isPresent()}
 *
 * @since 0.2
 */
@Experimental
public final class PasswordFile {
    private PasswordFile() {
    }

    /** The password the file holds for {@code server}'s login at its address, in {@code database}. */
    public static Optional<Secret> lookup(ServerSpec server, String database) {
        Objects.requireNonNull(server, "server must not be null");
        Objects.requireNonNull(database, "database must not be null");
        return Optional.ofNullable(PgPassParser.getPassword(server.connectHost(), String.valueOf(server.port()),
                database, server.adminLogin())).map(Secret::of);
    }

    /**
     * The password the file holds for {@code server}'s login at its address in {@code postgres}, else in
     * {@code template1}: the databases the engine's first session on a server goes to. A database without an entry
     * of its own (the one a migration creates under a working name, say) takes this one: a role's password is the
     * server's, not a database's.
     */
    public static Optional<Secret> loginEntry(ServerSpec server) {
        for (String database : MaintenanceDatabase.PREFERRED) {
            Optional<Secret> found = lookup(server, database);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}
