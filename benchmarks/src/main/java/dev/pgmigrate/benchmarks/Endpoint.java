package dev.pgmigrate.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * One server the benchmarks copy from or to: host, port, login and password. Handed from the launcher to
 * JMH's forked JVMs through system properties {@code pgmigrate.bench.<role>.host} and so on.
 */
record Endpoint(String host, int port, String user, String password) {
    static final String DATABASE = "bench";

    static Endpoint fromProperties(String role) {
        String prefix = "pgmigrate.bench." + role + ".";
        String host = System.getProperty(prefix + "host");
        if (host == null) {
            throw new IllegalStateException("System property " + prefix + "host is not set: run the benchmarks"
                    + " through dev.pgmigrate.benchmarks.BenchmarkMain (java -jar benchmarks/target/benchmarks.jar),"
                    + " which starts the servers and passes them on");
        }
        return new Endpoint(host, Integer.parseInt(System.getProperty(prefix + "port")),
                System.getProperty(prefix + "user", "postgres"), System.getProperty(prefix + "password", ""));
    }

    /** The {@code -D} options that let {@link #fromProperties} rebuild this endpoint in another JVM. */
    String[] asJvmArgs(String role) {
        String prefix = "-Dpgmigrate.bench." + role + ".";
        return new String[] {prefix + "host=" + host, prefix + "port=" + port, prefix + "user=" + user,
                prefix + "password=" + password};
    }

    void setProperties(String role) {
        String prefix = "pgmigrate.bench." + role + ".";
        System.setProperty(prefix + "host", host);
        System.setProperty(prefix + "port", String.valueOf(port));
        System.setProperty(prefix + "user", user);
        System.setProperty(prefix + "password", password);
    }

    Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("ApplicationName", "pgmigrate-bench");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database
                + "?sslmode=disable", props);
    }

    void execute(String database, String... sql) throws SQLException {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    /** A libpq connection URI for {@code psql}, without the password (that goes in PGPASSWORD). */
    String libpqUri(String database) {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database + "?sslmode=disable";
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port;
    }
}
