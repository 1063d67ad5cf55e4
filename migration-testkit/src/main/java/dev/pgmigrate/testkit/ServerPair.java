package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.PostgresServer;

/**
 * A source and a target server for one invocation of a {@link MigrationMatrix} test.
 *
 * @param source the server to migrate from
 * @param target the server to migrate to; never the same server as {@code source}
 * @since 0.1
 */
@Experimental
public record ServerPair(PostgresServer source, PostgresServer target) {
    public ServerPair {
        requireNonNull(source, "source must not be null");
        requireNonNull(target, "target must not be null");
        if (source == target) {
            throw new IllegalArgumentException("source and target must be two servers");
        }
    }

    /** Like {@code "9.6 -> 15"}. */
    public String label() {
        return source.majorLabel() + " -> " + target.majorLabel();
    }

    @Override
    public String toString() {
        return label();
    }
}
