package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D24: large objects are copied one by one, after the tables. */
public final class LargeObjectsValidator extends ObjectListValidator {
    public LargeObjectsValidator() {
        super("large-objects", "Large objects: their count and size.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT count(*) || ' large objects taking ' || pg_size_pretty(pg_total_relation_size("
                + "'pg_catalog.pg_largeobject'::regclass)) || ', owned by ' || string_agg(DISTINCT"
                + " pg_get_userbyid(lomowner), ', ') FROM pg_largeobject_metadata HAVING count(*) > 0");
    }

    @Override
    String none(ServerFacts source) {
        return "No large objects.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(items.get(0) + ".", "Large objects are copied one at a time after the tables, "
                + "which is slow for many small ones; their owners must exist on the target and their grants "
                + "come along only with the roles.", "Allow time for them; if applications no longer use some, "
                + "remove them first (vacuumlo).", items);
    }
}
