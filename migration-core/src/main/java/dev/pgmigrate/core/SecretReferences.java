package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.Stable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns a password reference ({@code env:NAME} or {@code file:/path}) into the password. References, not
 * passwords, are what the store keeps.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public final class SecretReferences {
    private SecretReferences() {
    }

    /** The password of {@code server} ({@code "sourceServer"} or {@code "targetServer"}) from its reference. */
    public static Optional<Secret> resolve(StoredMigration migration, String server) {
        String reference = migration.secretReferences().get(server);
        return reference == null ? Optional.empty() : Optional.of(resolve(reference));
    }

    /**
     * @throws MigrationException when the variable is unset or the file unreadable
     */
    public static Secret resolve(String reference) {
        if (reference.startsWith("env:")) {
            String name = reference.substring(4);
            String value = System.getenv(name);
            if (value == null) {
                throw new MigrationException(MessageCode.SECRET_UNAVAILABLE,
                        "The environment variable " + name + " that holds a password is not set; "
                        + "export it before running pgmigrate.");
            }
            return Secret.of(value, "the environment variable " + name);
        }
        if (reference.startsWith("file:")) {
            Path file = Path.of(reference.substring(5));
            try {
                return Secret.of(stripNewline(BoundedFiles.read(file, BoundedFiles.PASSWORD_BYTES)),
                        "the file " + file);
            } catch (IOException e) {
                throw new MigrationException(MessageCode.SECRET_UNAVAILABLE,
                        "Cannot read the password file " + file + ": " + e.getMessage()
                        + ". Make it readable by this user.", e);
            }
        }
        throw new MigrationException(MessageCode.SECRET_UNAVAILABLE,
                "Unknown password reference '" + reference.replaceAll(":.*", ":...")
                + "'; use env:NAME or file:/path.");
    }

    private static String stripNewline(String s) {
        return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }
}
