package dev.pgmigrate.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a migration moves of each database, as pg_dump's options choose it: schemas and tables by pattern
 * ({@code -n}, {@code -N}, {@code -t}, {@code -T}, read as {@link NamePattern} reads them), tables whose rows stay
 * behind ({@code --exclude-table-data}), and the schema or the data alone ({@code --schema-only},
 * {@code --data-only}). The objects of the schemas {@code schemas} matches (every schema when it is empty) and
 * {@code excludeSchemas} does not move; of their relations (tables, views, sequences, ...), those {@code tables}
 * matches (every one when it is empty) and {@code excludeTables} does not. Unlike pg_dump's {@code -t}, and like
 * pgcopydb's {@code include-only-table}, {@code tables} leaves the other objects (types, functions, extensions) in:
 * the target database is new, and a table needs them there.
 *
 * <p>{@code Selection.builder().excludeTables("public.audit_*").excludeTableData("public.logs").build()}
 *
 * <p>The patterns are resolved once per database on the source, inside the migration's snapshot, into the
 * tables that move; an include pattern that matches nothing there fails the migration before it changes anything.
 *
 * @param schemas schema patterns to take ({@code -n}); empty for every schema
 * @param excludeSchemas schema patterns to leave out ({@code -N})
 * @param tables relation patterns to take ({@code -t}); empty for every relation of the schemas taken
 * @param excludeTables table patterns to leave out ({@code -T})
 * @param excludeTableData table patterns whose rows stay behind; their definitions still move
 * @param content the schema and the data, or one of them alone
 * @since 0.2
 */
@Experimental
public record Selection(List<String> schemas, List<String> excludeSchemas, List<String> tables,
        List<String> excludeTables, List<String> excludeTableData, Content content) {

    private static final Selection EVERYTHING = new Selection(List.of(), List.of(), List.of(), List.of(), List.of(),
            Content.SCHEMA_AND_DATA);

    /** The schema and the data, or one of them alone, as pg_dump's {@code --schema-only} and {@code --data-only}. */
    @Experimental
    public enum Content implements Labeled {
        /** Both, the default. */
        SCHEMA_AND_DATA("SchemaAndData"),
        /** The definitions alone, every table created empty ({@code --schema-only}). */
        SCHEMA_ONLY("SchemaOnly"),
        /**
         * The rows alone, into the tables of a database that already exists on the target with the schema, each
         * of them empty ({@code --data-only}); a cancel or failure empties them again.
         */
        DATA_ONLY("DataOnly");

        private final String label;

        Content(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }

        /** Parses {@code "SchemaAndData"}, {@code "SchemaOnly"} or {@code "DataOnly"}, ignoring case. */
        public static Content fromLabel(String label) {
            return Labeled.fromLabel(Content.class, label);
        }
    }

    public Selection {
        List<SpecProblem> problems = problems("settings.selection", schemas, excludeSchemas, tables, excludeTables,
                excludeTableData);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        schemas = copy(schemas);
        excludeSchemas = copy(excludeSchemas);
        tables = copy(tables);
        excludeTables = copy(excludeTables);
        excludeTableData = copy(excludeTableData);
        content = content == null ? Content.SCHEMA_AND_DATA : content;
    }

    /** Everything: every schema and table, with its rows. */
    public static Selection everything() {
        return EVERYTHING;
    }

    /** Whether this takes every object and every row. */
    public boolean takesEverything() {
        return equals(EVERYTHING);
    }

    /** Whether large objects move: not with the schema alone, nor with the data alone. */
    public boolean largeObjects() {
        return content == Content.SCHEMA_AND_DATA;
    }

    /**
     * The selection as pg_dump's options, for people: {@code "-N audit -T 'public.audit_*' --schema-only"}, or
     * {@code "everything"}.
     */
    public String summary() {
        if (takesEverything()) {
            return "everything";
        }
        StringBuilder b = new StringBuilder();
        schemas.forEach(p -> b.append(" -n ").append(shown(p)));
        excludeSchemas.forEach(p -> b.append(" -N ").append(shown(p)));
        tables.forEach(p -> b.append(" -t ").append(shown(p)));
        excludeTables.forEach(p -> b.append(" -T ").append(shown(p)));
        excludeTableData.forEach(p -> b.append(" --exclude-table-data ").append(shown(p)));
        b.append(content == Content.SCHEMA_ONLY ? " --schema-only"
                : content == Content.DATA_ONLY ? " --data-only" : "");
        return b.toString().trim();
    }

    private static String shown(String pattern) {
        return pattern.matches("[A-Za-z0-9_.]+") ? pattern : "'" + pattern.replace("'", "'\\''") + "'";
    }

    /** The schema patterns taken, parsed. */
    public List<NamePattern> schemaPatterns() {
        return schemas.stream().map(NamePattern::schema).toList();
    }

    /** The schema patterns left out, parsed. */
    public List<NamePattern> excludeSchemaPatterns() {
        return excludeSchemas.stream().map(NamePattern::schema).toList();
    }

    /** The table patterns taken, parsed. */
    public List<NamePattern> tablePatterns() {
        return tables.stream().map(NamePattern::table).toList();
    }

    /** The table patterns left out, parsed. */
    public List<NamePattern> excludeTablePatterns() {
        return excludeTables.stream().map(NamePattern::table).toList();
    }

    /** The table patterns whose rows stay behind, parsed. */
    public List<NamePattern> excludeTableDataPatterns() {
        return excludeTableData.stream().map(NamePattern::table).toList();
    }

    /**
     * Checks the patterns without building a selection, each problem named as {@code prefix.tables[2]}.
     *
     * @param prefix the field path of the selection, such as {@code "properties.settings.selection"}
     */
    public static List<SpecProblem> problems(String prefix, List<String> schemas, List<String> excludeSchemas,
            List<String> tables, List<String> excludeTables, List<String> excludeTableData) {
        List<SpecProblem> problems = new ArrayList<>();
        check(problems, prefix + ".schemas", schemas, NamePattern::schema);
        check(problems, prefix + ".excludeSchemas", excludeSchemas, NamePattern::schema);
        check(problems, prefix + ".tables", tables, NamePattern::table);
        check(problems, prefix + ".excludeTables", excludeTables, NamePattern::table);
        check(problems, prefix + ".excludeTableData", excludeTableData, NamePattern::table);
        return problems;
    }

    private static void check(List<SpecProblem> problems, String field, List<String> patterns,
            Function<String, NamePattern> parser) {
        if (patterns == null) {
            return;
        }
        for (int i = 0; i < patterns.size(); i++) {
            String pattern = patterns.get(i);
            try {
                parser.apply(Objects.requireNonNull(pattern, "a pattern must not be null"));
            } catch (IllegalArgumentException | NullPointerException e) {
                problems.add(new SpecProblem(field + "[" + i + "]", String.valueOf(pattern), e.getMessage()));
            }
        }
    }

    private static List<String> copy(List<String> patterns) {
        return patterns == null ? List.of() : List.copyOf(patterns);
    }

    /** A builder that takes everything until told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Selection}; every setter is optional and may be called again to add patterns. */
    public static final class Builder {
        private final List<String> schemas = new ArrayList<>();
        private final List<String> excludeSchemas = new ArrayList<>();
        private final List<String> tables = new ArrayList<>();
        private final List<String> excludeTables = new ArrayList<>();
        private final List<String> excludeTableData = new ArrayList<>();
        private Content content = Content.SCHEMA_AND_DATA;

        private Builder() {
        }

        public Builder schemas(String... patterns) {
            schemas.addAll(List.of(patterns));
            return this;
        }

        public Builder excludeSchemas(String... patterns) {
            excludeSchemas.addAll(List.of(patterns));
            return this;
        }

        public Builder tables(String... patterns) {
            tables.addAll(List.of(patterns));
            return this;
        }

        public Builder excludeTables(String... patterns) {
            excludeTables.addAll(List.of(patterns));
            return this;
        }

        public Builder excludeTableData(String... patterns) {
            excludeTableData.addAll(List.of(patterns));
            return this;
        }

        public Builder content(Content content) {
            this.content = content;
            return this;
        }

        /** @throws InvalidSpecException naming every pattern that cannot be read */
        public Selection build() {
            return new Selection(schemas, excludeSchemas, tables, excludeTables, excludeTableData, content);
        }
    }
}
