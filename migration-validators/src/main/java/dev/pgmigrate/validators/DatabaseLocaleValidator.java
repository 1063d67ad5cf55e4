package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * D11 (database part), D12: the target can create the database with the source's encoding, collate, ctype and
 * locale provider. Reads {@code pg_database} from the maintenance database, so a database whose locale this
 * server cannot load is still reported.
 */
public final class DatabaseLocaleValidator extends BuiltInValidator {



    public DatabaseLocaleValidator() {
        super("database-locale", ValidationScope.DATABASE,
                "The target offers the database's encoding, locale and locale provider.");
    }

    @Override
    public List<ValidationResult> validate(ValidationContext context) throws SQLException {
        String database = context.database().orElseThrow();
        if (context.source().facts().isEmpty() || context.target().facts().isEmpty()) {
            return List.of();
        }
        ServerFacts source = context.source().facts().get();
        ServerFacts target = context.target().facts().get();
        Optional<Collations.DatabaseLocale> found;
        try (Connection connection = InstanceValidator.maintenance(context.source())) {
            found = Collations.databaseLocale(connection, source, database);
        }
        if (found.isEmpty()) {
            return List.of();  // source-database reports a missing database
        }
        Collations.DatabaseLocale locale = found.get();
        Collations.Offer offer = context.targetFact(Collations.OFFER);
        String description = "encoding " + locale.encoding() + ", LC_COLLATE " + locale.collate() + ", LC_CTYPE "
                + locale.ctype() + ", provider " + provider(locale.provider())
                + locale.locale().map(l -> " (locale " + l + ")").orElse("");
        List<String> missing = new ArrayList<>();
        for (String libc : List.of(locale.collate(), locale.ctype())) {
            if (!offer.hasLocale("c", libc) && !missing.contains("libc locale " + libc)) {
                missing.add("libc locale " + libc);
            }
        }
        if ("i".equals(locale.provider()) && (target.versionNum() < 150000 || !offer.hasIcu())) {
            missing.add("ICU as database locale provider (PostgreSQL 15 or later built with ICU)");
        } else if ("b".equals(locale.provider()) && target.versionNum() < 170000) {
            missing.add("the builtin locale provider (PostgreSQL 17 or later)");
        }
        if (!missing.isEmpty()) {
            return List.of(context.failed("The database has " + description + "; the target lacks "
                    + Text.and(missing) + ".", "CREATE DATABASE on the target fails without them, and a different "
                    + "locale would sort and compare text differently, breaking unique indexes.", "Install the "
                    + "locales on the target's operating system (locale-gen, then restart PostgreSQL) or choose a "
                    + "target that has them; with a managed target, pick one offering this locale.", missing));
        }
        if ("i".equals(locale.provider()) && locale.locale().isPresent()
                && !offer.hasLocale("i", locale.locale().get())) {
            return List.of(context.warning("The database has " + description + "; the target has no ICU collation "
                    + "for locale " + locale.locale().get() + ".", "ICU accepts any language tag, but falls back "
                    + "to the root collation for ones it does not know, which sorts differently.", "Check the tag "
                    + "on the target: SELECT * FROM pg_collation WHERE collprovider = 'i'.",
                    List.of(locale.locale().get())));
        }
        if ("SQL_ASCII".equals(locale.encoding())) {
            return List.of(context.warning("The database has " + description + ".", "SQL_ASCII stores bytes "
                    + "unchecked, so the data may hold several encodings. The copy moves the tables' rows byte for "
                    + "byte (in text COPY, slower than binary), but the definitions travel in UTF-8: a comment, "
                    + "default, enum label or function body that is not valid UTF-8 fails the migration, which is "
                    + "rolled back, and so does such a value in an online migration's stream of changes.", "Find "
                    + "what is not valid UTF-8 (convert_to(col, 'UTF8') raises an error on it) and rewrite it, or "
                    + "move this database with pg_dump, which keeps SQL_ASCII on both ends.",
                    List.of(locale.encoding())));
        }
        return List.of(context.succeeded("The database has " + description + "; the target offers them."));
    }

    private static String provider(String code) {
        return switch (code) {
            case "i" -> "icu";
            case "b" -> "builtin";
            default -> "libc";
        };
    }
}
