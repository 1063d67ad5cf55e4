package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

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
        try (Connection target = InstanceValidator.maintenance(context.target())) {
            String libdir = Sql.string(target, "SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'").orElse("");
            for (String[] function : functions) {
                String file = function[1].replace("$libdir", libdir);
                boolean present = Sql.bool(target, "SELECT (pg_stat_file(?, true)).size IS NOT NULL"
                        + " OR (pg_stat_file(? || '.so', true)).size IS NOT NULL", file, file);
                if (!present) {
                    missing.add(function[0] + " needs " + function[1]);
                }
            }
        }
        if (missing.isEmpty()) {
            return List.of(context.succeeded(Text.counted(items, "C-language function", "C-language functions")
                    + "; the target login is a superuser and every library is installed."));
        }
        return List.of(context.failed(Text.counted(missing, "C-language function needs a library",
                "C-language functions need libraries") + " the target lacks.", "CREATE FUNCTION ... LANGUAGE c "
                + "loads the library, and fails when it is not installed.", "Build and install the libraries on "
                + "the target (same major version), or drop the functions from the source if unused.", missing));
    }
}
