package dev.pgmigrate.core.internal.pg;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.PasswordFile;
import dev.pgmigrate.core.internal.run.CancelSignal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.PGProperty;

/** Opens JDBC connections to one server; the only place that turns a {@link ServerSpec} into driver properties. */
public final class ServerConnector {
    /**
     * The {@code application_name} of the engine's sessions, by which checks and rollbacks tell them from the
     * applications'. The driver sets it with a {@code SET} after logging in, so a {@code RESET ALL} clears it.
     */
    public static final String APPLICATION_NAME = "pgmigrate";
    /** The driver loads its socket factory by name through its own class loader, which an embedder may split. */
    private static final boolean READ_AHEAD_VISIBLE_TO_DRIVER = visibleToDriver(ReadAheadSocketFactory.class);
    private final ServerSpec spec;
    private final MigrationSettings settings;

    public ServerConnector(ServerSpec spec, MigrationSettings settings) {
        this.spec = spec;
        this.settings = settings;
    }

    public ServerSpec spec() {
        return spec;
    }

    /** The migration's settings these connections follow. */
    public MigrationSettings settings() {
        return settings;
    }

    /** A new connection to {@code database}; the caller closes it. */
    public Connection open(String database) throws SQLException {
        try {
            return DriverManager.getConnection(url(database), properties(database));
        } catch (SQLException e) {
            // The driver's message names neither the server nor the database.
            throw Sql.loginFailed(java.net.URLDecoder.decode(url(database).substring("jdbc:postgresql://".length()),
                    java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }

    /** A connection that asks whether the server answers: connecting, logging in and each read give up after {@code seconds}. */
    public Connection openProbe(String database, int seconds) throws SQLException {
        Properties p = properties(database);
        PGProperty.CONNECT_TIMEOUT.set(p, seconds);
        PGProperty.LOGIN_TIMEOUT.set(p, seconds);
        PGProperty.SOCKET_TIMEOUT.set(p, seconds);
        PGProperty.APPLICATION_NAME.set(p, "pgmigrate-watch");
        return DriverManager.getConnection(url(database), p);
    }

    /**
     * A logical replication connection to {@code database} (the walsender protocol, simple queries only): for
     * creating a slot with its snapshot and for streaming its changes.
     */
    public Connection openReplication(String database) throws SQLException {
        Properties p = properties(database);
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        PGProperty.APPLICATION_NAME.set(p, "pgmigrate-replication");
        // pgoutput writes values as text in the walsender's settings, which the driver does not pin on a replication
        // connection: a 10 or 11 server's default extra_float_digits (0) loses a float's last bits, a database's
        // IntervalStyle or DateStyle writes values the target reads otherwise.
        PGProperty.OPTIONS.set(p, "-c extra_float_digits=3 -c IntervalStyle=postgres -c DateStyle=ISO,MDY "
                + "-c bytea_output=hex");
        p.remove(PGProperty.SOCKET_FACTORY.getName()); // the walsender's stream is read message by message
        return DriverManager.getConnection(url(database), p);
    }

    /** A new connection whose every transaction is read-only. */
    public Connection openReadOnly(String database) throws SQLException {
        Connection connection = open(database);
        try {
            connection.setReadOnly(true);
            return connection;
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    private String url(String database) {
        String host = spec.connectHost();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "jdbc:postgresql://" + host + ":" + spec.port() + "/"
                + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Empty when the password file has {@code database}'s own entry, which the driver then finds itself. */
    private Optional<Secret> passwordFileFallback(String database) {
        return PasswordFile.lookup(spec, database).isPresent() ? Optional.empty() : PasswordFile.loginEntry(spec);
    }

    private static boolean visibleToDriver(Class<?> type) {
        try {
            return Class.forName(type.getName(), false, org.postgresql.Driver.class.getClassLoader()) == type;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * The driver's properties for a session in {@code database}. Without a password in the spec, the driver looks
     * in the password file for {@code database}'s entry; where there is none, the entry of {@code postgres} or
     * {@code template1} for the same login at the same address is given instead. A role's password is the server's,
     * not a database's, and a database pgmigrate creates under its working name (renamed at the end) matches no
     * entry a user wrote for a database by name; the engine's first session needed one of those entries anyway.
     */
    private Properties properties(String database) {
        Properties p = new Properties();
        PGProperty.USER.set(p, spec.adminLogin());
        spec.password().or(() -> passwordFileFallback(database))
                .ifPresent(secret -> PGProperty.PASSWORD.set(p, secret.reveal()));
        PGProperty.SSL_MODE.set(p, spec.sslMode().label());
        settings.option("ssl.rootCert").ifPresent(path -> PGProperty.SSL_ROOT_CERT.set(p, path));
        PGProperty.CONNECT_TIMEOUT.set(p, (int) Math.max(1, settings.connectTimeout().toSeconds()));
        PGProperty.LOGIN_TIMEOUT.set(p, (int) Math.max(1, settings.connectTimeout().toSeconds()));
        PGProperty.TCP_KEEP_ALIVE.set(p, true);
        PGProperty.CANCEL_SIGNAL_TIMEOUT.set(p, CancelSignal.CANCEL_ANSWER_SECONDS); // a silent server: see CancelSignal
        PGProperty.APPLICATION_NAME.set(p, APPLICATION_NAME);
        if (READ_AHEAD_VISIBLE_TO_DRIVER) {
            PGProperty.SOCKET_FACTORY.set(p, ReadAheadSocketFactory.class.getName());
        }
        // Read catalogs and COPY only; server-side prepared statements buy nothing and leak across snapshots.
        PGProperty.PREPARE_THRESHOLD.set(p, 0);
        settings.option("connection.socketTimeoutSeconds")
                .ifPresent(seconds -> PGProperty.SOCKET_TIMEOUT.set(p, Integer.parseInt(seconds)));
        return p;
    }
}
