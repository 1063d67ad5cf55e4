package dev.pgmigrate.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.Labeled;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerParametersMode;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.api.Stable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

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
 * and the managed service's CLI body: {@code sourceDbServerResourceId} as {@code host:port@user},
 * {@code secretParameters.adminCredentials.sourceServerPassword}/{@code targetServerPassword},
 * {@code targetServerUserName}, {@code sourceType}, {@code sslMode} (of the source), booleans as {@code "true"}
 * strings, with the target's host and port in {@code targetServer}.
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
 * @since 0.1
 */
@Stable(since = "0.1")
public record MigrationProperties(ServerSpec source, ServerSpec target, List<String> databases,
        Optional<MigrationOption> option, Optional<MigrationMode> mode, MigrationSettings settings,
        Map<String, String> secretReferences) {

    /** The key of the source server in {@link #secretReferences()}. */
    public static final String SOURCE_SERVER = "sourceServer";
    /** The key of the target server in {@link #secretReferences()}. */
    public static final String TARGET_SERVER = "targetServer";

    private static final String ROOT = "properties";
    private static final String MISSING = "(missing)";
    private static final String HIDDEN = "****";
    private static final String PASSWORD_FORMS = "give a string, {\"env\": \"VARIABLE\"} or {\"file\": \"path\"}";

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final List<String> PROPERTIES_FIELDS = List.of("sourceServer", "targetServer", "dbsToMigrate",
            "overwriteDbsInTarget", "migrationOption", "migrationMode", "settings", "migrateRoles",
            "sourceDbServerResourceId", "secretParameters", "sourceServerUserName", "targetServerUserName", "sourceType",
            "sslMode", "sourceDbServerFullyQualifiedDomainName", "targetDbServerFullyQualifiedDomainName");
    private static final List<String> SERVER_FIELDS = List.of("host", "port", "adminLogin", "password", "sslMode",
            "type", "fullyQualifiedDomainName");
    private static final List<String> SETTINGS_FIELDS = List.of("parallelism", "migrateRoles", "verify",
            "serverParameters", "splitTablesLargerThanBytes", "maintenanceWorkMem", "connectTimeoutSeconds",
            "pgDumpDirectory", "extensionAllowListParameter", "options");
    private static final List<String> SECRET_FIELDS = List.of("adminCredentials", "sourceServerUserName",
            "targetServerUserName");
    private static final List<String> CREDENTIAL_FIELDS = List.of("sourceServerPassword", "targetServerPassword");
    /** Fields of the managed service's body that have no meaning here, with what to do about each. */
    private static final Map<String, String> FOREIGN_FIELDS = foreignFields();

    public MigrationProperties {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(target, "target must not be null");
        databases = List.copyOf(Objects.requireNonNull(databases, "databases must not be null"));
        Objects.requireNonNull(option, "option must not be null");
        Objects.requireNonNull(mode, "mode must not be null");
        Objects.requireNonNull(settings, "settings must not be null");
        secretReferences = Map.copyOf(Objects.requireNonNull(secretReferences, "secretReferences must not be null"));
    }

    /**
     * Reads and checks a properties file; touches no server.
     *
     * @throws InvalidSpecException naming the file, when it cannot be read, is not JSON, or breaks any rule; the
     *     problems list every field at fault
     */
    public static MigrationProperties read(Path file) {
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
        return parse(text, file.toString(), base != null ? base : Path.of("").toAbsolutePath());
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
        Reader reader = new Reader(baseDirectory.toAbsolutePath());
        MigrationProperties parsed = reader.read(root);
        if (!reader.problems.isEmpty()) {
            throw new InvalidSpecException(sourceName, reader.problems);
        }
        return parsed;
    }

    /**
     * The spec this file describes, with the option and mode the file names (else {@code ValidateAndMigrate},
     * {@code Offline}).
     *
     * @throws InvalidSpecException when the name breaks the rules or the mode is {@code Online}
     */
    public MigrationSpec toSpec(String name) {
        return toSpec(name, option.orElse(MigrationOption.VALIDATE_AND_MIGRATE), mode.orElse(MigrationMode.OFFLINE));
    }

    /**
     * The spec this file describes, with the option and mode given here instead of the file's, as the command
     * line's options win over the file.
     *
     * @throws InvalidSpecException when the name breaks the rules or the mode is {@code Online}
     */
    public MigrationSpec toSpec(String name, MigrationOption migrationOption, MigrationMode migrationMode) {
        Objects.requireNonNull(migrationOption, "migrationOption must not be null");
        Objects.requireNonNull(migrationMode, "migrationMode must not be null");
        List<SpecProblem> problems = new ArrayList<>(MigrationSpec.nameProblems("name", name));
        if (migrationMode == MigrationMode.ONLINE) {
            problems.add(new SpecProblem(ROOT + ".migrationMode", "Online", "only Offline migrations are "
                    + "implemented; stop writes to the source and use Offline"));
        }
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
                TARGET_SERVER.equals(server) ? changed : target, databases, option, mode, settings, secretReferences);
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

    private static Map<String, String> foreignFields() {
        Map<String, String> map = new LinkedHashMap<>();
        String online = "belongs to Online migrations, which pgmigrate does not do; remove it";
        for (String f : List.of("setupLogicalReplicationOnSourceDbIfNeeded", "triggerCutover", "dbsToTriggerCutoverOn",
                "migrationWindowStartTimeInUtc", "migrationWindowEndTimeInUtc", "startDataMigration")) {
            map.put(f.toLowerCase(Locale.ROOT), online);
        }
        map.put("migrationruntimeresourceid", "names an Azure runtime server; pgmigrate runs the migration itself, "
                + "so remove it");
        map.put("cancel", "is not part of a new migration; use 'pgmigrate migration cancel --name NAME' instead");
        map.put("dbstocancelmigrationon", "is not part of a new migration; use 'pgmigrate migration cancel' instead");
        return map;
    }

    /** Reads one file's tree, collecting problems instead of stopping at the first. */
    private static final class Reader {
        private final Path baseDirectory;
        private final List<SpecProblem> problems = new ArrayList<>();
        private final Map<String, String> references = new HashMap<>();

        Reader(Path baseDirectory) {
            this.baseDirectory = baseDirectory;
        }

        MigrationProperties read(JsonNode root) {
            Fields top = fields("", root, List.of(ROOT), "the file must hold one object: {\"properties\": {...}}");
            if (top == null) {
                return null;
            }
            JsonNode propertiesNode = top.get(ROOT);
            if (propertiesNode == null) {
                problem(ROOT, MISSING, "the file must hold {\"properties\": {...}}; see the README for every field");
                return null;
            }
            Fields p = fields(ROOT, propertiesNode, PROPERTIES_FIELDS, "must be an object holding the migration's "
                    + "fields: {\"sourceServer\": {...}, \"targetServer\": {...}, \"dbsToMigrate\": [...]}");
            if (p == null) {
                return null;
            }
            Fields secrets = p.has("secretParameters")
                    ? fields(ROOT + ".secretParameters", p.get("secretParameters"), SECRET_FIELDS,
                            "must be an object such as {\"adminCredentials\": {\"sourceServerPassword\": ..., "
                                    + "\"targetServerPassword\": ...}}")
                    : null;
            Fields credentials = secrets != null && secrets.has("adminCredentials")
                    ? fields(ROOT + ".secretParameters.adminCredentials", secrets.get("adminCredentials"),
                            CREDENTIAL_FIELDS, "must be an object: {\"sourceServerPassword\": ..., "
                                    + "\"targetServerPassword\": ...}")
                    : null;

            ServerSpec source = readSource(p, secrets, credentials);
            ServerSpec target = readTarget(p, secrets, credentials);
            List<String> databases = readDatabases(p);
            Optional<MigrationOption> option = Optional.ofNullable(enumValue(p, "migrationOption",
                    MigrationOption.class));
            Optional<MigrationMode> mode = Optional.ofNullable(enumValue(p, "migrationMode", MigrationMode.class));
            MigrationSettings settings = readSettings(p);
            if (!problems.isEmpty()) {
                return null;
            }
            return new MigrationProperties(source, target, databases, option, mode, settings, references);
        }

        // ---- servers

        private ServerSpec readSource(Fields p, Fields secrets, Fields credentials) {
            String resourceIdField = ROOT + ".sourceDbServerResourceId";
            boolean azure = p.has("sourceDbServerResourceId");
            if (azure && p.has("sourceServer")) {
                problem(resourceIdField, text(p.get("sourceDbServerResourceId")), "the source is given twice; keep "
                        + "either sourceServer or sourceDbServerResourceId");
                return null;
            }
            if (!azure && !p.has("sourceServer")) {
                problem(ROOT + ".sourceServer", MISSING, "say where the source server is: \"sourceServer\": "
                        + "{\"host\": ..., \"port\": 5432, \"adminLogin\": ..., \"password\": ...}");
                return null;
            }
            ServerFields server = new ServerFields();
            String prefix;
            if (azure) {
                prefix = resourceIdField;
                parseResourceId(resourceIdField, p.get("sourceDbServerResourceId"), server);
            } else {
                prefix = ROOT + ".sourceServer";
                Fields s = fields(prefix, p.get("sourceServer"), SERVER_FIELDS, "must be an object: {\"host\": ..., "
                        + "\"port\": 5432, \"adminLogin\": ..., \"password\": ...}");
                if (s == null) {
                    return null;
                }
                readServerObject(prefix, s, server, SOURCE_SERVER);
            }
            // The managed service's names for the same things, outside the server object.
            server.adminLogin = merge(server.adminLogin, prefix + ".adminLogin", stringIn(secrets,
                    ROOT + ".secretParameters", "sourceServerUserName"), ROOT + ".secretParameters.sourceServerUserName");
            server.adminLogin = merge(server.adminLogin, prefix + ".adminLogin", string(p, "sourceServerUserName"),
                    ROOT + ".sourceServerUserName");
            server.sslMode = merge(server.sslMode, prefix + ".sslMode", enumValue(p, "sslMode", SslMode.class),
                    ROOT + ".sslMode");
            server.type = merge(server.type, prefix + ".type", enumValue(p, "sourceType", SourceServerType.class),
                    ROOT + ".sourceType");
            server.fqdn = merge(server.fqdn, prefix + ".fullyQualifiedDomainName",
                    string(p, "sourceDbServerFullyQualifiedDomainName"),
                    ROOT + ".sourceDbServerFullyQualifiedDomainName");
            server.password = merge(server.password, prefix + ".password",
                    password(credentials, ROOT + ".secretParameters.adminCredentials", "sourceServerPassword",
                            SOURCE_SERVER), ROOT + ".secretParameters.adminCredentials.sourceServerPassword");
            return build(prefix, server);
        }

        private ServerSpec readTarget(Fields p, Fields secrets, Fields credentials) {
            String prefix = ROOT + ".targetServer";
            if (!p.has("targetServer")) {
                problem(prefix, MISSING, "say where the target server is: \"targetServer\": {\"host\": ..., "
                        + "\"port\": 5432, \"adminLogin\": ..., \"password\": ...}");
                return null;
            }
            Fields t = fields(prefix, p.get("targetServer"), SERVER_FIELDS, "must be an object: {\"host\": ..., "
                    + "\"port\": 5432, \"adminLogin\": ..., \"password\": ...}");
            if (t == null) {
                return null;
            }
            ServerFields server = new ServerFields();
            readServerObject(prefix, t, server, TARGET_SERVER);
            server.adminLogin = merge(server.adminLogin, prefix + ".adminLogin", stringIn(secrets,
                    ROOT + ".secretParameters", "targetServerUserName"), ROOT + ".secretParameters.targetServerUserName");
            server.adminLogin = merge(server.adminLogin, prefix + ".adminLogin", string(p, "targetServerUserName"),
                    ROOT + ".targetServerUserName");
            server.fqdn = merge(server.fqdn, prefix + ".fullyQualifiedDomainName",
                    string(p, "targetDbServerFullyQualifiedDomainName"),
                    ROOT + ".targetDbServerFullyQualifiedDomainName");
            server.password = merge(server.password, prefix + ".password",
                    password(credentials, ROOT + ".secretParameters.adminCredentials", "targetServerPassword",
                            TARGET_SERVER), ROOT + ".secretParameters.adminCredentials.targetServerPassword");
            return build(prefix, server);
        }

        private void readServerObject(String prefix, Fields s, ServerFields server, String serverKey) {
            server.host = string(s, prefix, "host");
            server.hostGiven = s.has("host");
            server.port = port(s, prefix);
            server.adminLogin = string(s, prefix, "adminLogin");
            server.password = password(s, prefix, "password", serverKey);
            server.sslMode = enumValue(s, prefix, "sslMode", SslMode.class);
            server.type = enumValue(s, prefix, "type", SourceServerType.class);
            server.fqdn = string(s, prefix, "fullyQualifiedDomainName");
        }

        private void parseResourceId(String field, JsonNode node, ServerFields server) {
            String rule = "must be host:port@user, such as \"10.0.0.4:5432@postgres\"";
            if (!node.isTextual()) {
                wrongType(field, node, rule);
                return;
            }
            String id = node.asText().trim();
            if (id.startsWith("/subscriptions/")) {
                problem(field, id, "is an Azure resource id; pgmigrate connects directly, so give host:port@user, such "
                        + "as \"10.0.0.4:5432@postgres\"");
                return;
            }
            int at = id.lastIndexOf('@');
            String address = at < 0 ? id : id.substring(0, at);
            if (at < 0 || at == id.length() - 1) {
                problem(field, id, "names no user; " + rule);
                return;
            }
            server.adminLogin = id.substring(at + 1);
            int colon = address.lastIndexOf(':');
            if (address.startsWith("[")) {
                int close = address.indexOf(']');
                colon = close < 0 ? -1 : address.indexOf(':', close);
                server.host = close < 0 ? address : address.substring(1, close);
            } else {
                server.host = colon < 0 ? address : address.substring(0, colon);
            }
            server.hostGiven = true;
            if (colon < 0) {
                server.port = ServerSpec.DEFAULT_PORT;
            } else {
                String port = address.substring(colon + 1);
                try {
                    server.port = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    problem(field, id, "the port '" + port + "' is not a number; " + rule);
                    server.port = ServerSpec.DEFAULT_PORT;
                }
            }
        }

        private ServerSpec build(String prefix, ServerFields s) {
            if (!s.hostGiven) {
                problem(prefix + ".host", MISSING, "give the server's host name or IP address");
            }
            if (s.adminLogin == null) {
                problem(prefix + ".adminLogin", MISSING, "give the login pgmigrate connects as, such as \"postgres\"");
            }
            if (!s.hostGiven || s.adminLogin == null || s.host == null) {
                return null;
            }
            SslMode ssl = s.sslMode != null ? s.sslMode : SslMode.PREFER;
            SourceServerType type = s.type != null ? s.type : SourceServerType.ON_PREMISES;
            List<SpecProblem> found = ServerSpec.problems(prefix, s.host, s.port, s.adminLogin, ssl, type, s.fqdn);
            if (!found.isEmpty()) {
                problems.addAll(found);
                return null;
            }
            return ServerSpec.builder().host(s.host).port(s.port).adminLogin(s.adminLogin).password(s.password)
                    .sslMode(ssl).type(type).fullyQualifiedDomainName(s.fqdn).build();
        }

        private int port(Fields s, String prefix) {
            JsonNode node = s.get("port");
            String field = prefix + ".port";
            if (node == null) {
                return ServerSpec.DEFAULT_PORT;
            }
            if (node.isTextual() && node.asText().trim().matches("\\d{1,9}")) {
                return Integer.parseInt(node.asText().trim());
            }
            if (node.isIntegralNumber() && node.canConvertToInt()) {
                return node.intValue();
            }
            if (node.isIntegralNumber() || (node.isTextual() && node.asText().trim().matches("\\d+"))) {
                // Too large for a port: said with the value as given, not as an overflowed number.
                problem(field, node.asText(), "must be a whole number between 1 and 65535, such as 5432");
                return ServerSpec.DEFAULT_PORT;
            }
            wrongType(field, node, "must be a whole number between 1 and 65535, such as 5432");
            return ServerSpec.DEFAULT_PORT;
        }

        private Secret password(Fields in, String prefix, String name, String serverKey) {
            if (in == null || !in.has(name)) {
                return null;
            }
            JsonNode node = in.get(name);
            String field = prefix + "." + name;
            if (node.isTextual()) {
                if (node.asText().isEmpty()) {
                    problem(field, "\"\"", "is empty; leave the field out to connect without a password, or "
                            + PASSWORD_FORMS);
                    return null;
                }
                return Secret.of(node.asText());
            }
            if (!node.isObject()) {
                problem(field, node.isNull() ? "null" : typeName(node), "is not a password; " + PASSWORD_FORMS);
                return null;
            }
            Fields ref = fields(field, node, List.of("env", "file"), PASSWORD_FORMS);
            if (ref == null) {
                return null;
            }
            if (ref.has("env") == ref.has("file")) {
                problem(field, ref.isEmpty() ? "{}" : "{\"env\": ..., \"file\": ...}",
                        "give exactly one of {\"env\": \"VARIABLE\"} or {\"file\": \"path\"}");
                return null;
            }
            if (ref.has("env")) {
                String variable = string(ref, field, "env");
                if (variable == null) {
                    return null;
                }
                if (!variable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    problem(field + ".env", variable, "is not an environment variable name; use letters, digits "
                            + "and '_', such as \"TARGET_PASSWORD\"");
                    return null;
                }
                String value = System.getenv(variable);
                if (value == null) {
                    problem(field + ".env", variable, "this environment variable is not set; export it before "
                            + "running pgmigrate");
                    return null;
                }
                references.put(serverKey, "env:" + variable);
                return Secret.of(value);
            }
            String path = string(ref, field, "file");
            if (path == null) {
                return null;
            }
            if (path.isBlank()) {
                problem(field + ".file", "\"\"", "give the path of a file holding the password");
                return null;
            }
            Path file;
            try {
                file = baseDirectory.resolve(path).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                problem(field + ".file", path, "is not a valid path on this system (" + e.getReason()
                        + "); give the path of a file holding the password");
                return null;
            }
            try {
                String value = BoundedFiles.read(file, BoundedFiles.PASSWORD_BYTES);
                value = value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
                        : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
                references.put(serverKey, "file:" + file);
                return Secret.of(value);
            } catch (BoundedFiles.TooLarge e) {
                problem(field + ".file", file.toString(), "holds more than " + BoundedFiles.PASSWORD_BYTES / 1024
                        + " KiB; a password file holds one password (check the path)");
            } catch (java.nio.file.NoSuchFileException e) {
                problem(field + ".file", file.toString(), "the file does not exist; check the path (a relative path "
                        + "is read from the properties file's directory)");
            } catch (IOException e) {
                problem(field + ".file", file.toString(), "cannot be read (" + e.getClass().getSimpleName()
                        + "); make it readable by this user");
            }
            return null;
        }

        // ---- databases and settings

        private List<String> readDatabases(Fields p) {
            String field = ROOT + ".dbsToMigrate";
            JsonNode node = p.get("dbsToMigrate");
            if (node == null) {
                problem(field, MISSING, "name the databases to migrate, such as \"dbsToMigrate\": [\"inventory\"]");
                return List.of();
            }
            if (!node.isArray()) {
                wrongType(field, node, "must be an array of database names, such as [\"inventory\", \"orders\"]");
                return List.of();
            }
            List<String> names = new ArrayList<>();
            boolean typed = true;
            for (int i = 0; i < node.size(); i++) {
                JsonNode element = node.get(i);
                if (!element.isTextual()) {
                    wrongType(field + "[" + i + "]", element, "must be a database name in quotes");
                    typed = false;
                } else {
                    names.add(element.asText());
                }
            }
            if (typed) {
                problems.addAll(MigrationSpec.databaseProblems(field, names));
            }
            return names;
        }

        private MigrationSettings readSettings(Fields p) {
            MigrationSettings.Builder b = MigrationSettings.builder();
            Boolean overwrite = bool(p, ROOT, "overwriteDbsInTarget");
            if (overwrite != null) {
                b.overwriteDbsInTarget(overwrite);
            }
            Boolean rolesAtTop = bool(p, ROOT, "migrateRoles");
            String prefix = ROOT + ".settings";
            Fields s = p.has("settings") ? fields(prefix, p.get("settings"), SETTINGS_FIELDS,
                    "must be an object such as {\"parallelism\": 4, \"verify\": true}") : null;
            Boolean roles = s == null ? null : bool(s, prefix, "migrateRoles");
            roles = merge(roles, prefix + ".migrateRoles", rolesAtTop, ROOT + ".migrateRoles");
            if (roles != null) {
                b.migrateRoles(roles);
            }
            if (s != null) {
                Long parallelism = number(s, prefix, "parallelism");
                if (parallelism != null) {
                    b.parallelism((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, parallelism)));
                }
                Boolean verify = bool(s, prefix, "verify");
                if (verify != null) {
                    b.verify(verify);
                }
                ServerParametersMode parameters = enumValue(s, prefix, "serverParameters", ServerParametersMode.class);
                if (parameters != null) {
                    b.serverParameters(parameters);
                }
                Long split = number(s, prefix, "splitTablesLargerThanBytes");
                if (split != null) {
                    b.splitTablesLargerThanBytes(split);
                }
                String memory = string(s, prefix, "maintenanceWorkMem");
                if (memory != null) {
                    b.maintenanceWorkMem(memory);
                }
                Long timeout = number(s, prefix, "connectTimeoutSeconds");
                if (timeout != null && (timeout < 1 || timeout > 3600)) {
                    problem(prefix + ".connectTimeoutSeconds", String.valueOf(timeout),
                            "must be between 1 and 3600 seconds");
                } else if (timeout != null) {
                    b.connectTimeout(Duration.ofSeconds(timeout));
                }
                b.pgDumpDirectory(string(s, prefix, "pgDumpDirectory"));
                b.extensionAllowListParameter(string(s, prefix, "extensionAllowListParameter"));
                readOptions(s, prefix, b);
            }
            try {
                return b.build();
            } catch (InvalidSpecException e) {
                e.problems().forEach(problem -> problems.add(new SpecProblem(
                        problem.field().startsWith("settings.") ? ROOT + "." + problem.field() : problem.field(),
                        problem.value(), problem.rule())));
                return null;
            }
        }

        private void readOptions(Fields s, String prefix, MigrationSettings.Builder b) {
            JsonNode node = s.get("options");
            String field = prefix + ".options";
            if (node == null) {
                return;
            }
            if (!node.isObject()) {
                wrongType(field, node, "must be an object of names and values, such as {\"copy.bufferBytes\": "
                        + "\"1048576\"}");
                return;
            }
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> option = it.next();
                JsonNode value = option.getValue();
                if (value.isTextual() || value.isNumber() || value.isBoolean()) {
                    b.option(option.getKey(), value.asText());
                } else {
                    wrongType(field + "." + option.getKey(), value, "must be a string, number or boolean");
                }
            }
        }

        // ---- scalar readers

        private String string(Fields in, String name) {
            return string(in, ROOT, name);
        }

        private String stringIn(Fields in, String prefix, String name) {
            return in == null ? null : string(in, prefix, name);
        }

        private String string(Fields in, String prefix, String name) {
            JsonNode node = in.get(name);
            if (node == null) {
                return null;
            }
            if (!node.isTextual()) {
                wrongType(prefix + "." + name, node, "must be a string in quotes");
                return null;
            }
            return node.asText();
        }

        private Boolean bool(Fields in, String prefix, String name) {
            JsonNode node = in.get(name);
            if (node == null) {
                return null;
            }
            if (node.isBoolean()) {
                return node.booleanValue();
            }
            if (node.isTextual() && (node.asText().trim().equalsIgnoreCase("true")
                    || node.asText().trim().equalsIgnoreCase("false"))) {
                return Boolean.parseBoolean(node.asText().trim());
            }
            wrongType(prefix + "." + name, node, "must be true or false");
            return null;
        }

        private Long number(Fields in, String prefix, String name) {
            JsonNode node = in.get(name);
            if (node == null) {
                return null;
            }
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return node.longValue();
            }
            if (node.isTextual() && node.asText().trim().matches("-?\\d{1,18}")) {
                return Long.parseLong(node.asText().trim());
            }
            wrongType(prefix + "." + name, node, "must be a whole number");
            return null;
        }

        private <E extends Enum<E> & Labeled> E enumValue(Fields in, String name, Class<E> type) {
            return enumValue(in, ROOT, name, type);
        }

        private <E extends Enum<E> & Labeled> E enumValue(Fields in, String prefix, String name, Class<E> type) {
            JsonNode node = in.get(name);
            if (node == null) {
                return null;
            }
            String valid = Arrays.stream(type.getEnumConstants()).map(Labeled::label).collect(Collectors.joining(", "));
            if (!node.isTextual()) {
                wrongType(prefix + "." + name, node, "must be one of: " + valid);
                return null;
            }
            String wanted = normalize(node.asText());
            for (E constant : type.getEnumConstants()) {
                if (normalize(constant.label()).equals(wanted)) {
                    return constant;
                }
            }
            problem(prefix + "." + name, node.asText(), "must be one of: " + valid);
            return null;
        }

        private static String normalize(String label) {
            return label.toLowerCase(Locale.ROOT).replaceAll("[-_\\s]", "");
        }

        /** Keeps {@code value}, or {@code other} when only it is given; a value given in both places is a problem. */
        private <T> T merge(T value, String field, T other, String otherField) {
            if (other == null) {
                return value;
            }
            if (value != null) {
                problem(otherField, other instanceof Secret ? HIDDEN : display(other), "repeats " + field
                        + "; give it in one place only");
                return value;
            }
            return other;
        }

        private static String display(Object value) {
            return value instanceof Labeled l ? l.label() : String.valueOf(value);
        }

        // ---- objects and their keys

        /** The fields of an object, matched without regard to case; unknown and repeated keys are reported. */
        private Fields fields(String path, JsonNode node, List<String> known, String ruleWhenNotObject) {
            String shown = path.isEmpty() ? "file" : path;
            if (node == null || !node.isObject()) {
                wrongType(shown, node, ruleWhenNotObject);
                return null;
            }
            Map<String, String> canonical = new HashMap<>();
            known.forEach(k -> canonical.put(k.toLowerCase(Locale.ROOT), k));
            Map<String, JsonNode> values = new HashMap<>();
            Map<String, String> spelled = new HashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                String key = entry.getKey();
                String lower = key.toLowerCase(Locale.ROOT);
                String at = path.isEmpty() ? key : path + "." + key;
                String name = canonical.get(lower);
                if (name == null) {
                    String foreign = known == PROPERTIES_FIELDS ? FOREIGN_FIELDS.get(lower) : null;
                    problem(at, "(unknown field)", foreign != null ? "pgmigrate does not use this field: it " + foreign
                            : unknownRule(key, known));
                    continue;
                }
                if (spelled.containsKey(name)) {
                    problem(at, "(repeated field)", "repeats \"" + spelled.get(name) + "\" (names are matched "
                            + "without regard to case); keep one of them");
                    continue;
                }
                spelled.put(name, key);
                values.put(name, entry.getValue());
            }
            return new Fields(values);
        }

        private static String unknownRule(String key, List<String> known) {
            String closest = known.stream().min(Comparator.comparingInt((String k) -> distance(
                    k.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT)))).orElse("");
            String hint = distance(closest.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT))
                    <= Math.max(2, key.length() / 3) ? "did you mean \"" + closest + "\"? " : "";
            return "pgmigrate does not know this field; " + hint + "the fields here are: " + String.join(", ", known);
        }

        private static int distance(String a, String b) {
            int[] previous = new int[b.length() + 1];
            int[] current = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                previous[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                current[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                }
                int[] swap = previous;
                previous = current;
                current = swap;
            }
            return previous[b.length()];
        }

        private void wrongType(String field, JsonNode node, String rule) {
            problem(field, node == null ? MISSING : typeName(node) + (node.isValueNode() && !node.isNull()
                    && !field.toLowerCase(Locale.ROOT).contains("password") ? " " + shorten(node.toString()) : ""), rule);
        }

        private static String typeName(JsonNode node) {
            JsonNodeType type = node.getNodeType();
            return switch (type) {
                case ARRAY -> "an array";
                case OBJECT -> "an object";
                case STRING -> "a string";
                case NUMBER -> "a number";
                case BOOLEAN -> "a boolean";
                case NULL -> "null";
                default -> type.name().toLowerCase(Locale.ROOT);
            };
        }

        private static String shorten(String text) {
            return text.length() <= 60 ? text : text.substring(0, 57) + "...";
        }

        private String text(JsonNode node) {
            return node.isTextual() ? node.asText() : typeName(node);
        }

        private void problem(String field, String value, String rule) {
            problems.add(new SpecProblem(field, value, rule));
        }
    }

    /** An object's fields by their canonical names. */
    private record Fields(Map<String, JsonNode> values) {
        boolean has(String name) {
            return values.containsKey(name);
        }

        JsonNode get(String name) {
            return values.get(name);
        }

        boolean isEmpty() {
            return values.isEmpty();
        }
    }

    /** One server's fields while they are gathered from the places a file may give them. */
    private static final class ServerFields {
        String host;
        boolean hostGiven;
        int port = ServerSpec.DEFAULT_PORT;
        String adminLogin;
        Secret password;
        SslMode sslMode;
        SourceServerType type;
        String fqdn;
    }
}
