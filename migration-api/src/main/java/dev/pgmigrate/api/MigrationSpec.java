package dev.pgmigrate.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything a migration needs to know: its name, the two servers, the databases and how to run.
 *
 * <p>{@code MigrationSpec.builder().name("shop-move").source(source).target(target)
 * .databases("inventory", "orders").build()}
 *
 * @param name letters, digits and {@code -}, not starting with {@code -}, at most 63 characters; unique per target
 * @param source the server the databases come from (PostgreSQL 9.5 or later)
 * @param target the server they go to (the same or a newer major version)
 * @param databases the user databases to migrate, by name; at least one, never a template
 * @param option check only, check then migrate, or migrate without checking
 * @param mode {@link MigrationMode#OFFLINE}, or {@link MigrationMode#ONLINE}: the copy is followed by the source's
 *     changes until the cutover (not with a schema-only or data-only selection)
 * @param settings how the migration runs
 * @since 0.1
 */
@Stable(since = "0.1")
public record MigrationSpec(String name, ServerSpec source, ServerSpec target, List<String> databases,
        MigrationOption option, MigrationMode mode, MigrationSettings settings) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,62}");
    private static final Set<String> TEMPLATES = Set.of("template0", "template1");

    public MigrationSpec {
        databases = databases == null ? null : List.copyOf(databases);
        List<SpecProblem> problems = problems(name, source, target, databases, option, mode, settings);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
    }

    /** Checks every field and returns what is wrong, without building a spec. */
    public static List<SpecProblem> problems(String name, ServerSpec source, ServerSpec target,
            List<String> databases, MigrationOption option, MigrationMode mode, MigrationSettings settings) {
        List<SpecProblem> problems = new ArrayList<>();
        problems.addAll(nameProblems("name", name));
        if (source == null) {
            problems.add(new SpecProblem("sourceServer", "(missing)", "give the source server's host, port and "
                    + "admin login"));
        }
        if (target == null) {
            problems.add(new SpecProblem("targetServer", "(missing)", "give the target server's host, port and "
                    + "admin login"));
        }
        problems.addAll(databaseProblems("dbsToMigrate", databases));
        if (option == null) {
            problems.add(new SpecProblem("migrationOption", "null", "use Validate, ValidateAndMigrate or Migrate"));
        }
        if (mode == null) {
            problems.add(new SpecProblem("migrationMode", "null", "use Offline or Online"));
        }
        if (settings == null) {
            problems.add(new SpecProblem("settings", "null", "use MigrationSettings.defaults()"));
        } else if (mode == MigrationMode.ONLINE) {
            problems.addAll(onlineProblems(settings.selection().content()));
        }
        return problems;
    }

    /** An online migration moves the schema and the data, then follows the changes: never one of them alone. */
    private static List<SpecProblem> onlineProblems(Selection.Content content) {
        if (content == Selection.Content.SCHEMA_AND_DATA) {
            return List.of();
        }
        String field = content == Selection.Content.SCHEMA_ONLY ? "schemaOnly" : "dataOnly";
        return List.of(new SpecProblem("migrationMode", "Online", "an online migration copies the schema and the "
                + "data, then follows the source's changes until the cutover, so it takes neither "
                + "settings.selection.schemaOnly nor settings.selection.dataOnly (--schema-only, --data-only); "
                + "remove " + field + ", or migrate Offline"));
    }

    /** The rules for a migration name, reported against {@code field}. */
    public static List<SpecProblem> nameProblems(String field, String name) {
        if (name == null || name.isEmpty()) {
            return List.of(new SpecProblem(field, "(missing)", "a migration name is required: letters, digits and "
                    + "'-', not starting with '-', at most 63 characters"));
        }
        if (name.length() > 63) {
            return List.of(new SpecProblem(field, name.substring(0, 20) + "... (" + name.length() + " characters)",
                    "a migration name has at most 63 characters"));
        }
        if (name.startsWith("-")) {
            return List.of(new SpecProblem(field, name, "a migration name must not start with '-'"));
        }
        if (!NAME.matcher(name).matches()) {
            return List.of(new SpecProblem(field, name,
                    "a migration name holds only letters, digits and '-'"));
        }
        return List.of();
    }

    /** The rules for the list of databases, reported against {@code field}. */
    public static List<SpecProblem> databaseProblems(String field, List<String> databases) {
        List<SpecProblem> problems = new ArrayList<>();
        if (databases == null || databases.isEmpty()) {
            problems.add(new SpecProblem(field, "[]", "name at least one database to migrate"));
            return problems;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < databases.size(); i++) {
            String db = databases.get(i);
            String at = field + "[" + i + "]";
            if (db == null || db.isEmpty()) {
                problems.add(new SpecProblem(at, String.valueOf(db), "a database name must not be empty"));
            } else if (TEMPLATES.contains(db)) {
                problems.add(new SpecProblem(at, db, "template0 and template1 are never migrated; "
                        + "name the user databases instead"));
            } else if (db.getBytes(StandardCharsets.UTF_8).length > 63) {
                problems.add(new SpecProblem(at, db, "PostgreSQL database names are at most 63 bytes"));
            } else if (db.indexOf('\0') >= 0) {
                problems.add(new SpecProblem(at, db.replace("\0", "\\0"), "a database name cannot hold a NUL"));
            } else if (!seen.add(db)) {
                problems.add(new SpecProblem(at, db, "each database may be named once"));
            }
        }
        return problems;
    }

    /** A copy with another option, such as the one given on the command line. */
    public MigrationSpec withOption(MigrationOption newOption) {
        return new MigrationSpec(name, source, target, databases, newOption, mode, settings);
    }

    /** A copy with another name. */
    public MigrationSpec withName(String newName) {
        return new MigrationSpec(newName, source, target, databases, option, mode, settings);
    }

    /** A copy with other settings. */
    public MigrationSpec withSettings(MigrationSettings newSettings) {
        return new MigrationSpec(name, source, target, databases, option, mode, newSettings);
    }

    /** A new builder: option {@code ValidateAndMigrate}, mode {@code Offline}, default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link MigrationSpec}. */
    public static final class Builder {
        private String name;
        private ServerSpec source;
        private ServerSpec target;
        private List<String> databases = List.of();
        private MigrationOption option = MigrationOption.VALIDATE_AND_MIGRATE;
        private MigrationMode mode = MigrationMode.OFFLINE;
        private MigrationSettings settings = MigrationSettings.defaults();

        private Builder() {
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder source(ServerSpec source) {
            this.source = source;
            return this;
        }

        public Builder target(ServerSpec target) {
            this.target = target;
            return this;
        }

        public Builder databases(String... databases) {
            this.databases = new ArrayList<>(List.of(Objects.requireNonNull(databases, "databases must not be null")));
            return this;
        }

        public Builder databases(List<String> databases) {
            this.databases = databases == null ? null : new ArrayList<>(databases);
            return this;
        }

        public Builder option(MigrationOption option) {
            this.option = option;
            return this;
        }

        public Builder mode(MigrationMode mode) {
            this.mode = mode;
            return this;
        }

        public Builder settings(MigrationSettings settings) {
            this.settings = settings;
            return this;
        }

        /** @throws InvalidSpecException listing every missing or invalid field */
        public MigrationSpec build() {
            return new MigrationSpec(name, source, target, databases, option, mode, settings);
        }
    }
}
