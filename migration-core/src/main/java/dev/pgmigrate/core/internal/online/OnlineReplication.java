package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceSelection;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.EngineOptions;
import dev.pgmigrate.core.internal.run.JournalKind;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.Rollback;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.verify.Verifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.postgresql.replication.LogSequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An online migration's streams, one per database from the end of its copy, and its cutover: the source quiet,
 * every stream caught up with the source's last position and stopped, the sequences set from the source, the
 * target verified against the source as it now is, and what the migration made on the source dropped.
 */
public final class OnlineReplication implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnlineReplication.class);

    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final CancelSignal cancel;
    private final Map<String, DatabaseStream> streams = new LinkedHashMap<>();
    private final Map<String, String> workingNames = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean writesNoted;

    public OnlineReplication(MigrationSpec spec, RecordKeeper keeper, Endpoint source, Endpoint target,
            CancelSignal cancel) {
        this.spec = spec;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.cancel = cancel;
    }

    /** Makes the publication and slot of {@code database}, before its copy: see {@link OnlineStart#begin}. */
    public SourceSlot begin(String database) throws SQLException {
        int version = source.requireFacts().versionNum();
        if (version < 100_000) {
            throw new MigrationException(MessageCode.REPLICATION_FAILED, "An online migration needs a source of "
                    + "PostgreSQL 10 or later (its pgoutput decoding); this source is " + source.requireFacts()
                    .version() + ". Migrate it offline (migrationMode Offline).");
        }
        return OnlineStart.begin(spec.name(), database, source.connector(), target.maintenance(), spec.settings(),
                keeper);
    }

    /** Starts following the source's changes into {@code working}, the copy of {@code database}. */
    public void follow(String database, String working) {
        String slot = SourceSlot.name(spec.name(), database);
        if (keeper.journal().stream().noneMatch(e -> e.kind().equals(JournalKind.TARGET_ORIGIN.label())
                && e.name().equals(slot))) {
            keeper.journal(JournalKind.TARGET_ORIGIN, slot, working);
        }
        DatabaseStream stream = new DatabaseStream(database, working, slot, source.connector(), target.connector(),
                keeper, EngineOptions.applyGroupStatements(spec.settings()), spec.settings().selection());
        streams.put(database, stream);
        workingNames.put(database, working);
        Thread thread = new Thread(stream, "pgmigrate-" + spec.name() + "-stream-" + database);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        keeper.activity(database, java.util.Optional.empty()); // its replication figures say what it does
        log.info("Database {}: following the source's changes from slot {}", database, slot);
    }

    /** Waits, while the streams run, until {@code trigger} completes; a stream's failure or a cancel ends it. */
    public void awaitCutover(CompletableFuture<Void> trigger) throws Exception {
        while (!trigger.isDone()) {
            cancel.check();
            failure();
            Thread.sleep(100);
        }
    }

    /** Rethrows the failure of a stream that ended in one. */
    private void failure() throws Exception {
        for (DatabaseStream stream : streams.values()) {
            if (stream.ended().isCompletedExceptionally()) {
                try {
                    stream.ended().join();
                } catch (java.util.concurrent.CompletionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
    }

    /**
     * The cutover's part on the data: waits until no session writes to the migrated databases on the source,
     * stops each stream once the target has everything up to the source's position then, sets the sequences, and
     * verifies each database against the source as it now is. A write the wait did not see (a short transaction
     * between two looks) is found in the slots afterwards: the streams follow again and the cutover starts over.
     */
    public void cutover(WorkerPool pool) throws Exception {
        while (true) {
            waitForQuietSource();
            for (Map.Entry<String, DatabaseStream> e : streams.entrySet()) {
                try (Connection c = source.connector().open(e.getKey())) {
                    e.getValue().stopAt(endPosition(c));
                }
            }
            for (DatabaseStream stream : streams.values()) {
                while (!stream.ended().isDone()) {
                    cancel.check();
                    Thread.sleep(20);
                }
            }
            failure();
            VerificationReport all = null;
            MigrationException mismatch = null;
            for (Map.Entry<String, String> db : workingNames.entrySet()) {
                cancel.check();
                keeper.activity(db.getKey(), java.util.Optional.of("cutting over: sequences and verification"));
                VerificationReport report = sequencesAndVerification(db.getKey(), db.getValue(), pool);
                if (report != null && !report.matches()) {
                    mismatch = new MigrationException(MessageCode.VERIFICATION_MISMATCH, Verifier.describeMismatch(
                            db.getKey(), report) + " (at the cutover: was the source still written?)");
                    break;
                }
                all = report == null ? all : all == null ? report : new VerificationReport(all.startedAt(),
                        all.elapsed().plus(report.elapsed()), concat(all.tables(), report.tables()),
                        concat(all.objects(), report.objects()));
            }
            List<String> written = writtenSinceStop();
            if (written.isEmpty()) {
                if (mismatch != null) {
                    throw mismatch;
                }
                if (all != null) {
                    keeper.setVerification(all);
                }
                return;
            }
            log.info("The source was written during the cutover ({}); following again", written);
            if (!writesNoted) {
                writesNoted = true;
                keeper.note(MessageCode.CUTOVER_WRITES_CONTINUED, "The source was written during the cutover, after "
                        + "the point the target had reached: " + String.join(", ", written) + ". Following its "
                        + "changes again; the cutover starts over once no session writes. Stop the applications "
                        + "writing to it.");
            }
            new LinkedHashMap<>(workingNames).forEach(this::follow);
        }
    }

    /** Sets the sequences of {@code working} from {@code database} and verifies it, when asked to; null if not. */
    private VerificationReport sequencesAndVerification(String database, String working, WorkerPool pool)
            throws Exception {
        try (Connection src = source.connector().open(database);
                Connection dst = target.connector().open(working)) {
            Sql.execute(src, "SET search_path = pg_catalog");
            SourceCatalog catalog = SourceCatalog.read(src);
            catalog.retain(SourceSelection.resolve(src, spec.settings().selection()));
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
        for (String database : streams.keySet()) {
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

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * Drops what the migration made on the source (slots, publications, replica identities set back) and the
     * target's replication origins, once the cutover verified the target; a problem is noted, not failed on: the
     * target is complete.
     */
    public void cleanUp() {
        List<String> problems = Rollback.undoOnSource(source.connector(), target.connector(),
                target.facts().map(f -> f.maintenanceDatabase()).orElse("postgres"), keeper.journal());
        if (problems.isEmpty()) {
            keeper.note(MessageCode.SOURCE_CLEANED_UP, "Dropped the replication slot and publication of "
                    + streams.size() + " database(s) on the source" + (keeper.journal().stream().anyMatch(e -> e.kind()
                    .equals(JournalKind.SOURCE_REPLICA_IDENTITY.label())) ? ", set the replica identities back" : "")
                    + " and dropped the target's replication origins.");
        } else {
            problems.forEach(p -> keeper.note(MessageCode.ROLLBACK_INCOMPLETE, "Left after the cutover: " + p));
        }
    }

    /** Waits until no client session writes to a migrated database on the source, naming those that do. */
    private void waitForQuietSource() throws Exception {
        String writers = "SELECT pid, coalesce(usename, ''), coalesce(application_name, ''), datname, "
                + "left(regexp_replace(coalesce(query, ''), '\\s+', ' ', 'g'), 60) FROM pg_stat_activity WHERE "
                + "backend_xid IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND "
                + "datname = ANY (?::text[])";
        String databases = "{" + String.join(",", streams.keySet().stream().map(d -> "\"" + d.replace("\\", "\\\\")
                .replace("\"", "\\\"") + "\"").toList()) + "}";
        boolean noted = false;
        try (Connection c = source.maintenance()) {
            for (int quiet = 0; quiet < 2; ) {
                cancel.check();
                List<String[]> rows = Sql.rows(c, writers, databases);
                if (rows.isEmpty()) {
                    quiet++;
                } else {
                    quiet = 0;
                    if (!noted) {
                        noted = true;
                        keeper.note(MessageCode.SOURCE_LOCK_WAIT, "The cutover waits for the writes to the source "
                                + "to stop: " + String.join("; ", rows.stream().map(r -> "session " + r[0] + " (user "
                                + r[1] + ", application '" + r[2] + "', database " + r[3] + ": " + r[4] + ")")
                                .toList()) + ". Stop the applications writing to it.");
                    }
                }
                Thread.sleep(100);
            }
        }
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

    /** Stops every stream (an open group is rolled back: the source sends it again to a resumed run). */
    @Override
    public void close() {
        streams.values().forEach(DatabaseStream::abort);
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
