package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;

/**
 * A check of one source database for an Online migration. It gives no result, and opens no connection, for an
 * Offline migration or a source too old to stream (see {@link Online#streams}).
 */
abstract class OnlineDatabaseValidator extends DatabaseValidator {
    OnlineDatabaseValidator(String id, String description) {
        super(id, description, false);
    }

    @Override
    final boolean applies(ValidationContext context, ServerFacts source) {
        return Online.requested(context) && Online.streams(source);
    }
}
