package dev.pgmigrate.embedded;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configures and starts a {@link PostgresServer}; made by {@link PostgresServer#builder()}.
 *
 * <p>{@code PostgresServer.builder().version("17").profile(ServerProfile.MANAGED).setting("work_mem", "8MB").start()}
 *
 * @since 0.1
 */
@Experimental
public final class PostgresServerBuilder {
    private String version;
    private PostgresBinaries binaries;
    private ServerProfile profile = ServerProfile.SUPERUSER;
    private final Map<String, String> settings = new LinkedHashMap<>();

    PostgresServerBuilder() {
    }

    /** The version to start, such as {@code "17"} or {@code "17.6.0"}; ignored when binaries are given. */
    public PostgresServerBuilder version(String version) {
        this.version = requireNonNull(version, "version must not be null");
        return this;
    }

    /** The binaries to run, such as {@link PostgresBinaries#system(int)}. */
    public PostgresServerBuilder binaries(PostgresBinaries binaries) {
        this.binaries = requireNonNull(binaries, "binaries must not be null");
        return this;
    }

    /** Which admin login the server hands out; {@link ServerProfile#SUPERUSER} unless set. */
    public PostgresServerBuilder profile(ServerProfile profile) {
        this.profile = requireNonNull(profile, "profile must not be null");
        return this;
    }

    /** Sets any {@code postgresql.conf} parameter; overrides the defaults for speed. */
    public PostgresServerBuilder setting(String name, String value) {
        requireNonNull(name, "name must not be null");
        requireNonNull(value, "value must not be null");
        if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw new IllegalArgumentException("'" + name + "' is not a PostgreSQL parameter name");
        }
        settings.put(name, value);
        return this;
    }

    /** Sets every parameter of {@code map}, as {@link #setting(String, String)} does. */
    public PostgresServerBuilder settings(Map<String, String> map) {
        requireNonNull(map, "map must not be null");
        map.forEach(this::setting);
        return this;
    }

    /** Sets {@code shared_preload_libraries}, such as {@code "pg_stat_statements"}. */
    public PostgresServerBuilder sharedPreloadLibraries(String... libraries) {
        requireNonNull(libraries, "libraries must not be null");
        return setting("shared_preload_libraries", String.join(",", libraries));
    }

    /**
     * The server this JVM shares for this configuration (binaries or version, profile, settings), started on
     * first use. Its {@link PostgresServer#close()} does nothing: it stops when the JVM exits. Tests that share
     * it each work in their own database ({@link TestDatabases#unique(String)}).
     */
    public PostgresServer startShared() {
        return startShared(0);
    }

    /**
     * Like {@link #startShared()}, but the server of {@code slot} among several this JVM shares for one
     * configuration: a test that needs two distinct servers alike asks for slots 0 and 1.
     */
    public PostgresServer startShared(int slot) {
        String versionKey = binaries != null ? binaries.binDirectory().toString()
                : PostgresBinaries.fullVersion(version);
        return OpenServers.shared(versionKey + "|" + profile + "|" + settings + "|" + slot, this::start);
    }

    /**
     * Creates the data directory, starts the server and creates the admin login; blocks until it accepts
     * connections, typically about a second.
     *
     * @throws IllegalStateException if no version or binaries were given, or the server did not start; the
     *     message holds the end of its log
     */
    public PostgresServer start() {
        if (binaries == null && version == null) {
            throw new IllegalStateException("Give a version (such as \"17\") or binaries to start a server");
        }
        return OpenServers.start(binaries != null ? binaries : PostgresBinaries.of(version), profile, settings);
    }
}
