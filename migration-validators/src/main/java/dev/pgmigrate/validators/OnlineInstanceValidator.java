package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.ValidationContext;

/**
 * An instance-level check of what an Online migration needs. It gives no result for an Offline migration, nor,
 * when it reads the source, for a source too old to stream (see {@link Online#streams}).
 */
abstract class OnlineInstanceValidator extends InstanceValidator {
    OnlineInstanceValidator(String id, String description, Needs needs) {
        super(id, description, needs);
    }

    @Override
    final boolean applies(ValidationContext context) {
        return Online.requested(context) && (needs() == Needs.TARGET || Online.streams(facts(context.source())));
    }
}
