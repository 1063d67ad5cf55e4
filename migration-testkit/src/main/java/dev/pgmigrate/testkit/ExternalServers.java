package dev.pgmigrate.testkit;

import dev.pgmigrate.api.Experimental;
import java.util.Optional;

/**
 * The external server named by the environment variable {@value #URL_ENV}, if any: tests can run against a server
 * someone else runs (a CI service container, a cloud instance) instead of one the testkit starts.
 *
 * <pre>{@code
 * ExternalServer server = ExternalServers.fromEnvironment()
 *         .orElseThrow(() -> new TestAbortedException("set PGMIGRATE_TEST_SERVER_URL"));
 * }</pre>
 *
 * @since 0.1
 */
@Experimental
public final class ExternalServers {
    /** The environment variable holding a URL such as {@code postgresql://user:password@host:5432}. */
    public static final String URL_ENV = "PGMIGRATE_TEST_SERVER_URL";

    private ExternalServers() {
    }

    /**
     * The server of {@value #URL_ENV}, or empty when the variable is unset or blank.
     *
     * @throws IllegalArgumentException if the variable holds a malformed URL
     */
    public static Optional<ExternalServer> fromEnvironment() {
        String url = System.getenv(URL_ENV);
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ExternalServer.parse(url));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(URL_ENV + " is set but malformed: " + e.getMessage(), e);
        }
    }
}
