package dev.pgmigrate.core.internal.pg;

import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Selection;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which database the engine's own sessions on a server sit in: {@code postgres}, else {@code template1}, else a
 * fallback, but never one the migration replaces while another one takes the login. PostgreSQL renames no
 * database that has a session, and never the session's own ({@code ERROR: current database cannot be renamed}),
 * so a coordinator sitting in {@code postgres} would fail the rename that sets the target's {@code postgres}
 * aside, at the very end of a migration that copies it.
 */
public final class MaintenanceDatabase {
    private static final Logger log = LoggerFactory.getLogger(MaintenanceDatabase.class);
    /** The databases the engine's sessions on a server prefer, in order. */
    public static final List<String> PREFERRED = List.of("postgres", "template1");

    private MaintenanceDatabase() {
    }

    /** A session opened in {@code database}, the maintenance database chosen. */
    public record Opened(String database, Connection connection) {
    }

    /**
     * The target's databases that {@code spec} may rename aside or drop, where no session of its own may sit: those
     * it migrates when overwriteDbsInTarget is on, unless the selection is data only (which fills them in place).
     */
    public static Set<String> replacedOnTarget(MigrationSpec spec) {
        boolean replaces = spec.settings().overwriteDbsInTarget()
                && spec.settings().selection().content() != Selection.Content.DATA_ONLY;
        return replaces ? Set.copyOf(spec.databases()) : Set.of();
    }

    /**
     * Opens a session in the first of {@code postgres}, {@code template1} and {@code fallbacks} that takes the login,
     * trying those in {@code replaced} last; only a database that is missing or takes no connections is worth trying
     * the next one for. When only a replaced one took it, any other database the server lets this login into is
     * taken instead; failing that, the session stays in the replaced one, and the caller refuses to replace it.
     *
     * @throws SQLException the first failure, when no candidate takes the login
     */
    public static Opened open(ServerConnector connector, List<String> fallbacks, Collection<String> replaced)
            throws SQLException {
        List<String> candidates = new ArrayList<>();
        for (String database : concat(PREFERRED, fallbacks)) {
            if (!replaced.contains(database) && !candidates.contains(database)) {
                candidates.add(database);
            }
        }
        List<String> tried = List.copyOf(candidates);
        concat(PREFERRED, fallbacks).stream().filter(replaced::contains).filter(db -> !candidates.contains(db))
                .forEach(candidates::add);
        SQLException first = null;
        for (String database : candidates) {
            Connection c;
            try {
                c = connector.open(database);
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                }
                if (!worthAnother(e)) {
                    throw first;
                }
                continue;
            }
            return replaced.contains(database) ? elsewhere(connector, new Opened(database, c), tried, replaced)
                    : new Opened(database, c);
        }
        throw first;
    }

    /**
     * The maintenance database of {@code connector}'s server for a process that did not run the migration (a cancel
     * or rollback from another one), found as {@link #open} finds it. While the server cannot be reached it is the
     * first candidate, which the caller's own session then waits for.
     */
    public static String find(ServerConnector connector, Collection<String> replaced) {
        try {
            Opened opened = open(connector, List.of(), replaced);
            opened.connection().close();
            return opened.database();
        } catch (SQLException e) {
            log.debug("Finding the {} server's maintenance database failed ({})", connector.spec().address(),
                    e.getSQLState(), e);
            return PREFERRED.stream().filter(db -> !replaced.contains(db)).findFirst().orElse(PREFERRED.get(0));
        }
    }

    /** Moves a session that sits in a replaced database to another one the server lists, where one takes it. */
    private static Opened elsewhere(ServerConnector connector, Opened opened, List<String> tried,
            Collection<String> replaced) throws SQLException {
        List<String> others;
        try {
            others = Sql.rows(opened.connection(), "SELECT datname FROM pg_database WHERE datallowconn AND NOT "
                    + "datistemplate ORDER BY datname").stream().map(row -> row[0]).toList();
        } catch (SQLException e) {
            opened.connection().close();
            throw e;
        }
        for (String database : others) {
            if (replaced.contains(database) || tried.contains(database)) {
                continue;
            }
            try {
                Connection c = connector.open(database);
                opened.connection().close();
                log.info("The {} server's maintenance sessions use database {}: the migration replaces {}",
                        connector.spec().address(), database, opened.database());
                return new Opened(database, c);
            } catch (SQLException e) {
                // A database without CONNECT for this login, say: the next one may do.
                log.debug("Database {} does not take the maintenance session ({})", database, e.getSQLState(), e);
            }
        }
        return opened;
    }

    /** A database that is missing (3D000) or takes no connections (55000, datallowconn off). */
    static boolean worthAnother(SQLException e) {
        return "3D000".equals(e.getSQLState()) || "55000".equals(e.getSQLState());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
