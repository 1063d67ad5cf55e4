package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.spi.Validator;

/** The id, scope and description every built-in validator carries. */
abstract class BuiltInValidator implements Validator {
    private final String id;
    private final ValidationScope scope;
    private final String description;

    BuiltInValidator(String id, ValidationScope scope, String description) {
        this.id = id;
        this.scope = scope;
        this.description = description;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final ValidationScope scope() {
        return scope;
    }

    @Override
    public final String description() {
        return description;
    }
}
