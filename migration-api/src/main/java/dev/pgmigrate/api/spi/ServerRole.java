package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Labeled;
import dev.pgmigrate.api.Stable;

/**
 * Which end of the migration a server is.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum ServerRole implements Labeled {
    SOURCE("source"),
    TARGET("target");

    private final String label;

    ServerRole(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
