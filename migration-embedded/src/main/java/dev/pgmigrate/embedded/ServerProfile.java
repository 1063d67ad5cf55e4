package dev.pgmigrate.embedded;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.Labeled;

/**
 * Which login a {@link PostgresServer} hands to the product under test.
 *
 * @since 0.1
 */
@Experimental
public enum ServerProfile implements Labeled {
    /** The admin login is the superuser {@code postgres}, as on a self-managed server. */
    SUPERUSER("Superuser"),
    /**
     * The admin login is {@value PostgresServer#MANAGED_ADMIN}, with {@code LOGIN CREATEDB CREATEROLE} and
     * membership in {@code pg_signal_backend} but no {@code SUPERUSER}, as on a managed service.
     */
    MANAGED("Managed");

    private final String label;

    ServerProfile(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Parses a label such as {@code "Managed"}, ignoring case. */
    public static ServerProfile fromLabel(String label) {
        return Labeled.fromLabel(ServerProfile.class, label);
    }
}
