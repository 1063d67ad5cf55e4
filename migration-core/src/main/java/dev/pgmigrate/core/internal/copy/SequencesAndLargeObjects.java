package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last of a database's data: each sequence set as the snapshot has it, in batches of one query on each side,
 * then the large objects, in batches spread over the workers, each batch in one transaction on each side.
 */
public final class SequencesAndLargeObjects {
    private static final Logger log = LoggerFactory.getLogger(SequencesAndLargeObjects.class);

    /** A worker's pair of sessions on a database: the source in the snapshot's reach, and the target. */
    interface Sessions {
        Connection[] of(DatabaseRun db) throws SQLException;
    }

    private final WorkerPool pool;
    private final CancelSignal cancel;
    private final RecordKeeper keeper;
    private final int parallelism;
    private final Sessions sessions;

    SequencesAndLargeObjects(WorkerPool pool, CancelSignal cancel, RecordKeeper keeper, int parallelism,
            Sessions sessions) {
        this.pool = pool;
        this.cancel = cancel;
        this.keeper = keeper;
        this.parallelism = parallelism;
        this.sessions = sessions;
    }


    void setSequences(DatabaseRun db) throws SQLException {
        List<SourceCatalog.Sequence> sequences = db.catalog.sequences;
        if (sequences.isEmpty()) {
            return;
        }
        Connection dst = sessions.of(db)[1];
        for (int from = 0; from < sequences.size(); from += 500) {
            List<SourceCatalog.Sequence> batch = sequences.subList(from, Math.min(sequences.size(), from + 500));
            StringBuilder query = new StringBuilder();
            for (int i = 0; i < batch.size(); i++) {
                query.append(i == 0 ? "" : " UNION ALL ").append("SELECT ").append(i).append(", last_value::text, ")
                        .append("is_called FROM ").append(Sql.qualified(batch.get(i).schema(), batch.get(i).name()));
            }
            for (String[] row : Sql.rows(db.snapshotConnection, query.toString())) {
                SourceCatalog.Sequence seq = batch.get(Integer.parseInt(row[0]));
                Sql.execute(dst, "SELECT pg_catalog.setval(" + Sql.literal(Sql.qualified(seq.schema(), seq.name()))
                        + ", " + Long.parseLong(row[1]) + ", " + ("t".equals(row[2])) + ")");
            }
        }
        log.debug("Set {} sequences in {}", sequences.size(), db.name);
    }

    void copyLargeObjects(DatabaseRun db) throws Exception {
        List<Long> oids = db.catalog.largeObjects;
        if (oids.isEmpty()) {
            return;
        }
        TaskTracker tracker = new TaskTracker(pool, cancel, db.abort);
        int batch = Math.max(1, Math.min(500, oids.size() / Math.max(1, parallelism * 4)));
        for (int from = 0; from < oids.size(); from += batch) {
            List<Long> slice = oids.subList(from, Math.min(oids.size(), from + batch));
            tracker.submit(() -> {
                copyLargeObjects(db, slice);
                return null;
            }, WorkerPool.PRIORITY_DEFAULT);
        }
        tracker.await();
        keeper.note(MessageCode.LARGE_OBJECTS_COPIED,
                "Copied " + oids.size() + " large object(s) in database " + db.name + ".");
    }

    private void copyLargeObjects(DatabaseRun db, List<Long> oids) throws SQLException {
        Connection[] pair = sessions.of(db);
        Connection src = pair[0];
        Connection dst = pair[1];
        TableCopy.endSourceTransaction(db, src);
        Sql.execute(src, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT "
                + Sql.literal(db.snapshot));
        dst.setAutoCommit(false);
        try {
            LargeObjectManager in = src.unwrap(PGConnection.class).getLargeObjectAPI();
            LargeObjectManager out = dst.unwrap(PGConnection.class).getLargeObjectAPI();
            byte[] buffer = new byte[256 * 1024];
            for (long oid : oids) {
                cancel.check();
                if (Sql.one(dst, "SELECT 1 FROM pg_largeobject_metadata WHERE oid = " + oid) == null) {
                    Sql.execute(dst, "SELECT pg_catalog.lo_create(" + oid + ")");
                }
                try (LargeObject from = in.open(oid, LargeObjectManager.READ);
                        LargeObject to = out.open(oid, LargeObjectManager.WRITE)) {
                    to.truncate(0);
                    int n;
                    while ((n = from.read(buffer, 0, buffer.length)) > 0) {
                        to.write(buffer, 0, n);
                    }
                }
            }
            dst.commit();
            src.commit();
        } catch (SQLException | RuntimeException e) {
            WorkerSessions.rollbackQuietly(src);
            WorkerSessions.rollbackQuietly(dst);
            throw e;
        } finally {
            WorkerSessions.restoreAutoCommit(dst);
        }
    }
}
