package dev.pgmigrate.core;

import static dev.pgmigrate.core.PropertiesFieldNames.ROOT;
import static dev.pgmigrate.core.PropertiesFieldNames.SETTINGS_FIELDS;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ServerParametersMode;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads a properties file's settings: the {@code settings} object with its free-form {@code options}, and the
 * two settings the managed service keeps beside it, {@code overwriteDbsInTarget} and {@code migrateRoles}.
 */
final class PropertiesSettingsReader {
    private final PropertiesFieldReader fields;

    PropertiesSettingsReader(PropertiesFieldReader fields) {
        this.fields = fields;
    }

    /** The settings in the {@code properties} object, defaults for those left out; {@code null} if at fault. */
    MigrationSettings settings(PropertiesObject p) {
        MigrationSettings.Builder b = MigrationSettings.builder();
        Boolean overwrite = fields.bool(p, ROOT, "overwriteDbsInTarget");
        if (overwrite != null) {
            b.overwriteDbsInTarget(overwrite);
        }
        Boolean rolesAtTop = fields.bool(p, ROOT, "migrateRoles");
        String prefix = ROOT + ".settings";
        PropertiesObject s = p.has("settings") ? fields.object(prefix, p.get("settings"), SETTINGS_FIELDS,
                "must be an object such as {\"parallelism\": 4, \"verify\": true}") : null;
        Boolean roles = s == null ? null : fields.bool(s, prefix, "migrateRoles");
        roles = fields.merge(roles, prefix + ".migrateRoles", rolesAtTop, ROOT + ".migrateRoles");
        if (roles != null) {
            b.migrateRoles(roles);
        }
        if (s != null) {
            readSettingsObject(s, prefix, b);
        }
        try {
            return b.build();
        } catch (InvalidSpecException e) {
            // The builder names its fields "settings.x"; in the file they sit under "properties".
            e.problems().forEach(problem -> fields.problem(
                    problem.field().startsWith("settings.") ? ROOT + "." + problem.field() : problem.field(),
                    problem.value(), problem.rule()));
            return null;
        }
    }

    private void readSettingsObject(PropertiesObject s, String prefix, MigrationSettings.Builder b) {
        Long parallelism = fields.number(s, prefix, "parallelism");
        if (parallelism != null) {
            b.parallelism((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, parallelism)));
        }
        Boolean verify = fields.bool(s, prefix, "verify");
        if (verify != null) {
            b.verify(verify);
        }
        Boolean skipAnalyze = fields.bool(s, prefix, "skipAnalyze");
        if (skipAnalyze != null) {
            b.skipAnalyze(skipAnalyze);
        }
        ServerParametersMode parameters = fields.enumValue(s, prefix, "serverParameters",
                ServerParametersMode.class);
        if (parameters != null) {
            b.serverParameters(parameters);
        }
        Long split = fields.number(s, prefix, "splitTablesLargerThanBytes");
        if (split != null) {
            b.splitTablesLargerThanBytes(split);
        }
        String memory = fields.string(s, prefix, "maintenanceWorkMem");
        if (memory != null) {
            b.maintenanceWorkMem(memory);
        }
        Long timeout = fields.number(s, prefix, "connectTimeoutSeconds");
        if (timeout != null && (timeout < 1 || timeout > 3600)) {
            fields.problem(prefix + ".connectTimeoutSeconds", String.valueOf(timeout),
                    "must be between 1 and 3600 seconds");
        } else if (timeout != null) {
            b.connectTimeout(Duration.ofSeconds(timeout));
        }
        b.pgDumpDirectory(fields.string(s, prefix, "pgDumpDirectory"));
        b.extensionAllowListParameter(fields.string(s, prefix, "extensionAllowListParameter"));
        Selection selection = new PropertiesSelectionReader(fields).selection(s, prefix);
        if (selection != null) {
            b.selection(selection);
        }
        readOptions(s, prefix, b);
    }

    private void readOptions(PropertiesObject s, String prefix, MigrationSettings.Builder b) {
        JsonNode node = s.get("options");
        String field = prefix + ".options";
        if (node == null) {
            return;
        }
        if (!node.isObject()) {
            fields.wrongType(field, node, "must be an object of names and values, such as {\"copy.bufferBytes\": "
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
                fields.wrongType(field + "." + option.getKey(), value, "must be a string, number or boolean");
            }
        }
    }
}
