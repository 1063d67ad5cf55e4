package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.NamePattern;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.SpecProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * What moves of each database, with pg_dump's options and spelling ({@code -n}, {@code -N}, {@code -t}, {@code -T},
 * {@code --exclude-table-data}, {@code -s}, {@code -a}), and {@code -j}/{@code --jobs} for the workers. Given on the
 * command line, they win over the properties file's {@code settings.selection} and {@code settings.parallelism}.
 */
class SelectionOptions {
    @Option(names = {"-n", "--schema"}, paramLabel = "PATTERN", description = "Only the schemas matching PATTERN "
            + "(pg_dump's wildcards: * ? and \"Quoted\" names); repeatable.")
    List<String> schemas = new ArrayList<>();

    @Option(names = {"-N", "--exclude-schema"}, paramLabel = "PATTERN", description = "Leave out the schemas "
            + "matching PATTERN, with everything in them; repeatable.")
    List<String> excludeSchemas = new ArrayList<>();

    @Option(names = {"-t", "--table"}, paramLabel = "PATTERN", description = "Only the tables (views, sequences) "
            + "matching PATTERN, such as app.orders or 'public.audit_*'; the types, functions and schemas they need "
            + "still move; repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = {"-T", "--exclude-table"}, paramLabel = "PATTERN", description = "Leave out the tables "
            + "matching PATTERN; repeatable.")
    List<String> excludeTables = new ArrayList<>();

    @Option(names = "--exclude-table-data", paramLabel = "PATTERN", description = "Move the tables matching PATTERN "
            + "without their rows: created and verified empty; repeatable.")
    List<String> excludeTableData = new ArrayList<>();

    @Option(names = {"-s", "--schema-only"}, description = "Only the schema: every table created empty.")
    boolean schemaOnly;

    @Option(names = {"-a", "--data-only"}, description = "Only the rows, into the empty tables of the database "
            + "the target already has with the schema.")
    boolean dataOnly;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Workers for all databases and tables, 1-256 "
            + "(settings.parallelism; default: the file's, else the number of cores).")
    Integer jobs;

    /** Whether any selection option was given. */
    boolean selects() {
        return !schemas.isEmpty() || !excludeSchemas.isEmpty() || !tables.isEmpty() || !excludeTables.isEmpty()
                || !excludeTableData.isEmpty() || schemaOnly || dataOnly;
    }

    /** Every problem with the options, each named by its option; empty when they are fine. */
    List<SpecProblem> problems() {
        List<SpecProblem> problems = new ArrayList<>();
        check(problems, "--schema", schemas, NamePattern::schema);
        check(problems, "--exclude-schema", excludeSchemas, NamePattern::schema);
        check(problems, "--table", tables, NamePattern::table);
        check(problems, "--exclude-table", excludeTables, NamePattern::table);
        check(problems, "--exclude-table-data", excludeTableData, NamePattern::table);
        if (schemaOnly && dataOnly) {
            problems.add(new SpecProblem("--data-only", "with --schema-only", "give one of them (pg_dump refuses "
                    + "-s with -a too), or neither to move the schema and the data"));
        }
        if (jobs != null && (jobs < 1 || jobs > 256)) {
            problems.add(new SpecProblem("--jobs", String.valueOf(jobs), "must be between 1 and 256 workers"));
        }
        return problems;
    }

    private static void check(List<SpecProblem> problems, String option, List<String> patterns,
            Function<String, NamePattern> parser) {
        for (String pattern : patterns) {
            try {
                parser.apply(pattern);
            } catch (IllegalArgumentException e) {
                problems.add(new SpecProblem(option, pattern, e.getMessage()));
            }
        }
    }

    /** {@code settings} with the options given here in place of the file's. */
    MigrationSettings applyTo(MigrationSettings settings) {
        MigrationSettings.Builder b = settings.toBuilder();
        if (jobs != null) {
            b.parallelism(jobs);
        }
        if (selects()) {
            b.selection(new Selection(schemas, excludeSchemas, tables, excludeTables, excludeTableData,
                    schemaOnly ? Selection.Content.SCHEMA_ONLY : dataOnly ? Selection.Content.DATA_ONLY
                            : Selection.Content.SCHEMA_AND_DATA));
        }
        return b.build();
    }

    /** The options again, as a background run is given them. */
    List<String> args() {
        List<String> args = new ArrayList<>();
        schemas.forEach(p -> args.add("--schema=" + p));
        excludeSchemas.forEach(p -> args.add("--exclude-schema=" + p));
        tables.forEach(p -> args.add("--table=" + p));
        excludeTables.forEach(p -> args.add("--exclude-table=" + p));
        excludeTableData.forEach(p -> args.add("--exclude-table-data=" + p));
        if (schemaOnly) {
            args.add("--schema-only");
        }
        if (dataOnly) {
            args.add("--data-only");
        }
        if (jobs != null) {
            args.add("--jobs=" + jobs);
        }
        return args;
    }
}
