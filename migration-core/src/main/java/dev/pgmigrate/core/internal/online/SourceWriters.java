package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The client sessions that write to the migrated databases on the source, as one cutover sees them: it waits until
 * none is in a write transaction, remembers each one it saw in one, and names them when the cutover gives up.
 */
final class SourceWriters {
    /** A session's columns: pid, user, application, client, database, the start of its query. */
    private static final String COLUMNS = "SELECT pid::text, coalesce(usename, ''), coalesce(application_name, ''), "
            + "coalesce(host(client_addr), 'local socket'), datname, left(regexp_replace(coalesce(query, ''), "
            + "'\\s+', ' ', 'g'), 60), backend_xid IS NOT NULL FROM pg_catalog.pg_stat_activity WHERE "
            + "pid <> pg_catalog.pg_backend_pid() AND backend_type = 'client backend' AND datname = ANY (?::text[]) ";
    /** Sessions in a transaction that has written (it has a transaction ID). */
    private static final String WRITING = COLUMNS + "AND backend_xid IS NOT NULL";
    /**
     * Those, and sessions (not pgmigrate's) whose state changed since a time: a write too short to be caught in a
     * transaction still leaves its session there.
     */
    private static final String ACTIVE_SINCE = COLUMNS + "AND (backend_xid IS NOT NULL OR (state_change >= "
            + "?::timestamptz AND coalesce(application_name, '') NOT LIKE 'pgmigrate%'))";

    private final Endpoint source;
    private final String databases;
    private final String since;
    private final Set<String> seen = new HashSet<>(); // the PIDs seen in a write transaction
    private boolean noted;

    private SourceWriters(Endpoint source, String databases, String since) {
        this.source = source;
        this.databases = databases;
        this.since = since;
    }

    /** Starts watching the writers of {@code databases} on {@code source}, from the source's clock now. */
    static SourceWriters from(Endpoint source, Collection<String> databases) throws SQLException {
        String array = "{" + String.join(",", databases.stream().map(d -> "\"" + d.replace("\\", "\\\\")
                .replace("\"", "\\\"") + "\"").toList()) + "}";
        return new SourceWriters(source, array, Sql.one(source.maintenance(),
                "SELECT pg_catalog.statement_timestamp()::text"));
    }

    /**
     * Waits until no session writes to the databases at two looks in a row, naming those that do once; returns
     * false, still waiting, when {@code deadline} passed.
     */
    boolean awaitQuiet(Instant deadline, int waitSeconds, RecordKeeper keeper, CancelSignal cancel)
            throws Exception {
        for (int quiet = 0; quiet < 2; ) {
            cancel.check();
            List<String[]> rows = Sql.rows(source.maintenance(), WRITING, databases);
            if (rows.isEmpty()) {
                quiet++;
            } else {
                quiet = 0;
                rows.forEach(r -> seen.add(r[0]));
                if (!noted) {
                    noted = true;
                    keeper.note(MessageCode.SOURCE_LOCK_WAIT, "The cutover waits for the writes to the source "
                            + "to stop: " + String.join("; ", rows.stream().map(SourceWriters::describe)
                            .toList()) + ". Stop the applications writing to it; if the writes go on for "
                            + "online.cutoverWaitSeconds (" + waitSeconds + " s), the cutover stops and the "
                            + "migration follows the source again.");
                }
                if (Instant.now().isAfter(deadline)) {
                    return false;
                }
            }
            Thread.sleep(100);
        }
        return true;
    }

    /**
     * The sessions that write now or were seen writing during the cutover; when none is, those that ran statements in
     * the databases since it began, for people.
     */
    String named() throws SQLException {
        List<String[]> rows = Sql.rows(source.maintenance(), ACTIVE_SINCE, databases, since);
        List<String> writing = new ArrayList<>();
        List<String> active = new ArrayList<>();
        for (String[] r : rows) {
            (r[6].equals("t") || seen.contains(r[0]) ? writing : active).add(describe(r));
        }
        if (!writing.isEmpty()) {
            return "the sessions writing to it: " + list(writing);
        }
        if (!active.isEmpty()) {
            return "no session was caught in a write transaction (each write was too short); the sessions that ran "
                    + "statements in the migrated databases during the cutover: " + list(active);
        }
        return "no session can be named (those that wrote are gone)";
    }

    private static String list(List<String> sessions) {
        return String.join("; ", sessions.subList(0, Math.min(20, sessions.size())))
                + (sessions.size() > 20 ? " and " + (sessions.size() - 20) + " more" : "");
    }

    private static String describe(String[] r) {
        return "session " + r[0] + " (user " + r[1] + ", application '" + r[2] + "', client " + r[3] + ", database "
                + r[4] + ": " + r[5] + ")";
    }
}
