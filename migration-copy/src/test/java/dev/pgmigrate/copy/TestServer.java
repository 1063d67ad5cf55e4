package dev.pgmigrate.copy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A running PostgreSQL server for these tests, until the testkit's {@code PostgresServer} lands: the host and
 * port come from {@code pgmigrate.test.source}/{@code pgmigrate.test.target} ({@code host:port}).
 */
record TestServer(String host, int port) {
    static TestServer source() {
        return of(System.getProperty("pgmigrate.test.source", "localhost:55432"));
    }

    static TestServer target() {
        return of(System.getProperty("pgmigrate.test.target", "localhost:55433"));
    }

    private static TestServer of(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new TestServer(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    String url(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        return DriverManager.getConnection(url(database), props);
    }

    void execute(String database, String... sql) throws SQLException {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    /** Drops and creates {@code database}. */
    void recreateDatabase(String database) throws SQLException {
        execute("postgres", "DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)",
                "CREATE DATABASE \"" + database + "\"");
    }
}
