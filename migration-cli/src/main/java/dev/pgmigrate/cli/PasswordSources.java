package dev.pgmigrate.cli;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.MigrationProperties;
import dev.pgmigrate.core.PasswordFile;
import java.util.HashMap;
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

    /**
     * Whether the password file has the entry for {@code server}'s login at its address that the engine's sessions
     * take ({@link PasswordFile#loginEntry}).
     */
    static boolean inPasswordFile(ServerSpec server) {
        return PasswordFile.loginEntry(server).isPresent();
    }
}
