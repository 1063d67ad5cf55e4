package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.ServerRole;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.core.internal.database.DatabaseMigrations;
import dev.pgmigrate.core.internal.database.TargetNames;
import dev.pgmigrate.core.internal.online.OnlineReplication;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.MaintenanceDatabase;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.server.RoleMigration;
import dev.pgmigrate.core.internal.server.ServerParameters;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One migration's phase machine, run on its own coordinator thread: prerequisite steps, validation, data,
 * completion; on cancel or failure, the journal is undone.
 */
public final class MigrationRun implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(MigrationRun.class);

    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Plugins plugins;
    private final CancelSignal cancel;
    private final CompletableFuture<MigrationRecord> completion = new CompletableFuture<>();
    /** Completed when an online migration's cutover is triggered; a new one once a cutover stopped. */
    private volatile CompletableFuture<Void> cutover = new CompletableFuture<>();
    private final Servers servers;
    private final Endpoint source;
    private final Endpoint target;
    private final boolean resume;

    /** A run on {@code servers}, whose logins {@link Servers#connect} started for the same spec. */
    public MigrationRun(MigrationSpec spec, RecordKeeper keeper, Plugins plugins, boolean resume, Servers servers) {
        this.spec = spec;
        this.keeper = keeper;
        this.plugins = plugins;
        this.resume = resume;
        this.servers = servers;
        this.cancel = servers.cancel;
        this.source = servers.source;
        this.target = servers.target;
    }

    /**
     * A run's two servers and its cancel signal, made before its record is stored so that the logins start at
     * once: the first login of a JVM costs 0.15-0.3 s of class loading and SCRAM key derivation, which then
     * overlaps the record's first write instead of following it. Reading the facts changes nothing.
     */
    public static final class Servers {
        private final CancelSignal cancel = new CancelSignal();
        private final Endpoint source;
        private final Endpoint target;
        private final CompletableFuture<Void> factsRead;

        private Servers(MigrationSpec spec) {
            source = new Endpoint(ServerRole.SOURCE, new ServerConnector(spec.source(), spec.settings()), cancel);
            target = new Endpoint(ServerRole.TARGET, new ServerConnector(spec.target(), spec.settings()), cancel);
            // The source is only read, so its sessions may sit in a database it migrates; the target's may not sit
            // in one the migration renames aside.
            factsRead = CompletableFuture.allOf(
                    inBackground("pgmigrate-" + spec.name() + "-source",
                            () -> source.readFacts(spec.databases(), Set.of())),
                    inBackground("pgmigrate-" + spec.name() + "-target",
                            () -> target.readFacts(List.of(), MaintenanceDatabase.replacedOnTarget(spec))));
        }

        /** Starts reading both servers' facts, each on its own thread; a failed login is kept for the run. */
        public static Servers connect(MigrationSpec spec) {
            return new Servers(spec);
        }

        /** For a run that will not start (its record could not be stored): closes the logins once they end. */
        public void abandon() {
            factsRead.whenComplete((ignored, e) -> {
                source.close();
                target.close();
            });
        }

        private void awaitFacts() throws InterruptedException {
            try {
                factsRead.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("Reading the servers' facts failed", e.getCause());
            }
        }

        private static CompletableFuture<Void> inBackground(String name, Runnable task) {
            return CompletableFuture.runAsync(task, runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                thread.start();
            });
        }
    }

    public RecordKeeper keeper() {
        return keeper;
    }

    public CompletableFuture<MigrationRecord> completion() {
        return completion;
    }

    /**
     * Asks the run to stop and roll back; returns at once. The coordinator is not interrupted: it polls the
     * signal, and the statements it waits on are canceled on the servers, so its rollback can still connect.
     */
    public void cancel(String why) {
        cancel.cancel(why);
    }

    public boolean isCanceled() {
        return cancel.isCanceled();
    }

    /** Triggers an online migration's cutover, asked for at {@code at}; returns at once. */
    public void cutover(java.time.Instant at) {
        keeper.cutoverRequested(at);
        cutover.complete(null);
    }

    public boolean isCutoverRequested() {
        return cutover.isDone();
    }

    @Override
    public void run() {
        try (Endpoint sourceSession = source; Endpoint targetSession = target;
                ServerWatch watch = watch();
                WorkerPool pool = new WorkerPool(spec.settings().parallelism(), "worker");
                DatabaseMigrations data = new DatabaseMigrations(spec, keeper, plugins, source, target, pool, cancel,
                        resume)) {
            try {
                execute(pool, data);
            } catch (Exception | Error e) {
                // A statement our cancel stopped fails with the server's "canceling statement due to user request",
                // whichever step ran it (a copy, a build, an ANALYZE, a comparison): that is the cancel, not a failure.
                if (e instanceof MigrationCanceledException || e instanceof InterruptedException
                        || cancel.explains(e)) {
                    canceled(pool, data, e);
                    return;
                }
                // An Error too (a stack overflow, memory running out): the target must not keep a half migration,
                // nor the record stay InProgress under a live owner.
                Thread.interrupted();
                pool.shutdownNow();
                data.close();
                String message = Failures.text(e, spec, keeper.record().substatus().label());
                if (Rollback.committed(keeper.journal())) {
                    log.warn("Migration {} failed past its point of no return; finishing it: {}", spec.name(),
                            message, e);
                    finishedPastPointOfNoReturn("A failure (" + message + ")");
                    return;
                }
                log.error("Migration {} failed: {}", spec.name(), message, e);
                keeper.error(new MigrationMessage(Failures.code(e), message));
                List<MigrationMessage> problems = rollback();
                boolean canceled = cancel.isCanceled() && problems.isEmpty();
                keeper.finish(canceled ? MigrationStatus.CANCELED : MigrationStatus.FAILED,
                        canceled ? keeper.record().substatus() : MigrationSubstatus.FAILED, problems);
            }
        } catch (RuntimeException e) {
            log.error("Migration {} could not record its end", spec.name(), e);
            keeper.failWithoutStore("The migration's record could not be written: " + e + ". It shows as "
                    + "interrupted in the store; cancel it from there to roll back what is left on the target.");
        } finally {
            Thread.interrupted();
            completion.complete(keeper.record());
        }
    }

    /** Ends a canceled run: rolls the target back, or finishes the migration past its point of no return. */
    private void canceled(WorkerPool pool, DatabaseMigrations data, Throwable how) {
        log.info("Migration {} canceled; rolling back", spec.name());
        log.debug("Migration {} stopped with", spec.name(), how);
        Thread.interrupted(); // the cancel interrupted this thread; the rollback must still connect
        pool.shutdownNow();
        data.close();
        if (finishedPastPointOfNoReturn("The cancel")) {
            return;
        }
        List<MigrationMessage> problems = rollback();
        if (!problems.isEmpty()) {
            // Failed for its rollback, and the record says what it was before: once a later cancel finishes the
            // rollback, this is what is left to say why it ended so.
            keeper.error(new MigrationMessage(MessageCode.CANCELED, "The migration was " + cancel.reason()
                    + "; its rollback could not undo everything it made on the target, so it ended Failed."));
        }
        keeper.finish(problems.isEmpty() ? MigrationStatus.CANCELED : MigrationStatus.FAILED,
                problems.isEmpty() ? keeper.record().substatus() : MigrationSubstatus.FAILED, problems);
    }

    /** Notes a server that stops answering; none when the options are wrong (execute then says so). */
    private ServerWatch watch() {
        try {
            return new ServerWatch(keeper, source, target, spec.settings());
        } catch (MigrationException e) {
            return null;
        }
    }

    private void execute(WorkerPool pool, DatabaseMigrations data) throws Exception {
        EngineOptions.check(spec.settings());
        if (!resume) {
            keeper.phase(MigrationStatus.IN_PROGRESS, MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS);
        }
        servers.awaitFacts(); // the logins started with the record's first write
        cancel.check();

        if (spec.option().validates() && !resume) {
            keeper.phase(MigrationStatus.IN_PROGRESS, MigrationSubstatus.VALIDATION_IN_PROGRESS);
            if (spec.option().migrates()) {
                data.beginAhead(); // reads on the source only; stopped when the checks fail
            }
            List<ValidationResult> results = ValidationRunner.run(spec, plugins.validators(), source, target, pool,
                    cancel);
            cancel.check();
            keeper.addValidationResults(results);
            List<ValidationResult> failed = results.stream()
                    .filter(r -> r.status() == ValidationStatus.FAILED).toList();
            if (!failed.isEmpty()) {
                keeper.finish(MigrationStatus.VALIDATION_FAILED, MigrationSubstatus.FAILED, List.of(
                        new MigrationMessage(MessageCode.VALIDATION_FAILED, failed.size()
                                + " premigration check(s) failed: " + failed.stream()
                                .map(r -> r.validatorId() + r.database().map(d -> " (" + d + ")").orElse(""))
                                .collect(Collectors.joining(", ")) + ". Run 'pgmigrate migration show --name "
                                + spec.name() + "' for each finding and its remedy.")));
                return;
            }
            if (!spec.option().migrates()) {
                keeper.finish(MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED, List.of());
                return;
            }
        }
        source.requireReachable();
        target.requireReachable();
        if (!resume && spec.settings().selection().content() != Selection.Content.DATA_ONLY) {
            TargetNames.refuseConflicts(spec, target); // before the roles: a conflict changes nothing
        }
        RoleMigration roles = new RoleMigration(spec, keeper, source, target, cancel);
        if (keeper.record().substatus() != MigrationSubstatus.COMPLETING_MIGRATION) {
            keeper.phase(MigrationStatus.IN_PROGRESS, MigrationSubstatus.MIGRATING_DATA);
            Checkpoint checkpoint = new Checkpoint(keeper);
            // Data only creates nothing, roles included: the target's schema is there, with its owners.
            if (spec.settings().migrateRoles() && !checkpoint.rolesDone()
                    && spec.settings().selection().content() != Selection.Content.DATA_ONLY) {
                roles.createRoles(); // before any database, so owners and grantees exist
                checkpoint.rolesDone(true);
                cancel.check();
            }
        }
        data.migrate(); // on resume, skips what was done and reopens what completion needs
        cancel.check();
        if (data.online().isPresent()) {
            cutOver(data.online().get(), pool);
        } else {
            keeper.phase(MigrationStatus.IN_PROGRESS, MigrationSubstatus.COMPLETING_MIGRATION);
        }
        data.complete();
        new ServerParameters(spec, keeper, source, target, cancel).carryOver();
        cancel.check();
        data.commit(); // the point of no return: the user's databases set aside are dropped only now
        // Only now: until the point of no return, a resume still needs the slots to follow the source from.
        data.online().ifPresent(OnlineReplication::cleanUp);
        keeper.record().downtime(keeper.now()).ifPresent(downtime -> keeper.note(MessageCode.CUTOVER_COMPLETED,
                "Cutover completed: every change of the source applied, sequences set, target verified; downtime "
                + String.format(java.util.Locale.ROOT, "%.1f", downtime.toMillis() / 1000.0) + " s (from the cutover request to the end)."));
        keeper.finish(MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED, List.of());
    }

    /**
     * An online migration, once every database is copied and follows the source: waits for the cutover trigger
     * (at once when a resumed run's was asked for before), then cuts over; a cutover that stopped, the source still
     * written, has it wait for the trigger again.
     */
    private void cutOver(OnlineReplication online, WorkerPool pool) throws Exception {
        if (keeper.record().cutoverRequestedAt().isPresent()) {
            cutover.complete(null);
        } else {
            keeper.phase(MigrationStatus.WAITING_FOR_USER_ACTION, MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER);
            keeper.note(MessageCode.REPLICATION_STARTED, "Every database is copied and follows the source's "
                    + "changes. Stop the writes to the source, then trigger the cutover: pgmigrate migration update "
                    + "--cutover --name " + spec.name() + ".");
        }
        while (true) {
            online.awaitCutover(cutover);
            // The streams reconnect by themselves after a server's restart; the coordinator's own sessions, unused
            // while it waited, are checked before the cutover relies on them.
            source.checkMaintenanceBeforeUse();
            target.checkMaintenanceBeforeUse();
            keeper.phase(MigrationStatus.IN_PROGRESS, MigrationSubstatus.COMPLETING_MIGRATION);
            if (online.cutover(pool)) {
                return;
            }
            // The source was still written: the streams follow, and the migration waits for a new trigger. The
            // request is withdrawn before the new future exists, so the watcher cannot take it for a new one.
            keeper.cutoverWithdrawn();
            cutover = new CompletableFuture<>();
            keeper.phase(MigrationStatus.WAITING_FOR_USER_ACTION, MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER);
        }
    }

    /** Ends a run stopped past its point of no return: see {@link PointOfNoReturn#endRun}; false before it. */
    private boolean finishedPastPointOfNoReturn(String what) {
        if (!Rollback.committed(keeper.journal())) {
            return false;
        }
        PointOfNoReturn.endRun(keeper, source.connector(), target.connector(),
                target.facts().map(f -> f.maintenanceDatabase()).orElse("postgres"), what);
        return true;
    }

    private List<MigrationMessage> rollback() {
        List<MigrationMessage> problems = new java.util.ArrayList<>();
        String maintenance = target.facts().map(f -> f.maintenanceDatabase()).orElse("postgres");
        List<dev.pgmigrate.core.StoredMigration.JournalEntry> journal = keeper.journal();
        Rollback.undo(source.connector(), target.connector(), maintenance, journal, keeper.name()).forEach(problem ->
                problems.add(new MigrationMessage(MessageCode.ROLLBACK_INCOMPLETE, "Rollback incomplete: " + problem)));
        if (problems.isEmpty() && !journal.isEmpty()) {
            keeper.clearJournal(); // every change undone: a later cancel has nothing left to do
        }
        return problems;
    }
}
