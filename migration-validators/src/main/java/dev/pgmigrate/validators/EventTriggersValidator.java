package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D21: event triggers are created only by a superuser. */
public final class EventTriggersValidator extends ObjectListValidator {
    public EventTriggersValidator() {
        super("event-triggers", "Event triggers, which need a superuser on the target.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT e.evtname || ' on ' || e.evtevent FROM pg_event_trigger e WHERE "
                + Sql.notExtensionMember("pg_event_trigger", "e") + " ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No event triggers.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        String target = targetIsSuperuser(context) ? "The target login is a superuser and will create them; they "
                + "fire on the target's DDL from then on." : "The target login is no superuser, so creating them "
                + "fails and they are left out.";
        return context.warning(Text.counted(items, "event trigger", "event triggers") + ".", target,
                "Recreate them on the target as its superuser (or through the service's extension) after the "
                + "migration if they are needed.", items);
    }
}
