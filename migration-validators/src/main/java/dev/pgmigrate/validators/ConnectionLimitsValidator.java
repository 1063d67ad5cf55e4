package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * I25: each server accepts the connections the migration opens at once. The engine holds those of one database at
 * a time, or of two where both servers have that many free again when it starts (the next database's copies then
 * overlap the last one's builds): on the source, per worker a copy session and a comparison session, the snapshot's session, pg_dump's
 * two and the coordinator's; on the target, per worker a copy and a comparison session, the restore's and the
 * coordinator's. Compared with {@code max_connections} less the slots reserved for superusers (when the login is
 * none), the sessions already open, and the login's own connection limit. Sessions the migration itself already
 * has open (the checks' own, the coordinator's, and the snapshot's and pg_dump's begun beside the checks) are among
 * those it needs, so they are not counted as taken as well: they are told apart by their {@code application_name},
 * login and client address ({@link #OWN}), so another pgmigrate run from the same machine as the same login
 * counts as this one.
 */
public final class ConnectionLimitsValidator extends InstanceValidator {
    /** A session of pgmigrate's own: the engine's, pg_dump's and the progress watch's, on this login from here. */
    static final String OWN = "usename = current_user AND application_name IN ('pgmigrate', 'pgmigrate-pg_dump', "
            + "'pgmigrate-watch') AND client_addr IS NOT DISTINCT FROM inet_client_addr()";

    public ConnectionLimitsValidator() {
        super("connection-limits", "Each server accepts the connections the migration opens at once.", Needs.BOTH);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        int parallelism = context.spec().settings().parallelism();
        // Each worker's pair, the snapshot, catalog, pg_dump and verification sessions, and the watch's question.
        int sourceNeeds = 2 * parallelism + 5;
        int targetNeeds = 2 * parallelism + 3;
        List<String> lacking = new ArrayList<>();
        List<String> found = new ArrayList<>();
        check(context, "source", context.source().facts().orElseThrow(), sourceNeeds, lacking, found, true);
        check(context, "target", context.target().facts().orElseThrow(), targetNeeds, lacking, found, false);
        String summary = String.join("; ", found) + ".";
        if (lacking.isEmpty()) {
            return List.of(context.succeeded(summary));
        }
        return List.of(context.failed(summary, "A server that refuses a connection ends the migration with 'too "
                + "many clients already' after it has begun.", "Lower settings.parallelism, end idle sessions, or "
                + "raise max_connections (a restart) or the login's CONNECTION LIMIT on the server named.", lacking));
    }

    private static void check(ValidationContext context, String side, ServerFacts facts, int needs,
            List<String> lacking, List<String> found, boolean source) throws SQLException {
        long[] limits;
        try (Connection c = InstanceValidator.maintenance(source ? context.source() : context.target())) {
            String clients = facts.versionNum() >= 100000 ? "backend_type = 'client backend'" : "true";
            limits = Sql.list(c, "SELECT current_setting('max_connections')::int - CASE WHEN (SELECT rolsuper FROM "
                    + "pg_roles WHERE rolname = current_user) THEN 0 ELSE current_setting('superuser_reserved_"
                    + "connections')::int END, (SELECT count(*) FROM pg_stat_activity WHERE " + clients + " AND NOT "
                    + "coalesce(" + OWN + ", false)), (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user), "
                    + "(SELECT count(*) FROM pg_stat_activity WHERE usename = current_user AND NOT coalesce(" + OWN
                    + ", false)), (SELECT count(*) FROM pg_stat_activity WHERE " + OWN + ")",
                    rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)})
                    .get(0);
        }
        long free = limits[0] - limits[1];
        String what = "the " + side + " has " + free + " free connection(s) of " + limits[0]
                + (limits[4] > 0 ? " besides the " + limits[4] + " pgmigrate already has open there" : "")
                + " and the migration opens up to " + needs + " (parallelism "
                + context.spec().settings().parallelism() + ")";
        if (limits[2] >= 0) {
            long loginFree = limits[2] - limits[3];
            what += "; its login " + facts.currentUser() + " may open " + loginFree + " more of its limit of "
                    + limits[2];
            free = Math.min(free, loginFree);
        }
        found.add(what);
        if (free < needs) {
            lacking.add(side + ": " + needs + " needed, " + free + " free");
        }
    }
}
