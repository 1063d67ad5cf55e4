package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** D10, D11: every collation used by a column, index or domain, and every one the database defines, exists on the target. */
public final class CollationsInUseValidator extends DatabaseValidator {
    public CollationsInUseValidator() {
        super("collations-in-use", "Every collation used or defined in the database exists on the target.", true);
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(Collations.USED);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        List<Collations.Collation> used = context.fact(Collations.USED, context.database().orElseThrow());
        Collations.Offer offer = context.targetFact(Collations.OFFER);
        List<String> missing = new ArrayList<>();
        int defined = 0;
        for (Collations.Collation collation : used) {
            boolean builtIn = collation.schema().equals("pg_catalog");
            defined += builtIn ? 0 : 1;
            if (collation.isTrivial() && !"i".equals(collation.provider())) {
                continue;
            }
            boolean ok = builtIn ? offer.hasName(collation.qualifiedName())
                    || offer.hasLocale(collation.provider(), collation.locale())
                    : offer.hasLocale(collation.provider(), collation.locale());
            if (!ok) {
                missing.add(collation.qualifiedName() + " (" + collation.provider() + " locale " + collation.locale()
                        + ")");
            }
        }
        String found = Text.counted(used.stream().map(Collations.Collation::qualifiedName).toList(), "collation",
                "collations") + " used or defined (" + defined + " defined here)";
        if (missing.isEmpty()) {
            return List.of(context.succeeded(found + "; the target offers all of them."));
        }
        return List.of(context.failed(found + "; the target lacks " + Text.counted(missing, "locale", "locales")
                + ".", "Columns, indexes and domains using them cannot be created on the target, and CREATE "
                + "COLLATION fails for a locale its operating system or ICU does not have.", "Install the "
                + "locales on the target (locale-gen and a restart, or an ICU build), or change the columns to a "
                + "collation the target has (ALTER TABLE ... ALTER COLUMN ... TYPE text COLLATE ...).", missing));
    }
}
