package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** A database check that lists objects of one kind with one catalog query and reports them when there are any. */
abstract class ObjectListValidator extends DatabaseValidator {
    ObjectListValidator(String id, String description, boolean needsTarget) {
        super(id, description, needsTarget);
    }

    /** The query listing the objects, one text column; empty when the source's version cannot have them. */
    abstract Optional<String> query(ValidationContext context, ServerFacts source);

    /** The Succeeded sentence when there are none, such as {@code "No unlogged tables."}. */
    abstract String none(ServerFacts source);

    /** The result when {@code items} were found. */
    abstract ValidationResult found(ValidationContext context, List<String> items) throws SQLException;

    @Override
    final List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        Optional<String> sql = query(context, source);
        List<String> items = sql.isPresent() ? Sql.strings(connection, sql.get()) : List.of();
        return List.of(items.isEmpty() ? context.succeeded(none(source)) : found(context, items));
    }

    /** Whether the target login is a superuser; false when unknown. */
    static boolean targetIsSuperuser(ValidationContext context) {
        return context.target().facts().map(ServerFacts::superuser).orElse(false);
    }
}
