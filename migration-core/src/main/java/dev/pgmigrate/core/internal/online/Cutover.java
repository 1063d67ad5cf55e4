package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceSelection;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.EngineOptions;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.verify.ObjectCounts;
import dev.pgmigrate.core.internal.verify.Verifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.replication.LogSequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cutover of an online migration, in rounds: the source quiet, every stream caught up with the source's
 * position and stopped, the sequences set from the source, each database verified against the source as it now is,
 * then a last look at the source. A write that round did not see (a short transaction between two looks at the
 * sessions: a row change in a slot; a {@code nextval()} that wrote no row: a sequence moved past the value set) has
 * the streams follow again and the round start over. Writes that go on past {@code online.cutoverWaitSeconds} end
 * the cutover, naming the sessions, with the streams following.
 */
final class Cutover {
    private static final Logger log = LoggerFactory.getLogger(Cutover.class);

    private final OnlineReplication online;
    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final CancelSignal cancel;
    private boolean writesNoted;

    Cutover(OnlineReplication online, MigrationSpec spec, RecordKeeper keeper, Endpoint source, Endpoint target,
            CancelSignal cancel) {
        this.online = online;
        this.spec = spec;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.cancel = cancel;
    }

    /** Cuts over; false when the writes went on past the wait, noted with the sessions, the streams following. */
    boolean run(WorkerPool pool) throws Exception {
        int waitSeconds = EngineOptions.cutoverWaitSeconds(spec.settings());
        Instant deadline = Instant.now().plusSeconds(waitSeconds);
        SourceWriters writers = SourceWriters.from(source, online.workingNames().keySet());
        while (true) {
            if (!writers.awaitQuiet(deadline, waitSeconds, keeper, cancel)) {
                return stopped(writers, waitSeconds);
            }
            stopStreams();
            Map<String, SourceCatalog> catalogs = new LinkedHashMap<>();
            Map<String, VerificationReport> reports = new LinkedHashMap<>();
            MigrationException mismatch = null;
            for (Map.Entry<String, String> db : online.workingNames().entrySet()) {
                cancel.check();
                keeper.activity(db.getKey(), Optional.of("cutting over: sequences and verification"));
                VerificationReport report = sequencesAndVerification(db.getKey(), db.getValue(), pool, catalogs);
                if (report != null) {
                    reports.put(db.getKey(), report);
                    // A sequence that differs moved on the source since it was set: the last look tells.
                    if (!report.tableMismatches().isEmpty() || report.objectMismatches().stream()
                            .anyMatch(o -> !ObjectCounts.isSequence(o))) {
                        mismatch = new MigrationException(MessageCode.VERIFICATION_MISMATCH, Verifier.describeMismatch(
                                db.getKey(), report) + " (at the cutover: was the source still written?)");
                        break;
                    }
                }
            }
            List<String> written = writtenSinceStop();
            Map<String, List<ObjectCount>> sequences = new LinkedHashMap<>();
            if (written.isEmpty()) {
                written = sequencesMoved(catalogs, sequences);
            }
            if (written.isEmpty()) {
                if (mismatch != null) {
                    throw mismatch;
                }
                verified(reports, sequences);
                return true;
            }
            log.info("The source was written during the cutover ({}); following again", written);
            if (!writesNoted) {
                writesNoted = true;
                keeper.note(MessageCode.CUTOVER_WRITES_CONTINUED, "The source was written during the cutover, after "
                        + "the point the target had reached: " + String.join(", ", written) + ". Following its "
                        + "changes again; the cutover starts over once no session writes. Stop the applications "
                        + "writing to it.");
            }
            online.followAgain();
            if (Instant.now().isAfter(deadline)) {
                return stopped(writers, waitSeconds);
            }
        }
    }

    /** Has each stream stop once the target has everything up to the source's position now, and waits for it. */
    private void stopStreams() throws Exception {
        for (Map.Entry<String, DatabaseStream> e : online.streams().entrySet()) {
            try (Connection c = source.connector().open(e.getKey())) {
                e.getValue().stopAt(endPosition(c));
            }
        }
        for (DatabaseStream stream : online.streams().values()) {
            while (!stream.ended().isDone()) {
                cancel.check();
                Thread.sleep(20);
            }
        }
        online.failure();
    }

    private boolean stopped(SourceWriters writers, int waitSeconds) throws SQLException {
        String named = writers.named();
        log.warn("Migration {}: the cutover stopped after {} s, the source still written: {}", spec.name(),
                waitSeconds, named);
        keeper.note(MessageCode.CUTOVER_STOPPED, "The cutover stopped: the source was still written after "
                + "online.cutoverWaitSeconds (" + waitSeconds + " s); " + named + ". Nothing was rolled back: the "
                + "migration follows the source's changes again and waits for the cutover trigger "
                + "(WaitingForUserAction / WaitingForCutoverTrigger). Stop those sessions, then trigger the cutover "
                + "again: pgmigrate migration update --cutover --name " + spec.name() + ".");
        return false;
    }

    /**
     * Sets the sequences of {@code working} from {@code database} and verifies it, when asked to (null if not);
     * keeps the catalog read for it in {@code catalogs}.
     */
    private VerificationReport sequencesAndVerification(String database, String working, WorkerPool pool,
            Map<String, SourceCatalog> catalogs) throws Exception {
        try (Connection src = source.connector().open(database);
                Connection dst = target.connector().open(working)) {
            Sql.execute(src, "SET search_path = pg_catalog");
            SourceCatalog catalog = SourceCatalog.read(src);
            catalog.retain(SourceSelection.resolve(src, spec.settings().selection()));
            catalogs.put(database, catalog);
            setSequences(src, dst, catalog);
            return spec.settings().verify() ? Verifier.verify(source.connector(), database, null,
                    target.connector(), working, catalog, pool, cancel) : null;
        }
    }

    /**
     * The databases whose slot holds a row change after the point its stream stopped at, each with how many: writes
     * committed after the streams stopped, which the target lacks. Read with the slot's own decoding, so a write
     * that no look at the sessions caught is found all the same.
     */
    private List<String> writtenSinceStop() throws Exception {
        List<String> written = new ArrayList<>();
        for (String database : online.streams().keySet()) {
            String slot = SourceSlot.name(spec.name(), database);
            try (Connection c = source.connector().open(database)) {
                String changes = SourceSlot.changesPending(c, slot);
                if (!changes.equals("0")) {
                    written.add(database + " (" + changes + " row change(s))");
                }
            }
        }
        return written;
    }

    /**
     * The databases with a sequence whose value on the source is no longer the one set on the target: moved since
     * by a {@code nextval()} or {@code setval()}, which writes no row and so leaves nothing in the slot. Each
     * database's sequences as compared now go into {@code compared}.
     */
    private List<String> sequencesMoved(Map<String, SourceCatalog> catalogs, Map<String, List<ObjectCount>> compared)
            throws SQLException {
        List<String> moved = new ArrayList<>();
        for (Map.Entry<String, SourceCatalog> db : catalogs.entrySet()) {
            try (Connection src = source.connector().open(db.getKey());
                    Connection dst = target.connector().open(online.workingNames().get(db.getKey()))) {
                List<ObjectCount> values = ObjectCounts.sequences(src, dst, db.getKey(), db.getValue());
                compared.put(db.getKey(), values);
                List<String> differing = new ArrayList<>();
                for (int i = 0; i < values.size(); i++) { // in the catalog's order
                    ObjectCount v = values.get(i);
                    SourceCatalog.Sequence seq = db.getValue().sequences.get(i);
                    if (!v.matches()) {
                        differing.add(seq.schema() + "." + seq.name() + ": " + v.target() + " set, " + v.source()
                                + " on the source now");
                    }
                }
                if (!differing.isEmpty()) {
                    moved.add(db.getKey() + " (sequence(s) moved: " + String.join(", ", differing) + ")");
                }
            }
        }
        return moved;
    }

    /** Records the verification of every database, each with its sequences as the last look compared them. */
    private void verified(Map<String, VerificationReport> reports, Map<String, List<ObjectCount>> sequences) {
        VerificationReport all = null;
        for (Map.Entry<String, VerificationReport> db : reports.entrySet()) {
            VerificationReport report = db.getValue();
            List<ObjectCount> objects = new ArrayList<>(report.objects().stream()
                    .filter(o -> !ObjectCounts.isSequence(o)).toList());
            objects.addAll(sequences.getOrDefault(db.getKey(), List.of()));
            all = all == null ? new VerificationReport(report.startedAt(), report.elapsed(), report.tables(), objects)
                    : new VerificationReport(all.startedAt(), all.elapsed().plus(report.elapsed()),
                            concat(all.tables(), report.tables()), concat(all.objects(), objects));
        }
        if (all != null) {
            keeper.setVerification(all);
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The source's position the target must reach: the end of a message written to the WAL now, which the
     * stream's server reads and so reports; the WAL position itself where the login may not write one.
     */
    private static long endPosition(Connection c) throws SQLException {
        try {
            return LogSequenceNumber.valueOf(Sql.one(c, "SELECT pg_logical_emit_message(false, 'pgmigrate', "
                    + "'cutover')::text")).asLong();
        } catch (SQLException e) {
            return LogSequenceNumber.valueOf(Sql.one(c, "SELECT pg_current_wal_lsn()::text")).asLong();
        }
    }

    /** Sets each sequence of the copy to the source's value now: a query on each side per 500 sequences. */
    private static void setSequences(Connection src, Connection dst, SourceCatalog catalog) throws SQLException {
        List<SourceCatalog.Sequence> sequences = catalog.sequences;
        for (int from = 0; from < sequences.size(); from += 500) {
            List<SourceCatalog.Sequence> batch = sequences.subList(from, Math.min(sequences.size(), from + 500));
            StringBuilder read = new StringBuilder();
            for (int i = 0; i < batch.size(); i++) {
                read.append(i == 0 ? "" : " UNION ALL ").append("SELECT ").append(i).append(", last_value::text, "
                        + "is_called FROM ").append(Sql.qualified(batch.get(i).schema(), batch.get(i).name()));
            }
            List<String> sets = new ArrayList<>();
            for (String[] row : Sql.rows(src, read.toString())) {
                SourceCatalog.Sequence seq = batch.get(Integer.parseInt(row[0]));
                sets.add("pg_catalog.setval(" + Sql.literal(Sql.qualified(seq.schema(), seq.name())) + ", "
                        + Long.parseLong(row[1]) + ", " + "t".equals(row[2]) + ")");
            }
            Sql.execute(dst, "SELECT " + String.join(", ", sets));
        }
    }
}
