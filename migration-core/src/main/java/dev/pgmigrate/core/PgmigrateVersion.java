package dev.pgmigrate.core;

import dev.pgmigrate.api.Stable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The version of pgmigrate in use and the git commit it was built from: what {@code pgmigrate --version} prints
 * and what each migration's record keeps.
 *
 * <p>{@code PgmigrateVersion.current().display()} gives {@code "0.1.0 (commit 1a2b3c4d5e6f)"}.
 *
 * @param version the project version, such as {@code 0.1.0}; {@code "unknown"} when these classes were not built
 *     by Maven (an IDE's build)
 * @param commit the abbreviated commit the build was made from; empty when it was built without git or outside a
 *     clone (a source archive)
 * @param modified whether the build's working tree held changes to tracked files that were not committed
 * @since 0.1
 */
@Stable(since = "0.1")
public record PgmigrateVersion(String version, Optional<String> commit, boolean modified) {
    private static final String RESOURCE = "version.properties";

    public PgmigrateVersion {
        Objects.requireNonNull(version, "version must not be null");
        Objects.requireNonNull(commit, "commit must not be null");
        if (version.isBlank()) {
            throw new IllegalArgumentException("version must not be blank");
        }
    }

    /** The version of the migration-core on the class path, read once from the resource its build wrote. */
    public static PgmigrateVersion current() {
        return Holder.CURRENT;
    }

    /**
     * One line for people: the version, then the commit or {@code "unknown commit"}, and whether the tree was
     * modified, such as {@code "0.1.0 (commit 1a2b3c4d5e6f, modified)"}.
     */
    public String display() {
        return version + " (" + commit.map(c -> "commit " + c).orElse("unknown commit")
                + (modified ? ", modified" : "") + ")";
    }

    private static final class Holder {
        static final PgmigrateVersion CURRENT = read();

        private static PgmigrateVersion read() {
            Properties properties = new Properties();
            try (InputStream in = PgmigrateVersion.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    return new PgmigrateVersion("unknown", Optional.empty(), false);
                }
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + RESOURCE + " of migration-core", e);
            }
            String commit = properties.getProperty("commit", "").strip();
            return new PgmigrateVersion(properties.getProperty("version", "unknown").strip(),
                    commit.isEmpty() ? Optional.empty() : Optional.of(commit),
                    Boolean.parseBoolean(properties.getProperty("modified", "false").strip()));
        }
    }
}
