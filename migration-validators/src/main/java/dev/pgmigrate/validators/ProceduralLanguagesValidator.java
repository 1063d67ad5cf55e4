package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** D13: procedural languages used by functions, which the target must have or be able to install. */
public final class ProceduralLanguagesValidator extends DatabaseValidator {
    public ProceduralLanguagesValidator() {
        super("procedural-languages", "Procedural languages used by functions are available on the target.", true);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        List<String[]> used = Sql.list(connection, "SELECT l.lanname, l.lanpltrusted::text,"
                + " string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid) FROM pg_proc p"
                + " JOIN pg_language l ON l.oid = p.prolang JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE " + Sql.USER_SCHEMA + " AND l.lanname NOT IN ('internal', 'c', 'sql', 'plpgsql') AND "
                + Sql.notExtensionMember("pg_proc", "p") + " GROUP BY 1, 2 ORDER BY 1",
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        if (used.isEmpty()) {
            return List.of(context.succeeded("Functions use only SQL, PL/pgSQL and built-in languages."));
        }
        Set<String> available = new HashSet<>(context.targetFact(TargetOffer.LANGUAGES));
        available.addAll(context.targetFact(TargetOffer.EXTENSIONS).keySet());
        boolean superuser = context.target().facts().orElseThrow().superuser();
        List<String> problems = new ArrayList<>();
        for (String[] language : used) {
            if (!available.contains(language[0])) {
                problems.add(language[0] + " is not available, used by " + language[2]);
            } else if ("false".equals(language[1]) && !superuser) {
                problems.add(language[0] + " is untrusted and the target login is no superuser, used by "
                        + language[2]);
            }
        }
        List<String> names = used.stream().map(l -> l[0]).toList();
        if (problems.isEmpty()) {
            return List.of(context.succeeded("Functions use " + Text.and(names) + ", all available on the target."));
        }
        return List.of(context.failed(Text.counted(problems, "language cannot", "languages cannot") + " be used on "
                + "the target.", "Functions in a language the target lacks, or in an untrusted language a "
                + "non-superuser may not use, cannot be created, and whatever depends on them fails too.",
                "Install the language on the target (its package, then CREATE EXTENSION), have its superuser "
                        + "create these functions, or rewrite them in PL/pgSQL.", problems));
    }
}
