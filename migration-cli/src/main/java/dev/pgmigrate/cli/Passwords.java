package dev.pgmigrate.cli;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.MigrationProperties;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.SecretReferences;
import dev.pgmigrate.core.StoredMigration;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Console;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the CLI gets passwords: the properties file (a string, an {@code env} or {@code file} reference), else
 * {@code PGPASSWORD} or the password file ({@link PasswordSources}), else a prompt on a terminal. Never from the
 * command line, never printed, never stored. A background run receives them on its standard input, which nothing
 * else can read.
 */
final class Passwords {
    static final List<String> SERVERS = List.of(MigrationProperties.SOURCE_SERVER, MigrationProperties.TARGET_SERVER);
    /** Where a password typed at the prompt came from, as {@link Secret#origin()} says it. */
    private static final String TYPED = "the password prompt";

    private Passwords() {
    }

    /**
     * Fills in the passwords the file left out by asking at the terminal, when there is one.
     *
     * @param required whether {@code --prompt-password} was given: then no terminal is an error
     */
    static MigrationProperties complete(Cli cli, MigrationProperties properties, boolean required) {
        MigrationProperties result = properties;
        Console console = System.console();
        for (String server : SERVERS) {
            if (result.hasPassword(server)) {
                continue;
            }
            if (!required) { // --prompt-password asks even when the environment could answer
                Optional<MigrationProperties> fromEnvironment = PasswordSources.fromEnvironment(result, server);
                if (fromEnvironment.isPresent()) {
                    result = fromEnvironment.get();
                    continue;
                }
                if (PasswordSources.inPasswordFile(server.equals(MigrationProperties.SOURCE_SERVER) ? result.source()
                        : result.target())) {
                    continue; // the driver and pg_dump read it there, for each database
                }
            }
            if (console == null) {
                if (required) {
                    throw new CliException(ExitCodes.USAGE, "--prompt-password needs a terminal to ask for the "
                            + server + " password on. Without one, give it in the properties file as "
                            + "{\"env\": \"VARIABLE\"} or {\"file\": \"path\"}.");
                }
                continue;
            }
            ServerSpec spec = server.equals(MigrationProperties.SOURCE_SERVER) ? result.source() : result.target();
            char[] typed = console.readPassword("Password for %s at %s (%s; Enter for none): ", spec.adminLogin(),
                    spec.address(), server);
            if (typed != null && typed.length > 0) {
                result = result.withPassword(server, Secret.of(new String(typed), TYPED));
                java.util.Arrays.fill(typed, '\0');
            }
        }
        return result;
    }

    /** The suffix of a line that gives a server's password reference ({@code env:PGPASSWORD}), not its password. */
    private static final String REFERENCE = ".reference";
    /** The suffix of a line that says where a server's password came from ({@link Secret#origin()}). */
    private static final String ORIGIN = ".origin";

    /**
     * Writes the known passwords to a background run's standard input, then closes it; with the references of
     * those that came from the environment rather than the file ({@code PGPASSWORD}), which the run stores.
     */
    static void send(MigrationProperties properties, OutputStream to) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (String server : SERVERS) {
            ServerSpec spec = server.equals(MigrationProperties.SOURCE_SERVER) ? properties.source()
                    : properties.target();
            spec.password().ifPresent(p -> lines.append(line(server, p)));
            spec.password().flatMap(Secret::origin).ifPresent(o -> lines.append(line(server + ORIGIN,
                    Secret.of(o))));
        }
        properties.secretReferences().forEach((server, reference) -> lines.append(line(server + REFERENCE,
                Secret.of(reference))));
        try (to) {
            to.write(lines.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Reads what {@link #send} wrote, to standard input's end, and puts the passwords into {@code properties}. */
    static MigrationProperties receive(MigrationProperties properties, InputStream from) throws IOException {
        MigrationProperties result = properties;
        Map<String, String> references = new HashMap<>(properties.secretReferences());
        Map<String, String> passwords = new HashMap<>();
        Map<String, String> origins = new HashMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            int space = line.indexOf(' ');
            String key = space < 0 ? "" : line.substring(0, space);
            String suffix = key.endsWith(REFERENCE) ? REFERENCE : key.endsWith(ORIGIN) ? ORIGIN : "";
            String server = key.substring(0, key.length() - suffix.length());
            if (!SERVERS.contains(server)) {
                continue;
            }
            String value = new String(Base64.getDecoder().decode(line.substring(space + 1)), StandardCharsets.UTF_8);
            switch (suffix) {
                case REFERENCE -> references.putIfAbsent(server, value);
                case ORIGIN -> origins.put(server, value);
                default -> passwords.put(server, value);
            }
        }
        for (Map.Entry<String, String> password : passwords.entrySet()) {
            String origin = origins.get(password.getKey());
            result = result.withPassword(password.getKey(), origin == null ? Secret.of(password.getValue())
                    : Secret.of(password.getValue(), origin));
        }
        return new MigrationProperties(result.source(), result.target(), result.databases(), result.option(),
                result.mode(), result.settings(), references);
    }

    private static String line(String server, Secret password) {
        return server + " " + Base64.getEncoder().encodeToString(password.reveal().getBytes(StandardCharsets.UTF_8))
                + "\n";
    }

    /**
     * Passwords for a migration another process started, as cancel needs them for a rollback: its stored
     * references ({@code env:}, {@code file:}), else a prompt on the terminal, else none.
     */
    static MigrationService.CredentialsProvider forStoredMigrations(Cli cli) {
        return forStoredMigrations(cli, Optional.empty());
    }

    /**
     * As {@link #forStoredMigrations(Cli)}, first taking a password from {@code given}, the properties file that
     * started the migration (a plain-text password there is not stored with it), when it names the same server.
     */
    static MigrationService.CredentialsProvider forStoredMigrations(Cli cli, Optional<MigrationProperties> given) {
        return (StoredMigration migration, String server) -> {
            Optional<Secret> referenced = SecretReferences.resolve(migration, server);
            if (referenced.isPresent()) {
                return referenced;
            }
            boolean isSource = server.equals(MigrationProperties.SOURCE_SERVER);
            if (given.isPresent()) {
                ServerSpec stored = isSource ? migration.record().spec().source() : migration.record().spec().target();
                ServerSpec file = isSource ? given.get().source() : given.get().target();
                if (!file.address().equals(stored.address()) || !file.adminLogin().equals(stored.adminLogin())) {
                    throw new CliException(ExitCodes.USAGE, "The properties file names " + server + " "
                            + file.adminLogin() + "@" + file.address() + ", but migration " + migration.name()
                            + " ran with " + stored.adminLogin() + "@" + stored.address() + ". Give the file that "
                            + "started it.");
                }
                if (file.password().isPresent()) {
                    return file.password();
                }
            }
            Console console = System.console();
            if (console == null) {
                return Optional.empty();
            }
            ServerSpec spec = isSource ? migration.record().spec().source() : migration.record().spec().target();
            char[] typed = console.readPassword("Password for %s at %s (%s of migration %s): ", spec.adminLogin(),
                    spec.address(), server, migration.name());
            return typed == null || typed.length == 0 ? Optional.empty()
                    : Optional.of(Secret.of(new String(typed), TYPED));
        };
    }
}
