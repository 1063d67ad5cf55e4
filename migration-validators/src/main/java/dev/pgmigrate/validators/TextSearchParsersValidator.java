package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D17: user-defined text search parsers and templates, which only a superuser can create. */
public final class TextSearchParsersValidator extends ObjectListValidator {
    public TextSearchParsersValidator() {
        super("text-search-parsers", "Text search parsers and templates, which only a superuser can create.", true);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT 'parser ' || p.prsnamespace::regnamespace || '.' || p.prsname FROM pg_ts_parser p"
                + " WHERE p.oid >= " + Sql.FIRST_USER_OID + " AND " + Sql.notExtensionMember("pg_ts_parser", "p")
                + " UNION ALL SELECT 'template ' || t.tmplnamespace::regnamespace || '.' || t.tmplname"
                + " FROM pg_ts_template t WHERE t.oid >= " + Sql.FIRST_USER_OID + " AND "
                + Sql.notExtensionMember("pg_ts_template", "t") + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No user-defined text search parsers or templates.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return SuperuserOnly.result(context, items, "text search parser or template",
                "text search parsers and templates", "CREATE TEXT SEARCH PARSER or TEMPLATE");
    }
}
