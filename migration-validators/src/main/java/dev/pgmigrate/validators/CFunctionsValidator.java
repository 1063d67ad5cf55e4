package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** D14: C-language functions outside extensions, which need a superuser and their library on the target. */
public final class CFunctionsValidator extends DatabaseValidator {
    public CFunctionsValidator() {
        super("c-functions", "C-language functions outside extensions can be created on the target.", true);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        List<String[]> functions = Sql.list(connection, "SELECT p.oid::regprocedure::text, p.probin FROM pg_proc p"
                + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prolang = (SELECT oid FROM pg_language"
                + " WHERE lanname = 'c') AND p.oid >= " + Sql.FIRST_USER_OID + " AND " + Sql.USER_SCHEMA + " AND "
                + Sql.notExtensionMember("pg_proc", "p") + " ORDER BY 1",
                rs -> new String[] {rs.getString(1), rs.getString(2)});
        if (functions.isEmpty()) {
            return List.of(context.succeeded("No C-language function outside extensions."));
        }
        List<String> items = functions.stream().map(f -> f[0] + " in " + f[1]).toList();
        if (!context.target().facts().orElseThrow().superuser()) {
            return List.of(context.failed(Text.counted(items, "C-language function", "C-language functions")
                    + " outside extensions; the target login is no superuser.", "Only a superuser may create "
                    + "C-language functions, so the schema copy fails on them.", "Package them as an extension the "
                    + "target allows, have the target's superuser create them first, or drop them if unused.",
                    items));
        }
        List<String> missing = new ArrayList<>();
        List<String> unloadable = new ArrayList<>();
        Map<String, Optional<String>> loaded = new HashMap<>();
        try (Connection target = InstanceValidator.maintenance(context.target())) {
            String libdir = Sql.string(target, "SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'").orElse("");
            for (String[] function : functions) {
                String file = function[1].replace("$libdir", libdir);
                boolean present = Sql.bool(target, "SELECT (pg_stat_file(?, true)).size IS NOT NULL"
                        + " OR (pg_stat_file(? || '.so', true)).size IS NOT NULL", file, file);
                if (!present) {
                    missing.add(function[0] + " needs " + function[1]);
                    continue;
                }
                // A library built for another major, or against other symbols, is there but does not load; LOAD
                // (as pg_upgrade's own check does) says so without creating anything.
                Optional<String> failure = loaded.computeIfAbsent(function[1], library -> load(target, library));
                failure.ifPresent(f -> unloadable.add(function[0] + " in " + function[1] + ": " + f));
            }
        }
        List<ValidationResult> results = new ArrayList<>();
        if (!missing.isEmpty()) {
            results.add(context.failed(Text.counted(missing, "C-language function needs a library",
                    "C-language functions need libraries") + " the target lacks.", "CREATE FUNCTION ... LANGUAGE c "
                    + "loads the library, and fails when it is not installed.", "Build and install the libraries "
                    + "on the target (built for its major version), or drop the functions from the source if "
                    + "unused.", missing));
        }
        if (!unloadable.isEmpty()) {
            results.add(context.failed("The library of " + Text.counted(unloadable, "C-language function",
                    "C-language functions") + " is on the target but does not load there.", "The file is there, but "
                    + "it was built for another major version or against symbols this server lacks, so CREATE "
                    + "FUNCTION ... LANGUAGE c fails on it in the middle of the migration.", "Rebuild the library "
                    + "against the target's major version (its pg_config and server headers) and install it at "
                    + "the same path, or drop the functions from the source (DROP FUNCTION ... CASCADE names "
                    + "what depends on them).", unloadable));
        }
        if (results.isEmpty()) {
            results.add(context.succeeded(Text.counted(items, "C-language function", "C-language functions")
                    + "; the target login is a superuser and every library is installed and loads."));
        }
        return results;
    }

    private static Optional<String> load(Connection target, String library) {
        try (Statement statement = target.createStatement()) {
            statement.execute("LOAD " + Sql.literal(library));
            return Optional.empty();
        } catch (SQLException e) {
            String message = e.getMessage() == null ? e.getSQLState() : e.getMessage();
            int nl = message.indexOf('\n');
            return Optional.of(nl < 0 ? message : message.substring(0, nl));
        }
    }
}
