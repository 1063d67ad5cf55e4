package dev.pgmigrate.cli;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.MigrationProperties;
import dev.pgmigrate.core.PasswordFile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a password the properties file does not give comes from, in libpq's order: {@code PGPASSWORD}, then the
 * password file ({@code PGPASSFILE}, else {@code ~/.pgpass}), then a prompt on a terminal ({@link Passwords}).
 * {@code PGPASSWORD} is kept by reference ({@code env:PGPASSWORD}), so that a cancel in another process finds it
 * again; the password file is read where each connection is made, by the driver and for pg_dump alike
 * ({@link PasswordFile}).
 */
final class PasswordSources {
    static final String PGPASSWORD = "PGPASSWORD";
    /**
     * The databases a server's first session may go to, and whose password file entries the engine's sessions in a
     * database without an entry of its own take: the ones an entry must match for the prompt to be skipped.
     */
    private static final List<String> MAINTENANCE_DATABASES = List.of("postgres", "template1");

    private PasswordSources() {
    }

    /** {@code properties} with {@code PGPASSWORD} as {@code server}'s password, when it is set and not empty. */
    static Optional<MigrationProperties> fromEnvironment(MigrationProperties properties, String server) {
        String value = System.getenv(PGPASSWORD);
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        MigrationProperties with = properties.withPassword(server, Secret.of(value, "the environment variable "
                + PGPASSWORD));
        Map<String, String> references = new HashMap<>(with.secretReferences());
        references.put(server, "env:" + PGPASSWORD);
        return Optional.of(new MigrationProperties(with.source(), with.target(), with.databases(), with.option(),
                with.mode(), with.settings(), references));
    }

    /** Whether the password file has an entry for {@code server}'s login at its address. */
    static boolean inPasswordFile(ServerSpec server) {
        return MAINTENANCE_DATABASES.stream().anyMatch(db -> PasswordFile.lookup(server, db).isPresent());
    }
}
