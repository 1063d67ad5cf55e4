package dev.pgmigrate.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.Stable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A migration read from a JSON properties file: both servers, the databases, the option, the mode and the
 * settings; everything but the migration's name, which the caller gives.
 *
 * <p>Two shapes are accepted, with keys matched without regard to case. pgmigrate's own:
 * <pre>{@code
 * {"properties": {
 *    "sourceServer": {"host": "10.0.0.4", "port": 5432, "adminLogin": "postgres",
 *                     "password": {"env": "SOURCE_PASSWORD"}, "sslMode": "prefer", "type": "OnPremises"},
 *    "targetServer": {"host": "pg.example.com", "port": 5432, "adminLogin": "admin",
 *                     "password": {"file": "/run/secrets/target"}, "sslMode": "require"},
 *    "dbsToMigrate": ["inventory", "orders"],
 *    "overwriteDbsInTarget": false,
 *    "migrationOption": "ValidateAndMigrate",
 *    "migrationMode": "Offline",
 *    "settings": {"parallelism": 4, "migrateRoles": true, "verify": true}}}
 * }</pre>
 * and the managed service's CLI file as its users have it: {@code sourceDbServerResourceId} as
 * {@code host:port@user} (or a single or flexible server's Azure resource id),
 * {@code secretParameters.adminCredentials.sourceServerPassword}/{@code targetServerPassword}, the user names in
 * {@code secretParameters} or at the top, {@code sourceType}, {@code sslMode} (of the source), booleans as
 * {@code "true"} strings, and the target from {@code targetDbServerFullyQualifiedDomainName} or from the command
 * line ({@link #read(Path, String)}), as the service's CLI names its target server.
 *
 * <p>A password is a plain string, {@code {"env": "NAME"}} or {@code {"file": "path"}} (a relative path is read
 * from the properties file's directory). For the last two, {@link #secretReferences()} keeps the reference
 * ({@code env:NAME}, {@code file:/abs/path}), which is what a store may keep; a plain password is never kept.
 *
 * <p>Reading touches no server. Every problem in the file is reported at once, in one
 * {@link InvalidSpecException} whose problems name the field path ({@code properties.sourceServer.port}), the
 * value (never a password) and the rule.
 *
 * <p>{@code MigrationSpec spec = MigrationProperties.read(Path.of("migration.json")).toSpec("shop-move");}
 *
 * @param source how to reach the source server, with its password when the file gave one
 * @param target how to reach the target server, with its password when the file gave one
 * @param databases the databases to migrate
 * @param option the migration option the file names, if it names one
 * @param mode the migration mode the file names, if it names one
 * @param settings the settings, defaults for those the file leaves out
 * @param secretReferences where the passwords came from, by server ({@code "sourceServer"},
 *     {@code "targetServer"}); a server whose password was a plain string or absent has no entry
 * @param notes what a person should hear about how the file was read: which field or option gave the target,
 *     the managed service's fields that were ignored; empty for pgmigrate's own shape (since 0.2)
 * @since 0.1
 */
@Stable(since = "0.1")
public record MigrationProperties(ServerSpec source, ServerSpec target, List<String> databases,
        Optional<MigrationOption> option, Optional<MigrationMode> mode, MigrationSettings settings,
        Map<String, String> secretReferences, List<String> notes) {

    /** The key of the source server in {@link #secretReferences()}. */
    public static final String SOURCE_SERVER = "sourceServer";
    /** The key of the target server in {@link #secretReferences()}. */
    public static final String TARGET_SERVER = "targetServer";

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public MigrationProperties {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(target, "target must not be null");
        databases = List.copyOf(Objects.requireNonNull(databases, "databases must not be null"));
        Objects.requireNonNull(option, "option must not be null");
        Objects.requireNonNull(mode, "mode must not be null");
        Objects.requireNonNull(settings, "settings must not be null");
        secretReferences = Map.copyOf(Objects.requireNonNull(secretReferences, "secretReferences must not be null"));
        notes = List.copyOf(Objects.requireNonNull(notes, "notes must not be null"));
    }

    /** Properties without notes, as before notes were kept. */
    public MigrationProperties(ServerSpec source, ServerSpec target, List<String> databases,
            Optional<MigrationOption> option, Optional<MigrationMode> mode, MigrationSettings settings,
            Map<String, String> secretReferences) {
        this(source, target, databases, option, mode, settings, secretReferences, List.of());
    }

    /**
     * Reads and checks a properties file; touches no server.
     *
     * @throws InvalidSpecException naming the file, when it cannot be read, is not JSON, or breaks any rule; the
     *     problems list every field at fault
     */
    public static MigrationProperties read(Path file) {
        return readFile(file, null);
    }

    /**
     * Reads and checks a properties file whose target server the command line names, as the managed service's
     * CLI does; touches no server. A file may leave its target out then; if it names one too, both must name
     * the same server, and {@link #notes()} says which was used.
     *
     * @param targetServer {@code HOST} or {@code HOST:PORT} (an IPv6 host in brackets), such as
     *     {@code "pg.example.com:5432"}
     * @throws InvalidSpecException as {@link #read(Path)} does, and naming {@code --target-server} when it is
     *     malformed or names another server than the file
     * @since 0.2
     */
    public static MigrationProperties read(Path file, String targetServer) {
        return readFile(file, Objects.requireNonNull(targetServer, "targetServer must not be null"));
    }

    /** Reads {@code file}; {@code targetServer} is {@code null} when the command line names no target. */
    private static MigrationProperties readFile(Path file, String targetServer) {
        Objects.requireNonNull(file, "file must not be null");
        String text;
        try {
            text = BoundedFiles.read(file, BoundedFiles.PROPERTIES_BYTES);
        } catch (BoundedFiles.TooLarge e) {
            throw new InvalidSpecException(file.toString(), List.of(new SpecProblem("file", file.toString(),
                    "holds more than " + BoundedFiles.PROPERTIES_BYTES / (1024 * 1024) + " MiB, more than a "
                            + "properties file does; check the path given to --properties")));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidSpecException(file.toString(), List.of(new SpecProblem("file", file.toString(),
                    "the file does not exist; check the path given to --properties")));
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InvalidSpecException(file.toString(), List.of(new SpecProblem("file", file.toString(),
                    "the file is not UTF-8 text; save it as UTF-8 JSON")));
        } catch (IOException e) {
            throw new InvalidSpecException(file.toString(), List.of(new SpecProblem("file", file.toString(),
                    "cannot be read (" + e.getClass().getSimpleName() + "); make it readable by this user")));
        }
        Path base = file.toAbsolutePath().getParent();
        return parseText(text, file.toString(), base != null ? base : Path.of("").toAbsolutePath(), targetServer);
    }

    /**
     * Parses and checks the text of a properties file; touches no server.
     *
     * @param json the file's text
     * @param sourceName where it came from, for messages, such as the file name
     * @param baseDirectory the directory relative {@code {"file": ...}} passwords are read from
     * @throws InvalidSpecException listing every problem
     */
    public static MigrationProperties parse(String json, String sourceName, Path baseDirectory) {
        return parseText(json, sourceName, baseDirectory, null);
    }

    /**
     * Parses and checks the text of a properties file whose target server the command line names; touches no
     * server.
     *
     * @param targetServer {@code HOST} or {@code HOST:PORT}, as {@link #read(Path, String)} takes it
     * @throws InvalidSpecException listing every problem
     * @since 0.2
     */
    public static MigrationProperties parse(String json, String sourceName, Path baseDirectory,
            String targetServer) {
        return parseText(json, sourceName, baseDirectory,
                Objects.requireNonNull(targetServer, "targetServer must not be null"));
    }

    /** Parses {@code json}; {@code targetServer} is {@code null} when the command line names no target. */
    private static MigrationProperties parseText(String json, String sourceName, Path baseDirectory,
            String targetServer) {
        Objects.requireNonNull(json, "json must not be null");
        Objects.requireNonNull(sourceName, "sourceName must not be null");
        Objects.requireNonNull(baseDirectory, "baseDirectory must not be null");
        JsonNode root;
        try {
            root = json.isBlank() ? null : STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidSpecException(sourceName, List.of(syntaxProblem(e)));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidSpecException(sourceName, List.of(new SpecProblem("file", "(empty)",
                    "the file holds no JSON; start from the example in the README: {\"properties\": {...}}")));
        }
        PropertiesReader reader = new PropertiesReader(baseDirectory.toAbsolutePath(), targetServer);
        MigrationProperties parsed = reader.read(root);
        if (!reader.problems().isEmpty()) {
            throw new InvalidSpecException(sourceName, reader.problems());
        }
        return parsed;
    }

    /**
     * The spec this file describes, with the option and mode the file names (else {@code ValidateAndMigrate},
     * {@code Offline}).
     *
     * @throws InvalidSpecException when the name breaks the rules, or the spec does (such as an {@code Online}
     *     migration of the schema or the data alone)
     */
    public MigrationSpec toSpec(String name) {
        return toSpec(name, option.orElse(MigrationOption.VALIDATE_AND_MIGRATE), mode.orElse(MigrationMode.OFFLINE));
    }

    /**
     * The spec this file describes, with the option and mode given here instead of the file's, as the command
     * line's options win over the file.
     *
     * @throws InvalidSpecException when the name breaks the rules, or the spec does (such as an {@code Online}
     *     migration of the schema or the data alone)
     */
    public MigrationSpec toSpec(String name, MigrationOption migrationOption, MigrationMode migrationMode) {
        Objects.requireNonNull(migrationOption, "migrationOption must not be null");
        Objects.requireNonNull(migrationMode, "migrationMode must not be null");
        List<SpecProblem> problems = MigrationSpec.nameProblems("name", name);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        return MigrationSpec.builder().name(name).source(source).target(target).databases(databases)
                .option(migrationOption).mode(migrationMode).settings(settings).build();
    }

    /** Whether the file gave a password for {@code server} ({@value #SOURCE_SERVER} or {@value #TARGET_SERVER}). */
    public boolean hasPassword(String server) {
        return serverOf(server).password().isPresent();
    }

    /** A copy in which {@code server} logs in with {@code password}, such as one typed at a prompt. */
    public MigrationProperties withPassword(String server, Secret password) {
        Objects.requireNonNull(password, "password must not be null");
        ServerSpec changed = serverOf(server).withLogin(serverOf(server).adminLogin(), Optional.of(password));
        return new MigrationProperties(SOURCE_SERVER.equals(server) ? changed : source,
                TARGET_SERVER.equals(server) ? changed : target, databases, option, mode, settings, secretReferences,
                notes);
    }

    private ServerSpec serverOf(String server) {
        return switch (Objects.requireNonNull(server, "server must not be null")) {
            case SOURCE_SERVER -> source;
            case TARGET_SERVER -> target;
            default -> throw new IllegalArgumentException("server must be sourceServer or targetServer, not " + server);
        };
    }

    private static SpecProblem syntaxProblem(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "(unknown position)" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
        String why = e.getOriginalMessage();
        // Jackson's first sentence says what it found; the rest repeats the source text, which may hold a password.
        int cut = why.indexOf('\n');
        why = (cut < 0 ? why : why.substring(0, cut)).replaceAll("\\(for .*?\\)", "").trim();
        // An unquoted word is echoed by Jackson; it may be a password written without quotes.
        why = why.replaceAll("Unrecognized token '[^']*'", "Unrecognized word (text without quotes)");
        if (why.startsWith("Duplicate field")) {
            return new SpecProblem("file", where, why + "; give each field once");
        }
        return new SpecProblem("file", where, "not valid JSON: " + why
                + "; fix the syntax there (quotes around names and strings, commas between fields, no trailing "
                + "commas, no comments)");
    }
}
