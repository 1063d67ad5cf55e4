package dev.pgmigrate.embedded;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.embedded.internal.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A PostgreSQL server a test can use, whoever started it: {@link PostgresServer} (started in this JVM), or the
 * testkit's {@code ExternalServer} (given by URL) and {@code DockerServers} (a Docker container). The SQL helpers
 * run as the server's most privileged login ({@link #connect(String)}) and open one connection per call.
 *
 * @since 0.1
 */
@Experimental
public interface TestServer {
    /** The host to connect to. */
    String host();

    /** The TCP port. */
    int port();

    /** {@code server_version_num}, such as {@code 90624} or {@code 170006}. */
    int versionNum();

    /** The major, such as {@code "9.6"} or {@code "17"}. */
    default String majorLabel() {
        int v = versionNum();
        return v < 100000 ? (v / 10000) + "." + (v / 100 % 100) : Integer.toString(v / 10000);
    }

    /** The login the product under test gets. */
    String adminLogin();

    /** How the product under test reaches this server, as {@link #adminLogin()}. */
    ServerSpec serverSpec();

    /** A new connection to {@code database} as the most privileged login known; the caller closes it. */
    Connection connect(String database) throws SQLException;

    /** A new connection to {@code database} as {@link #adminLogin()}; the caller closes it. */
    Connection connectAsAdmin(String database) throws SQLException;

    /**
     * Runs statements in {@code database} through {@link #connect(String)}, each in its own transaction.
     *
     * @throws TestkitSqlException carrying the SQLState if one fails
     */
    default void execute(String database, String... sql) {
        requireNonNull(database, "database must not be null");
        requireNonNull(sql, "sql must not be null");
        Sql.execute(() -> connect(database), database + " on " + this, sql);
    }

    /** Runs statements in {@code database} as {@link #adminLogin()}. */
    default void executeAsAdmin(String database, String... sql) {
        requireNonNull(database, "database must not be null");
        requireNonNull(sql, "sql must not be null");
        Sql.execute(() -> connectAsAdmin(database), database + " on " + this, sql);
    }

    /** Every row of a query, each column as text ({@code null} for SQL NULL). */
    default List<List<String>> query(String database, String sql) {
        requireNonNull(database, "database must not be null");
        requireNonNull(sql, "sql must not be null");
        return Sql.query(() -> connect(database), database + " on " + this, sql);
    }

    /** The one value a query returns, as text; {@code null} for SQL NULL. */
    default String queryForString(String database, String sql) {
        return Sql.single(query(database, sql), sql);
    }

    /** The one number a query returns. */
    default long queryForLong(String database, String sql) {
        return Long.parseLong(queryForString(database, sql));
    }

    /** Creates a database; returns its name. */
    default String createDatabase(String name) {
        requireNonNull(name, "name must not be null");
        execute("postgres", "CREATE DATABASE " + Sql.quoteIdent(name));
        return name;
    }

    /** Creates a database with a fresh name, as {@link TestDatabases#unique(String)} makes; returns the name. */
    default String createUniqueDatabase(String prefix) {
        return createDatabase(TestDatabases.unique(prefix));
    }

    /** Drops a database if it exists, ending its sessions first. */
    default void dropDatabase(String name) {
        requireNonNull(name, "name must not be null");
        if (versionNum() >= 130000) {
            execute("postgres", "DROP DATABASE IF EXISTS " + Sql.quoteIdent(name) + " WITH (FORCE)");
        } else {
            execute("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                    + Sql.quoteLiteral(name) + " AND pid <> pg_backend_pid()",
                    "DROP DATABASE IF EXISTS " + Sql.quoteIdent(name));
        }
    }
}
