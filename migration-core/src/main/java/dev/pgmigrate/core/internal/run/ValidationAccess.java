package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ServerRole;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server as the validators see it during a validation: {@link #connect} hands out a connection that an
 * earlier validator closed, when one to that database is idle, instead of logging in again. Each login costs a
 * SCRAM exchange and a new backend, 5 to 20 ms: some 2,000 of them for 50 databases and 40 checks each.
 *
 * <p>A connection handed back is kept only while its database is being validated ({@link #open}, {@link #done})
 * and for the server's maintenance database; any other is closed. A kept one is made as new first: its
 * transaction rolled back, autocommit and read-only on, the login's own role back, every setting reset
 * ({@code RESET ALL}) but its {@code application_name}; one that fails that is closed. So the most connections
 * kept idle is about one per database being validated, plus the maintenance database's. Every session runs without parallel workers
 * and waits for a lock no longer than the migration would ({@link #session}). Thread-safe; a connection is used by one validator at a time.
 */
final class ValidationAccess implements ServerAccess, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ValidationAccess.class);

    private final Endpoint endpoint;
    /** Guarded by this. */
    private final Map<String, Deque<Connection>> idle = new HashMap<>();
    /** How many validations of each database are running; guarded by this. */
    private final Map<String, Integer> validating = new HashMap<>();
    /** Guarded by this. */
    private boolean closed;

    ValidationAccess(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public ServerRole role() {
        return endpoint.role();
    }

    @Override
    public ServerSpec spec() {
        return endpoint.spec();
    }

    @Override
    public Optional<ServerFacts> facts() {
        return endpoint.facts();
    }

    /**
     * A read-only connection to {@code database}, reused when one is idle; closing it hands it back. Once closed,
     * the handle refuses every call but {@code close} and {@code isClosed}, so a validator that keeps it cannot
     * reach the next one's session.
     */
    @Override
    public Connection connect(String database) throws SQLException {
        Connection connection = takeIdle(database);
        if (connection == null) {
            connection = endpoint.connect(database);
            try (Statement statement = connection.createStatement()) {
                statement.execute(session());
            } catch (SQLException e) {
                closeQuietly(connection);
                throw e;
            }
        }
        return handle(database, connection);
    }

    /** Keeps connections to {@code database} handed back from now until the matching {@link #done}. */
    synchronized void open(String database) {
        validating.merge(database, 1, Integer::sum);
    }

    /** Ends one {@link #open} of {@code database}; after the last one its idle connections are closed. */
    void done(String database) {
        List<Connection> closing = new ArrayList<>();
        synchronized (this) {
            validating.computeIfPresent(database, (d, n) -> n > 1 ? n - 1 : null);
            if (!keeps(database)) {
                Deque<Connection> left = idle.remove(database);
                if (left != null) {
                    closing.addAll(left);
                }
            }
        }
        closing.forEach(ValidationAccess::closeQuietly);
    }

    private synchronized Connection takeIdle(String database) {
        Deque<Connection> connections = idle.get(database);
        return connections == null ? null : connections.poll();
    }

    /** Whether a connection to {@code database} handed back now is kept; the caller holds this. */
    private boolean keeps(String database) {
        return !closed && (validating.containsKey(database)
                || endpoint.facts().map(f -> f.maintenanceDatabase().equals(database)).orElse(false));
    }

    private Connection handle(String database, Connection connection) {
        AtomicBoolean handedBack = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    boolean noArguments = method.getParameterCount() == 0;
                    if (method.getDeclaringClass() == Object.class) {
                        // The handle's own identity: its connection goes on to other handles.
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> role().label() + " connection to " + database;
                        };
                    }
                    if (noArguments && method.getName().equals("close")) {
                        if (handedBack.compareAndSet(false, true)) {
                            handBack(database, connection);
                        }
                        return null;
                    }
                    if (noArguments && method.getName().equals("isClosed") && handedBack.get()) {
                        return true;
                    }
                    if (handedBack.get()) {
                        throw new SQLException("This connection was closed.", "08003");
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private void handBack(String database, Connection connection) {
        boolean keep;
        synchronized (this) {
            keep = keeps(database);
        }
        if (keep && reset(connection)) {
            synchronized (this) {
                if (keeps(database)) {
                    idle.computeIfAbsent(database, d -> new ArrayDeque<>()).push(connection);
                    return;
                }
            }
        }
        closeQuietly(connection);
    }

    /** Makes {@code connection} as a new one; false when it cannot. */
    private boolean reset(Connection connection) {
        try {
            if (connection.isClosed()) {
                return false;
            }
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            if (!connection.isReadOnly()) {
                connection.setReadOnly(true);
            }
            try (Statement statement = connection.createStatement()) {
                // RESET ALL also clears application_name: without it, source-activity took the session for
                // an application's.
                statement.execute("SET SESSION AUTHORIZATION DEFAULT; RESET ROLE; RESET ALL; "
                        + "SET application_name = '" + ServerConnector.APPLICATION_NAME + "'; " + session());
            }
            return true;
        } catch (SQLException e) {
            log.debug("A {} connection handed back by a validator could not be reset; closing it",
                    endpoint.role().label(), e);
            return false;
        }
    }

    /**
     * The settings of a validator's session: no parallel workers (from 9.6), since catalog reads gain nothing from
     * them (starting two took more than the scan in a database of 2,000 tables) and on a busy source they would
     * take the applications' workers; and no wait for a lock longer than the migration's own
     * ({@code source.lockTimeoutSeconds}): a check that sizes a table another session holds would otherwise wait as
     * long as that session does.
     */
    private String session() {
        String lockWait = "SET lock_timeout = '" + EngineOptions.lockTimeoutSeconds(endpoint.connector().settings())
                + "s'";
        boolean parallel = endpoint.facts().map(f -> f.versionNum() >= 90600).orElse(false);
        return parallel ? lockWait + "; SET max_parallel_workers_per_gather = 0" : lockWait;
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("Closing a validator's connection failed; it is likely broken", e);
        }
    }

    /** Closes every idle connection; a connection handed back later is closed too. Idempotent. */
    @Override
    public void close() {
        List<Connection> closing = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(closing::addAll);
            idle.clear();
        }
        closing.forEach(ValidationAccess::closeQuietly);
    }
}
