package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * I20: the selected databases' total size, and whether the target's free space (which SQL cannot see; given as
 * the option {@value #FREE_BYTES_OPTION}) holds it with a quarter to spare for indexes being built and WAL.
 */
public final class TargetCapacityValidator extends InstanceValidator {
    static final String FREE_BYTES_OPTION = "validators.targetFreeBytes";

    public TargetCapacityValidator() {
        super("target-capacity", "The selected databases fit on the target with a quarter to spare.", Needs.SOURCE);
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(DatabaseSizes.SIZE);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        long total = DatabaseSizes.selectedTotal(context);
        long needed = total + total / 4;
        String found = "The selected databases take " + Text.bytes(total) + " on the source; plan for "
                + Text.bytes(needed) + " on the target.";
        Optional<String> free = context.spec().settings().option(FREE_BYTES_OPTION);
        if (free.isEmpty()) {
            return List.of(context.succeeded(found + " (Set the option " + FREE_BYTES_OPTION
                    + " to have the target's free space checked.)"));
        }
        long freeBytes;
        try {
            freeBytes = Long.parseLong(free.get().trim());
        } catch (NumberFormatException e) {
            return List.of(context.failed(found + " The option " + FREE_BYTES_OPTION + " is '" + free.get()
                    + "', not a number of bytes.", "The free space cannot be compared.", "Give " + FREE_BYTES_OPTION
                    + " as a whole number of bytes, such as 107374182400 for 100 GiB.", List.of(free.get())));
        }
        if (freeBytes >= needed) {
            return List.of(context.succeeded(found + " The target has " + Text.bytes(freeBytes) + " free."));
        }
        return List.of(context.warning(found + " The target has " + Text.bytes(freeBytes) + " free.", "Data, "
                + "indexes being built and WAL need about 1.25 times the source size; a full disk stops the target.",
                "Grow the target's storage to at least " + Text.bytes(needed) + " before migrating.",
                List.of(String.valueOf(total), String.valueOf(freeBytes))));
    }
}
