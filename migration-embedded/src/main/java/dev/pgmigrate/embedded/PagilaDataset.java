package dev.pgmigrate.embedded;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.internal.Sql;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pagila sample database (pagila 3.1, a PostgreSQL port of MySQL's Sakila; MIT/PostgreSQL licence, bundled
 * with migration-embedded): 21 tables holding 49,636 rows, a partitioned {@code payment}, views, a materialized view
 * created {@code WITH NO DATA}, functions, triggers and a domain with a non-ASCII name. Loaded without
 * {@code psql}, by {@link SqlScript}. Needs PostgreSQL 12 or later.
 *
 * <p>{@code PagilaDataset.load(server, server.createDatabase(TestDatabases.unique("pagila")));}
 *
 * @since 0.1
 */
@Experimental
public final class PagilaDataset {
    /** System property naming a directory with {@code pagila-schema.sql} and {@code pagila-data.sql}. */
    public static final String DIRECTORY_PROPERTY = "pgmigrate.pagila.dir";
    /** The oldest server pagila loads into, as {@code server_version_num}. */
    public static final int MINIMUM_VERSION_NUM = 120000;
    /** Tables holding rows (partitions count, the partitioned parent does not). */
    public static final int TABLES = 21;
    /** Rows across all tables. */
    public static final long ROWS = 49_636;
    /** Rows of some tables, for spot checks. */
    public static final Map<String, Long> SOME_ROW_COUNTS = Map.of(
            "actor", 200L, "film", 1000L, "customer", 599L, "rental", 16_044L, "payment", 16_049L,
            "inventory", 4581L, "film_actor", 5462L);

    private static final Logger log = LoggerFactory.getLogger(PagilaDataset.class);
    private static final String RESOURCE_DIR = "pagila/";

    private PagilaDataset() {
    }

    /**
     * Loads schema and data into {@code database}, which should be empty, as the superuser.
     *
     * @throws IllegalArgumentException if the server is older than 12
     * @throws TestkitSqlException if a statement fails
     */
    public static void load(TestServer server, String database) {
        requireNonNull(server, "server must not be null");
        requireNonNull(database, "database must not be null");
        if (server.versionNum() < MINIMUM_VERSION_NUM) {
            throw new IllegalArgumentException("pagila needs PostgreSQL 12 or later (its schema sets "
                    + "default_table_access_method), but " + server + " is older. Use EverythingDataset or "
                    + "PgbenchDataset on older servers.");
        }
        long start = System.nanoTime();
        try (Connection c = server.connect(database)) {
            // One session per script: pg_dump's SET search_path = '' must hold for the statements after it.
            SqlScript.parse(script("pagila-schema.sql")).execute(c);
        } catch (SQLException e) {
            throw Sql.failure("load pagila's schema into " + database + " on " + server, e);
        }
        try (Connection c = server.connect(database)) {
            SqlScript.parse(script("pagila-data.sql")).execute(c);
        } catch (SQLException e) {
            throw Sql.failure("load pagila's data into " + database + " on " + server, e);
        }
        log.info("Loaded pagila into {} on {} in {} ms", database, server, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The text of {@code pagila-schema.sql} or {@code pagila-data.sql}: the copy bundled in this jar, else the
     * directory of {@value #DIRECTORY_PROPERTY}, else a {@code shared/datasets/pagila} above the working directory.
     */
    static String script(String name) {
        try (InputStream in = PagilaDataset.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path file = directory().orElseThrow(() -> new IllegalStateException("pagila's " + name + " is neither in "
                    + "the migration-embedded jar nor in a directory named by -D" + DIRECTORY_PROPERTY)).resolve(name);
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read pagila's " + name, e);
        }
    }

    private static Optional<Path> directory() {
        String configured = System.getProperty(DIRECTORY_PROPERTY);
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Optional.of(Path.of(configured));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/datasets/pagila");
            if (Files.isRegularFile(candidate.resolve("pagila-schema.sql"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
