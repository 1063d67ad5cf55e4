package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D23: publications and subscriptions (PostgreSQL 10 and later). */
public final class LogicalReplicationValidator extends ObjectListValidator {
    public LogicalReplicationValidator() {
        super("logical-replication", "Publications and subscriptions, which are not carried over as running replication.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        if (source.versionNum() < 100000) {
            return Optional.empty();
        }
        return Optional.of("SELECT 'publication ' || pubname FROM pg_publication UNION ALL SELECT 'subscription '"
                + " || subname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database"
                + " WHERE datname = current_database()) ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No publications or subscriptions.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "publication or subscription", "publications and "
                + "subscriptions") + ".", "Subscriptions are created disabled on the target, or not at all without "
                + "a superuser; subscribers of the source's publications keep following the source.",
                "After the migration, recreate or enable the subscriptions on the target and repoint subscribers "
                + "of the publications to it.", items);
    }
}
