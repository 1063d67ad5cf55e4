package dev.pgmigrate.validators;

import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;

/** What the checks of an Online migration share: whether one is asked for, and whether the source can stream. */
final class Online {
    /** PostgreSQL 10 brought publications and the {@code pgoutput} plugin the changes are streamed with. */
    static final int OLDEST_SOURCE = 100000;

    /** The option that lets pgmigrate give tables without a usable replica identity REPLICA IDENTITY FULL. */
    static final String REPLICA_IDENTITY_FULL_OPTION = "online.replicaIdentityFull";

    private Online() {
    }

    /** Whether the migration is Online: an Offline one gets no result from these checks. */
    static boolean requested(ValidationContext context) {
        return context.spec().mode() == MigrationMode.ONLINE;
    }

    /**
     * Whether the source can stream its changes at all; where it cannot, {@code online-source-version} says so
     * and the other checks of the source stay silent rather than add remedies that cannot help.
     */
    static boolean streams(ServerFacts source) {
        return source.atLeast(OLDEST_SOURCE);
    }

    /** Whether the option {@value #REPLICA_IDENTITY_FULL_OPTION} is {@code true}. */
    static boolean replicaIdentityFull(ValidationContext context) {
        return context.spec().settings().option(REPLICA_IDENTITY_FULL_OPTION)
                .map(v -> v.trim().equalsIgnoreCase("true")).orElse(false);
    }
}
