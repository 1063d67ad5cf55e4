package dev.pgmigrate.api;

import java.util.Objects;

/**
 * One failure, warning or note of a migration: its stable {@link MessageCode} and the text people read.
 *
 * @param code what it is; read this, never the text
 * @param text what happened, with the names and values it is about; never a password or row data
 * @since 0.2
 */
@Stable(since = "0.2")
public record MigrationMessage(MessageCode code, String text) {
    public MigrationMessage {
        Objects.requireNonNull(code, "code must not be null");
        Objects.requireNonNull(text, "text must not be null");
    }

    /** Whether its code is {@code code}. */
    public boolean is(MessageCode code) {
        return this.code == code;
    }

    /** The code and the text, as the CLI prints them: {@code "PGM-ROLLBACK-INCOMPLETE: ..."}. */
    @Override
    public String toString() {
        return code.label() + ": " + text;
    }
}
