package dev.pgmigrate.core;

import static dev.pgmigrate.core.PropertiesFieldNames.SELECTION_FIELDS;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.SpecProblem;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code settings.selection}: pattern lists as pg_dump's {@code -n}, {@code -N}, {@code -t}, {@code -T} and
 * {@code --exclude-table-data} take them, and {@code schemaOnly} or {@code dataOnly}.
 */
final class PropertiesSelectionReader {
    private static final String SHAPE = "{\"schemas\": [...], \"excludeSchemas\": [...], \"tables\": [...], "
            + "\"excludeTables\": [...], \"excludeTableData\": [...], \"schemaOnly\": false, \"dataOnly\": false}";

    private final PropertiesFieldReader fields;

    PropertiesSelectionReader(PropertiesFieldReader fields) {
        this.fields = fields;
    }

    /** The selection in {@code settings}, or {@code null} when it is absent or at fault. */
    Selection selection(PropertiesObject settings, String settingsPrefix) {
        if (!settings.has("selection")) {
            return null;
        }
        String prefix = settingsPrefix + ".selection";
        PropertiesObject s = fields.object(prefix, settings.get("selection"), SELECTION_FIELDS, "must be an object "
                + "such as " + SHAPE);
        if (s == null) {
            return null;
        }
        int before = fields.problems().size();
        List<String> schemas = patterns(s, prefix, "schemas");
        List<String> excludeSchemas = patterns(s, prefix, "excludeSchemas");
        List<String> tables = patterns(s, prefix, "tables");
        List<String> excludeTables = patterns(s, prefix, "excludeTables");
        List<String> excludeTableData = patterns(s, prefix, "excludeTableData");
        Boolean schemaOnly = fields.bool(s, prefix, "schemaOnly");
        Boolean dataOnly = fields.bool(s, prefix, "dataOnly");
        if (Boolean.TRUE.equals(schemaOnly) && Boolean.TRUE.equals(dataOnly)) {
            fields.problem(prefix + ".dataOnly", "true", "schemaOnly and dataOnly cannot both be true (pg_dump "
                    + "refuses -s with -a too); keep one, or neither to move the schema and the data");
        }
        List<SpecProblem> found = Selection.problems(prefix, schemas, excludeSchemas, tables, excludeTables,
                excludeTableData);
        fields.addProblems(found);
        if (fields.problems().size() > before) {
            return null;
        }
        Selection.Content content = Boolean.TRUE.equals(schemaOnly) ? Selection.Content.SCHEMA_ONLY
                : Boolean.TRUE.equals(dataOnly) ? Selection.Content.DATA_ONLY : Selection.Content.SCHEMA_AND_DATA;
        return new Selection(schemas, excludeSchemas, tables, excludeTables, excludeTableData, content);
    }

    private List<String> patterns(PropertiesObject s, String prefix, String name) {
        JsonNode node = s.get(name);
        String field = prefix + "." + name;
        List<String> patterns = new ArrayList<>();
        if (node == null) {
            return patterns;
        }
        if (!node.isArray()) {
            fields.wrongType(field, node, "must be an array of patterns, such as [\"public.orders\", \"audit_*\"]");
            return patterns;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            if (element.isTextual()) {
                patterns.add(element.asText());
            } else {
                fields.wrongType(field + "[" + i + "]", element, "must be a pattern in quotes, such as \"app.*\"");
            }
        }
        return patterns;
    }
}
