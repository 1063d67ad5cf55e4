package dev.pgmigrate.core.internal.pg;

import dev.pgmigrate.api.Selection;
import dev.pgmigrate.core.internal.pg.SourceSelection.Relation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a resolved {@link SourceSelection} tells others: pg_dump's options, naming exactly what it leaves out, and
 * the sentence the record and the report carry.
 */
public final class SelectionOutputs {
    /** Names per pg_dump pattern: one query per pattern in pg_dump, each regular expression kept small. */
    private static final int NAMES_PER_PATTERN = 100;
    private static final int NAMES_SHOWN = 20;

    private SelectionOutputs() {
    }

    /**
     * pg_dump's options that dump what {@code selection} moves: {@code --exclude-schema} and {@code --exclude-table}
     * of the exact names left out, {@code --exclude-table-data} of those whose rows stay, {@code --schema-only}.
     * Only exclusions, so pg_dump keeps every other object (types, functions, extensions) a moved table may need.
     * A pattern names several tables of a schema at once, {@code "app".("a"|"b")}: quoted, each name is literal.
     */
    public static List<String> pgDumpOptions(SourceSelection selection) {
        if (selection.isEverything()) {
            return List.of();
        }
        List<String> options = new ArrayList<>();
        if (selection.selection().content() == Selection.Content.SCHEMA_ONLY) {
            options.add("--schema-only");
        }
        for (String schema : selection.schemasLeftOut()) {
            options.add("--exclude-schema=" + quoted(schema));
        }
        addByName(options, "--exclude-table=", selection.leftOut(), r -> selection.schemas().contains(r.schema()));
        if (selection.selection().content() != Selection.Content.SCHEMA_ONLY) {
            addByName(options, "--exclude-table-data=", selection.rowsLeftOut(), r -> true);
        }
        return options;
    }

    /**
     * pg_dump's options that dump the schemas of {@link SourceSelection#extensionSchemas()} with none of their
     * tables, which pg_dump would otherwise lock; of that dump, only the schemas' own entries are restored.
     */
    public static List<String> extensionSchemaOptions(SourceSelection selection) {
        List<String> options = new ArrayList<>(List.of("--schema-only"));
        for (String schema : selection.extensionSchemas().keySet()) {
            options.add("--schema=" + quoted(schema));
            options.add("--exclude-table=" + quoted(schema) + ".*");
        }
        return options;
    }

    /**
     * What the target gets of the schemas left out for the extensions in them, for a note; empty when nothing.
     */
    public static String describeExtensionSchemas(SourceSelection selection, String database) {
        return selection.extensionSchemas().isEmpty() ? "" : "Database " + database + ": " + extensionSchemas(
                selection);
    }

    private static String extensionSchemas(SourceSelection selection) {
        List<String> schemas = new ArrayList<>();
        selection.extensionSchemas().forEach((schema, extensions) -> schemas.add("schema " + schema + " ("
                + (extensions.size() == 1 ? "extension " : "extensions ") + String.join(", ", extensions) + ")"));
        boolean one = schemas.size() == 1;
        String its = one ? "its" : "their";
        return String.join(", ", schemas) + ", left out by the selection, " + (one ? "is" : "are") + " created on "
                + "the target all the same, with " + its + " owner, privileges and comment but none of " + its
                + " other objects: an extension belongs to no schema and moves, so the schema it is installed in "
                + "must exist.";
    }

    private static void addByName(List<String> options, String option, List<Relation> relations,
            Predicate<Relation> wanted) {
        Map<String, List<String>> bySchema = new LinkedHashMap<>();
        for (Relation r : relations) {
            if (wanted.test(r)) {
                bySchema.computeIfAbsent(r.schema(), k -> new ArrayList<>()).add(r.name());
            }
        }
        bySchema.forEach((schema, names) -> {
            for (int from = 0; from < names.size(); from += NAMES_PER_PATTERN) {
                List<String> chunk = names.subList(from, Math.min(names.size(), from + NAMES_PER_PATTERN));
                options.add(option + quoted(schema) + "." + (chunk.size() == 1 ? quoted(chunk.get(0))
                        : "(" + String.join("|", chunk.stream().map(SelectionOutputs::quoted).toList()) + ")"));
            }
        });
    }

    /** A name as a pg_dump pattern reads it literally: in double quotes, a quote doubled. */
    static String quoted(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /**
     * What the selection left out of {@code database}, for a note; empty when it moves everything.
     */
    public static String describe(SourceSelection selection, String database) {
        if (selection.isEverything()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        if (!selection.schemasLeftOut().isEmpty()) {
            parts.add(counted(selection.schemasLeftOut(), "schema", "schemas") + " with every object in them");
        }
        List<String> relations = selection.leftOut().stream()
                .filter(r -> selection.schemas().contains(r.schema())).map(Relation::qualifiedName).toList();
        if (!relations.isEmpty()) {
            parts.add(counted(relations, "table, view or sequence", "tables, views and sequences"));
        }
        Selection.Content content = selection.selection().content();
        List<String> rows = selection.rowsLeftOut().stream().filter(r -> r.relkind() == 'r')
                .map(Relation::qualifiedName).toList();
        if (content != Selection.Content.SCHEMA_ONLY && !rows.isEmpty()) {
            parts.add("the rows of " + counted(rows, "table", "tables") + ", created empty");
        }
        String what = parts.isEmpty() ? "nothing" : String.join("; ", parts);
        String tail = switch (content) {
            case SCHEMA_ONLY -> " Schema only: every table was created empty, no sequence value or large object "
                    + "was copied.";
            case DATA_ONLY -> " Data only: the rows went into the tables the target database already had.";
            case SCHEMA_AND_DATA -> "";
        };
        String containers = selection.extensionSchemas().isEmpty() ? "" : " " + extensionSchemas(selection);
        return "Database " + database + ": the selection left out " + what + "." + containers
                + describeMemberships(selection) + tail;
    }

    /** The publications' memberships pg_dump drops with the selection, as a sentence; empty when none. */
    public static String describeMemberships(SourceSelection selection) {
        List<String> members = selection.membershipsLeftOut();
        return members.isEmpty() ? "" : " " + counted(members, "publication membership", "publication memberships")
                + " of what was left out " + (members.size() == 1 ? "was" : "were") + " dropped, as pg_dump drops "
                + "it with the table or schema it names: " + (members.size() == 1 ? "that publication moved" : "those "
                + "publications moved") + " without it.";
    }

    private static String counted(List<String> names, String one, String many) {
        String shown = String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())))
                + (names.size() > NAMES_SHOWN ? " and " + (names.size() - NAMES_SHOWN) + " more" : "");
        return names.size() + " " + (names.size() == 1 ? one : many) + " (" + shown + ")";
    }
}
