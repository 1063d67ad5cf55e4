package dev.pgmigrate.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgmigrate.api.Secret;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the password fields of a properties file: a plain string, or a reference, {@code {"env": "NAME"}} or
 * {@code {"file": "path"}}, that it resolves now and remembers, by server, for the store to keep.
 */
final class PropertiesPasswordReader {
    private static final String PASSWORD_FORMS = "give a string, {\"env\": \"VARIABLE\"} or {\"file\": \"path\"}";

    private final PropertiesFieldReader fields;
    private final Path baseDirectory;
    private final Map<String, String> references = new HashMap<>();

    /** Reads relative {@code {"file": ...}} paths from {@code baseDirectory}, an absolute path. */
    PropertiesPasswordReader(PropertiesFieldReader fields, Path baseDirectory) {
        this.fields = fields;
        this.baseDirectory = baseDirectory;
    }

    /** The references resolved so far ({@code env:NAME}, {@code file:/abs/path}), by server key. */
    Map<String, String> references() {
        return references;
    }

    /**
     * The password in field {@code name} of {@code in}, or {@code null} when the object or the field is absent or
     * at fault; a reference it resolves is remembered under {@code serverKey}.
     */
    Secret password(PropertiesObject in, String prefix, String name, String serverKey) {
        if (in == null || !in.has(name)) {
            return null;
        }
        JsonNode node = in.get(name);
        String field = prefix + "." + name;
        if (node.isTextual()) {
            if (node.asText().isEmpty()) {
                fields.problem(field, "\"\"", "is empty; leave the field out to connect without a password, or "
                        + PASSWORD_FORMS);
                return null;
            }
            return Secret.of(node.asText(), "the properties file's " + field);
        }
        if (!node.isObject()) {
            fields.problem(field, node.isNull() ? "null" : PropertiesFieldReader.typeName(node), "is not a password; "
                    + PASSWORD_FORMS);
            return null;
        }
        PropertiesObject ref = fields.object(field, node, List.of("env", "file"), PASSWORD_FORMS);
        if (ref == null) {
            return null;
        }
        if (ref.has("env") == ref.has("file")) {
            fields.problem(field, ref.isEmpty() ? "{}" : "{\"env\": ..., \"file\": ...}",
                    "give exactly one of {\"env\": \"VARIABLE\"} or {\"file\": \"path\"}");
            return null;
        }
        return ref.has("env") ? fromEnvironment(ref, field, serverKey) : fromFile(ref, field, serverKey);
    }

    private Secret fromEnvironment(PropertiesObject ref, String field, String serverKey) {
        String variable = fields.string(ref, field, "env");
        if (variable == null) {
            return null;
        }
        if (!variable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            fields.problem(field + ".env", variable, "is not an environment variable name; use letters, digits "
                    + "and '_', such as \"TARGET_PASSWORD\"");
            return null;
        }
        String value = System.getenv(variable);
        if (value == null) {
            fields.problem(field + ".env", variable, "this environment variable is not set; export it before "
                    + "running pgmigrate");
            return null;
        }
        references.put(serverKey, "env:" + variable);
        return Secret.of(value, "the environment variable " + variable + " (" + field + ")");
    }

    private Secret fromFile(PropertiesObject ref, String field, String serverKey) {
        String path = fields.string(ref, field, "file");
        if (path == null) {
            return null;
        }
        if (path.isBlank()) {
            fields.problem(field + ".file", "\"\"", "give the path of a file holding the password");
            return null;
        }
        Path file;
        try {
            file = baseDirectory.resolve(path).normalize();
        } catch (InvalidPathException e) {
            fields.problem(field + ".file", path, "is not a valid path on this system (" + e.getReason()
                    + "); give the path of a file holding the password");
            return null;
        }
        try {
            String value = BoundedFiles.read(file, BoundedFiles.PASSWORD_BYTES);
            value = value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
                    : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
            references.put(serverKey, "file:" + file);
            return Secret.of(value, "the file " + file + " (" + field + ")");
        } catch (BoundedFiles.TooLarge e) {
            fields.problem(field + ".file", file.toString(), "holds more than " + BoundedFiles.PASSWORD_BYTES / 1024
                    + " KiB; a password file holds one password (check the path)");
        } catch (NoSuchFileException e) {
            fields.problem(field + ".file", file.toString(), "the file does not exist; check the path (a relative "
                    + "path is read from the properties file's directory)");
        } catch (IOException e) {
            fields.problem(field + ".file", file.toString(), "cannot be read (" + e.getClass().getSimpleName()
                    + "); make it readable by this user");
        }
        return null;
    }
}
