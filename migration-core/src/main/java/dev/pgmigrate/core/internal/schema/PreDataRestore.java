package dev.pgmigrate.core.internal.schema;

import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.Failures;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pre-data script restored on a session of its own, in batches of statements, under the restore's policy. */
final class PreDataRestore {
    private static final Logger log = LoggerFactory.getLogger(PreDataRestore.class);

    private final SchemaRestore restore;
    private final Endpoint target;
    private final CancelSignal cancel;

    PreDataRestore(SchemaRestore restore, Endpoint target, CancelSignal cancel) {
        this.restore = restore;
        this.target = target;
        this.cancel = cancel;
    }

    /**
     * Restores the pre-data script on a session of its own, under the error policy. Entries go in batches of
     * statements sent in one round trip, which the server runs as one transaction: with 10,000 tables the script
     * holds 20,000 statements, and a round trip and a commit each cost more than most of them. A batch that fails is
     * rolled back whole by the server and run again statement by statement, so the error policy sees each failure as
     * it would without batches. {@code committed} learns the entries of each batch but the last once they are in.
     * {@code session} is a new connection to the working database, closed when the restore ends.
     */
    void restore(DatabaseRun db, Connection session, DumpScript pre, Consumer<List<Entry>> committed)
            throws SQLException {
        Connection c = cancel.register(session);
        db.abort.register(c); // copies already running stop the restore when one fails
        try (c) {
            for (String statement : WorkerSessions.sessionHeader(pre.header())) {
                Sql.execute(c, statement);
            }
            StatementBatch batch = new StatementBatch();
            for (Entry entry : pre.entries()) {
                stopIfStopped(db);
                batch.add(entry, restore.runnable(db, entry));
                if (batch.full()) {
                    run(c, db, batch, committed);
                }
            }
            run(c, db, batch, entries -> { }); // what the last batch creates starts with the rest, largest first
        } finally {
            db.abort.unregister(c);
            stopIfStopped(db);
        }
    }

    private void stopIfStopped(DatabaseRun db) {
        cancel.check();
        db.abort.check();
    }

    private void run(Connection c, DatabaseRun db, StatementBatch batch, Consumer<List<Entry>> committed)
            throws SQLException {
        List<Entry> entries = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            entries.add(batch.entry(i));
        }
        if (batch.count() > 1) {
            try {
                db.roles.privilegeWarnings(entries, Sql.executeForWarnings(c, batch.script()));
                batch.clear();
                committed.accept(entries);
                return;
            } catch (SQLException e) {
                if (cancel.isCanceled() || db.abort.isCanceled()) {
                    throw new MigrationCanceledException("Stopped restoring the schema", e);
                }
                if (Sql.sessionLost(e)) {
                    // Run again statement by statement, each would fail on the closed session and take the blame.
                    throw sessionEnded(target, "Cannot restore the schema of database " + db.name, e);
                }
                log.debug("Database {}: a batch of {} pre-data statements failed ({}); running them one by one",
                        db.name, batch.count(), Sql.firstLine(e.getMessage()));
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            restore.executeStatements(c, db, batch.entry(i), batch.statements(i));
        }
        batch.clear();
        committed.accept(entries);
    }

    /**
     * The error of a restore whose session the target ended (a restart or shutdown, 57P01-57P03) or whose connection
     * broke, {@code attempt} saying what was being done: the server's doing, said as such.
     */
    static MigrationException sessionEnded(Endpoint target, String attempt, SQLException e) {
        return new MigrationException(Failures.ofSqlState(e.getSQLState()), attempt + ": the target server "
                + target.connector().spec().address() + " ended the session (" + Sql.firstLine(e.getMessage())
                + ", SQLState " + e.getSQLState() + "), as a restart or shutdown does, or the connection broke. Start "
                + "the migration again once the target is up.", e);
    }
}
