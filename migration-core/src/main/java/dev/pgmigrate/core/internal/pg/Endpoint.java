package dev.pgmigrate.core.internal.pg;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ServerRole;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.Failures;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a migration: how to connect, what was read about the server, and one connection to its
 * maintenance database for the coordinator's own statements (facts, roles, create and rename database, server
 * parameters), kept open for the whole run because each new login costs a SCRAM exchange.
 */
public final class Endpoint implements ServerAccess, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Endpoint.class);
    /** After this long unused, the maintenance connection is checked before it is handed out again. */
    private static final long IDLE_CHECK_NANOS = 5_000_000_000L;

    private final ServerRole role;
    private final ServerConnector connector;
    private final CancelSignal cancel;
    private volatile ServerFacts facts;
    private volatile SQLException connectFailure;
    /** Used by one thread at a time: the one reading the facts, then the coordinator. */
    private Connection maintenance;
    private long maintenanceUsed;

    public Endpoint(ServerRole role, ServerConnector connector, CancelSignal cancel) {
        this.role = role;
        this.connector = connector;
        this.cancel = cancel;
    }

    @Override
    public ServerRole role() {
        return role;
    }

    @Override
    public ServerSpec spec() {
        return connector.spec();
    }

    public ServerConnector connector() {
        return connector;
    }

    /**
     * A read-only connection for a plugin, registered with the migration's cancel for as long as it is open: a
     * cancel stops a validator's query too, instead of leaving it running on the server after the migration ended.
     */
    @Override
    public Connection connect(String database) throws SQLException {
        Connection connection = cancel.register(connector.openReadOnly(database));
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        cancel.unregister(connection);
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Optional<ServerFacts> facts() {
        return Optional.ofNullable(facts);
    }

    /** Why the facts could not be read, when they could not. */
    public Optional<SQLException> connectFailure() {
        return Optional.ofNullable(connectFailure);
    }

    /** The facts, or an exception saying why there are none. */
    public ServerFacts requireFacts() throws SQLException {
        if (facts == null) {
            throw connectFailure != null ? connectFailure : new SQLException("the " + role.label() + " server's facts "
                    + "were not read");
        }
        return facts;
    }

    /**
     * The facts, or a {@link MigrationException} naming this server, its login and sslMode, and why it could not
     * be reached: the driver's own message names none of them.
     */
    public ServerFacts requireReachable() {
        if (facts != null) {
            return facts;
        }
        SQLException e = connectFailure;
        // The driver's own message: this one names the server already.
        String why = e == null ? "its facts were not read" : (e instanceof Sql.LocatedError located
                ? located.getCause().getMessage() : e.getMessage()) + " (SQLState " + e.getSQLState() + ")";
        throw new MigrationException(e == null ? MessageCode.SERVER_UNREACHABLE : Failures.code(e),
                "Cannot connect to the " + role.label() + " server " + spec().address() + " as "
                + spec().adminLogin() + " with sslMode " + spec().sslMode().label() + ": " + why + ". Check its host, "
                + "port, login, password (" + passwordOrigin() + ") and sslMode (verify-ca and verify-full also need "
                + "the settings option ssl.rootCert); migrationOption ValidateAndMigrate diagnoses each of them.", e);
    }

    /** Where this server's password came from, for a refused login's fix to name the place to correct it. */
    private String passwordOrigin() {
        return spec().password().map(p -> p.origin().map(o -> "it came from " + o).orElse("given with the spec"))
                .orElse("none was given, so only a password file entry, in PGPASSFILE or ~/.pgpass, could give one");
    }

    /**
     * Connects and reads the server's facts, in the maintenance database {@link MaintenanceDatabase#open} chooses
     * from {@code fallbacks} and {@code replaced}; remembers the first failure when none works.
     */
    public void readFacts(List<String> fallbacks, Collection<String> replaced) {
        Connection c = null;
        try {
            MaintenanceDatabase.Opened opened = MaintenanceDatabase.open(connector, fallbacks, replaced);
            c = opened.connection();
            facts = read(c, opened.database());
            connectFailure = null;
            Sql.execute(c, SessionTimeouts.off(c)); // a CREATE or DROP DATABASE takes as long as it needs
            keepMaintenance(c);
        } catch (SQLException e) {
            closeQuietly(c);
            connectFailure = e;
        }
    }

    private static ServerFacts read(Connection c, String maintenanceDatabase) throws SQLException {
        try (Statement s = c.createStatement()) {
            int versionNum;
            String version;
            String user;
            boolean superuser;
            boolean createDb;
            boolean createRole;
            boolean inRecovery;
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int, "
                    + "current_setting('server_version'), current_user, r.rolsuper, r.rolcreatedb, r.rolcreaterole, "
                    + "pg_is_in_recovery() FROM pg_roles r WHERE r.rolname = current_user")) {
                rs.next();
                versionNum = rs.getInt(1);
                version = rs.getString(2);
                user = rs.getString(3);
                superuser = rs.getBoolean(4);
                createDb = rs.getBoolean(5);
                createRole = rs.getBoolean(6);
                inRecovery = rs.getBoolean(7);
            }
            List<String> databases = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate "
                    + "ORDER BY datname")) {
                while (rs.next()) {
                    databases.add(rs.getString(1));
                }
            }
            return new ServerFacts(versionNum, version, user, superuser, createDb, createRole, inRecovery,
                    maintenanceDatabase, databases);
        }
    }

    /**
     * The connection to the maintenance database, in autocommit mode and registered with the migration's
     * cancel; opened again when it was closed or broke. Only coordinator threads (one per database in flight) use
     * it, each for statements of its own outside any transaction; never close it.
     */
    public synchronized Connection maintenance() throws SQLException {
        Connection c = maintenance;
        boolean usable = c != null && !c.isClosed()
                && (System.nanoTime() - maintenanceUsed < IDLE_CHECK_NANOS || c.isValid(5));
        if (usable && !c.getAutoCommit()) {
            try {
                c.rollback(); // a failed statement may have left a transaction open; never reuse it
                c.setAutoCommit(true);
            } catch (SQLException e) {
                log.debug("Rolling back the {} maintenance connection failed; opening a new one", role.label(), e);
                usable = false;
            }
        }
        if (!usable) {
            closeMaintenance();
            Connection fresh = connector.open(requireFacts().maintenanceDatabase());
            try {
                Sql.execute(fresh, SessionTimeouts.off(fresh));
            } catch (SQLException e) {
                closeQuietly(fresh);
                throw e;
            }
            keepMaintenance(fresh);
        }
        maintenanceUsed = System.nanoTime();
        return maintenance;
    }

    /**
     * Has the maintenance connection checked before it is next handed out, however recently it was used: after a
     * wait of any length (an online migration's wait for its cutover), in which the server may have restarted.
     */
    public void checkMaintenanceBeforeUse() {
        maintenanceUsed = System.nanoTime() - IDLE_CHECK_NANOS;
    }

    private void keepMaintenance(Connection c) {
        closeMaintenance();
        maintenance = cancel.register(c);
        maintenanceUsed = System.nanoTime();
    }

    private void closeMaintenance() {
        if (maintenance != null) {
            cancel.unregister(maintenance);
            closeQuietly(maintenance);
            maintenance = null;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("Closing a maintenance connection failed; it is likely broken", e);
            }
        }
    }

    /** Closes the maintenance connection; idempotent. */
    @Override
    public synchronized void close() {
        closeMaintenance();
    }
}
