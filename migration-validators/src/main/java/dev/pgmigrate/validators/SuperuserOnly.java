package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;

/** The wording of checks for objects only a superuser can create on the target. */
final class SuperuserOnly {
    private SuperuserOnly() {
    }

    static ValidationResult result(ValidationContext context, List<String> items, String singular, String plural,
            String statement) {
        String found = Text.counted(items, singular, plural) + ".";
        if (ObjectListValidator.targetIsSuperuser(context)) {
            return context.succeeded(found + " The target login is a superuser and can recreate them.");
        }
        return context.failed(found, "Only a superuser may run " + statement + ", and the target login is none, "
                + "so the schema copy fails on them.", "Have them created on the target by its superuser (or the "
                + "service's support) before migrating, drop them from the source if unused, or migrate to a "
                + "target where the login is a superuser.", items);
    }
}
