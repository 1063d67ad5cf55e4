package dev.pgmigrate.core;

import static dev.pgmigrate.core.PropertiesFieldNames.CREDENTIAL_FIELDS;
import static dev.pgmigrate.core.PropertiesFieldNames.PROPERTIES_FIELDS;
import static dev.pgmigrate.core.PropertiesFieldNames.ROOT;
import static dev.pgmigrate.core.PropertiesFieldNames.SECRET_FIELDS;
import static dev.pgmigrate.core.PropertiesFieldReader.MISSING;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SpecProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads one properties file's JSON tree into {@link MigrationProperties}, collecting problems instead of stopping
 * at the first: the file's outline and the databases here, the servers and the settings in their own readers.
 */
final class PropertiesReader {
    private final PropertiesFieldReader fields = new PropertiesFieldReader();
    private final PropertiesPasswordReader passwords;
    private final PropertiesServerReader servers;
    private final PropertiesSettingsReader settings;
    private final PropertiesServiceFields serviceFields;
    private final List<String> notes = new ArrayList<>();
    private final String targetServer;

    /** Reads relative {@code {"file": ...}} passwords from {@code baseDirectory}, an absolute path. */
    /**
     * @param baseDirectory where relative password files are read from, an absolute path
     * @param targetServer {@code HOST[:PORT]} from the command line, or {@code null}
     */
    PropertiesReader(Path baseDirectory, String targetServer) {
        passwords = new PropertiesPasswordReader(fields, baseDirectory);
        servers = new PropertiesServerReader(fields, passwords, notes);
        settings = new PropertiesSettingsReader(fields);
        serviceFields = new PropertiesServiceFields(fields, notes);
        this.targetServer = targetServer;
    }

    /** Every problem found, in the order found; the file is valid when there is none. */
    List<SpecProblem> problems() {
        return fields.problems();
    }

    /** The properties {@code root} describes, or {@code null} when it has {@link #problems()}. */
    MigrationProperties read(JsonNode root) {
        PropertiesObject top = fields.object("", root, List.of(ROOT), "the file must hold one object: "
                + "{\"properties\": {...}}");
        if (top == null) {
            return null;
        }
        JsonNode propertiesNode = top.get(ROOT);
        if (propertiesNode == null) {
            fields.problem(ROOT, MISSING, "the file must hold {\"properties\": {...}}; see the README for every "
                    + "field");
            return null;
        }
        PropertiesObject p = fields.object(ROOT, propertiesNode, PROPERTIES_FIELDS, "must be an object holding the "
                + "migration's fields: {\"sourceServer\": {...}, \"targetServer\": {...}, \"dbsToMigrate\": [...]}");
        if (p == null) {
            return null;
        }
        PropertiesObject secrets = p.has("secretParameters")
                ? fields.object(ROOT + ".secretParameters", p.get("secretParameters"), SECRET_FIELDS,
                        "must be an object such as {\"adminCredentials\": {\"sourceServerPassword\": ..., "
                                + "\"targetServerPassword\": ...}}")
                : null;
        PropertiesObject credentials = secrets != null && secrets.has("adminCredentials")
                ? fields.object(ROOT + ".secretParameters.adminCredentials", secrets.get("adminCredentials"),
                        CREDENTIAL_FIELDS, "must be an object: {\"sourceServerPassword\": ..., "
                                + "\"targetServerPassword\": ...}")
                : null;

        ServerSpec source = servers.source(p, secrets, credentials);
        ServerSpec target = servers.target(p, secrets, credentials, targetServer);
        List<String> databases = readDatabases(p);
        Optional<MigrationOption> option = Optional.ofNullable(fields.enumValue(p, "migrationOption",
                MigrationOption.class));
        Optional<MigrationMode> mode = Optional.ofNullable(fields.enumValue(p, "migrationMode",
                MigrationMode.class));
        MigrationSettings migrationSettings = settings.settings(p);
        serviceFields.read(p);
        if (!fields.problems().isEmpty()) {
            return null;
        }
        return new MigrationProperties(source, target, databases, option, mode, migrationSettings,
                passwords.references(), notes);
    }

    private List<String> readDatabases(PropertiesObject p) {
        String field = ROOT + ".dbsToMigrate";
        JsonNode node = p.get("dbsToMigrate");
        if (node == null) {
            fields.problem(field, MISSING, "name the databases to migrate, such as \"dbsToMigrate\": "
                    + "[\"inventory\"]");
            return List.of();
        }
        if (!node.isArray()) {
            fields.wrongType(field, node, "must be an array of database names, such as [\"inventory\", \"orders\"]");
            return List.of();
        }
        List<String> names = new ArrayList<>();
        boolean typed = true;
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            if (!element.isTextual()) {
                fields.wrongType(field + "[" + i + "]", element, "must be a database name in quotes");
                typed = false;
            } else {
                names.add(element.asText());
            }
        }
        if (typed) {
            fields.addProblems(MigrationSpec.databaseProblems(field, names));
        }
        return names;
    }
}
