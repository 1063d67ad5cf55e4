package dev.pgmigrate.core;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationListener;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.Stable;
import dev.pgmigrate.core.internal.MigrationRun;
import dev.pgmigrate.core.internal.RecordKeeper;
import dev.pgmigrate.core.internal.Rollback;
import dev.pgmigrate.core.internal.ServerConnector;
import dev.pgmigrate.core.report.MigrationReport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point for embedders: validate, start, list, show and cancel migrations.
 *
 * <pre>{@code
 * try (MigrationService service = MigrationService.builder()
 *         .store(new FileMigrationStore(Path.of("/var/lib/pgmigrate"))).build()) {
 *     MigrationRecord done = service.start(spec).await();
 * }
 * }</pre>
 *
 * <p>Thread-safe. It keeps no global state: two services with two stores are independent. It prints nothing;
 * it logs through SLF4J and reports progress as events.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public final class MigrationService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MigrationService.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);
    private static final Duration FOREIGN_HOST_STALE = Duration.ofMinutes(2);

    private final MigrationStore store;
    private final Plugins plugins;
    private final Clock clock;
    private final List<MigrationListener> listeners;
    private final CredentialsProvider credentials;
    private final Map<String, MigrationRun> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watcher;
    private final StoredRollbacks rollbacks;

    private MigrationService(Builder builder) {
        this.store = builder.store;
        this.plugins = builder.plugins != null ? builder.plugins : Plugins.discover();
        this.clock = builder.clock;
        this.listeners = List.copyOf(builder.listeners);
        this.credentials = builder.credentials;
        this.rollbacks = new StoredRollbacks(store, clock, credentials);
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgmigrate-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::watch, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** A new builder: an in-memory store and the plugins on the class path. */
    public static Builder builder() {
        return new Builder();
    }

    /** The validators and movers this service uses. */
    public Plugins plugins() {
        return plugins;
    }

    /** The store this service keeps migrations in. */
    public MigrationStore store() {
        return store;
    }

    /**
     * Starts a migration on a thread of its own and returns at once.
     *
     * @throws MigrationException when an active migration of the same name, or one writing one of the same
     *     databases, exists on the target
     */
    public MigrationHandle start(MigrationSpec spec, MigrationListener... extraListeners) {
        return start(spec, Map.of(), extraListeners);
    }

    /**
     * Starts a migration, remembering where its passwords came from (such as {@code "env:TARGET_PASSWORD"}), so
     * another process can cancel or resume it.
     */
    public MigrationHandle start(MigrationSpec spec, Map<String, String> secretReferences,
            MigrationListener... extraListeners) {
        Objects.requireNonNull(spec, "spec must not be null");
        dev.pgmigrate.core.internal.EngineOptions.check(spec.settings()); // before anything is written
        String namespace = namespaceOf(spec.target());
        Instant now = clock.instant();
        MigrationRecord record = new MigrationRecord(redact(spec), MigrationStatus.IN_PROGRESS,
                MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS, now, Optional.empty(), List.of(),
                spec.databases().stream().map(db -> new DatabaseProgress(db, MigrationStatus.IN_PROGRESS,
                        Optional.empty(), Optional.empty(), List.of(), Optional.empty())).toList(), List.of(),
                Optional.empty(), List.of(), false, false);
        StoredMigration stored = new StoredMigration(namespace, record, List.of(), Optional.of(currentOwner()), now,
                secretReferences, Map.of());
        MigrationRun.Servers servers = MigrationRun.Servers.connect(spec);
        try {
            store.create(stored, existing -> conflict(spec, existing));
        } catch (RuntimeException e) {
            servers.abandon();
            throw e;
        }
        return launch(spec, stored, false, servers, extraListeners);
    }

    /** Runs the premigration checks only and waits for them; changes nothing on the target. */
    public MigrationRecord validate(MigrationSpec spec) throws InterruptedException {
        return start(spec.withOption(dev.pgmigrate.api.MigrationOption.VALIDATE)).await();
    }

    /** Every migration in the store, newest first, with interrupted ones marked. */
    public List<MigrationRecord> list() {
        return store.list().stream().map(this::view)
                .sorted(Comparator.comparing(MigrationRecord::createdAt).reversed()).toList();
    }

    /**
     * The migration called {@code name}.
     *
     * @throws MigrationException when two targets each have a migration of that name; use {@link #show(String,
     *     ServerSpec)}
     */
    public Optional<MigrationRecord> show(String name) {
        return find(name).map(this::view);
    }

    /** The migration called {@code name} on {@code target}. */
    public Optional<MigrationRecord> show(String name, ServerSpec target) {
        MigrationRun run = running.get(key(namespaceOf(target), name));
        if (run != null) {
            return Optional.of(run.keeper().record());
        }
        return store.load(namespaceOf(target), name).map(this::view);
    }

    /**
     * The report of the migration called {@code name}: its record, the phase times the engine kept, and the
     * figures derived from them, to write as JSON or HTML.
     *
     * @throws MigrationException when two targets each have a migration of that name
     */
    public Optional<MigrationReport> report(String name) {
        return find(name).map(stored -> MigrationReport.of(stored.withRecord(view(stored))));
    }

    /** The handle of a migration this service is running, if it is. */
    public Optional<MigrationHandle> handle(String name) {
        return running.values().stream().filter(r -> r.keeper().name().equals(name)).findFirst()
                .map(Handle::new);
    }

    /**
     * Cancels a migration and rolls back what it changed on the target. A migration running in this service
     * is stopped here; one running in another process is asked through the store and stops there; one whose
     * process died is rolled back here from its journal.
     *
     * @return the record after the cancel was carried out or asked for
     * @throws MigrationException when there is no such migration, or it already ended
     */
    public MigrationRecord cancel(String name) {
        StoredMigration stored = find(name).orElseThrow(() -> noSuchMigration(name));
        MigrationRun run = running.get(key(stored.namespace(), name));
        if (run != null) {
            requireCancelable(run.keeper().record());
            run.cancel("canceled");
            return awaitQuietly(run.completion(), Duration.ofMinutes(5)).orElse(run.keeper().record());
        }
        MigrationRecord view = view(stored);
        if (view.status().isFinal() && view.status() != MigrationStatus.SUCCEEDED && !stored.journal().isEmpty()
                && !Rollback.committed(stored.journal())) {
            return view(rollbacks.again(stored, key(stored.namespace(), stored.name()))); // a rollback left changes behind: roll back again, until none is left
        }
        requireCancelable(view);
        if (!view.interrupted()) {
            store.requestCancel(stored.namespace(), name);
            log.info("Asked the process running migration {} to cancel it", name);
            return view(store.load(stored.namespace(), name).orElseThrow());
        }
        return view(rollbacks.interrupted(stored, currentOwner()));
    }

    /**
     * Resumes a migration whose process died: tables committed before are kept, partly copied ones are emptied
     * and copied again, and indexes and constraints not yet built are built. Before anything runs, each kept
     * table's row count on the source is compared with the stored one; a difference refuses the resume.
     *
     * @throws MigrationException when there is no such migration, it is not interrupted, its passwords cannot be
     *     found, or the source changed
     */
    public MigrationHandle resume(String name, MigrationListener... extraListeners) {
        StoredMigration stored = find(name).orElseThrow(() -> noSuchMigration(name));
        MigrationRecord view = view(stored);
        if (view.status().isFinal()) {
            throw new MigrationException("Migration '" + name + "' already ended with status " + view.status().label()
                    + "; only an interrupted migration can be resumed. Start a new one.");
        }
        if (!view.interrupted()) {
            throw new MigrationException("Migration '" + name + "' is still running in another process; it can be "
                    + "resumed only once that process has died.");
        }
        MigrationSpec redacted = stored.record().spec();
        MigrationSpec spec = new MigrationSpec(redacted.name(),
                redacted.source().withLogin(redacted.source().adminLogin(), credentials.password(stored, "sourceServer")),
                redacted.target().withLogin(redacted.target().adminLogin(), credentials.password(stored, "targetServer")),
                redacted.databases(), redacted.option(), redacted.mode(), redacted.settings());
        boolean dataStarted = view.substatus() == MigrationSubstatus.MIGRATING_DATA
                || view.substatus() == MigrationSubstatus.COMPLETING_MIGRATION;
        if (dataStarted) {
            List<String> changed = dev.pgmigrate.core.internal.ResumeCheck.changedTables(spec, view);
            if (!changed.isEmpty()) {
                throw new MigrationException("Cannot resume migration '" + name + "': the source changed since these "
                        + "tables were copied: " + String.join("; ", changed) + ". An offline migration needs a "
                        + "source without writes: cancel this migration and start it again.");
            }
        }
        StoredMigration taken = store.update(stored.namespace(), name, m -> {
            MigrationRecord r = m.record();
            // Nothing was changed on the target before the data phase: start such a migration from the top.
            MigrationRecord resumed = dataStarted ? r : r.withStatus(r.status(),
                    MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS).withValidationResults(List.of())
                    .withInterrupted(false).withCancelRequested(false);
            return m.withRecord(resumed).withOwner(Optional.of(currentOwner()), clock.instant());
        });
        log.info("Resuming migration {} ({})", name, view.substatus().label());
        return launch(spec, taken, dataStarted, MigrationRun.Servers.connect(spec), extraListeners);
    }

    /**
     * Compares two databases, as a migration's verification does: every table's row count and content
     * checksum, computed on both servers at once from one snapshot of the source, object counts per schema and
     * kind, and sequence values. Changes nothing on either server.
     *
     * <p>{@code service.verify(source, "shop", target, "shop", MigrationSettings.defaults()).matches()}
     *
     * @throws MigrationException when a server cannot be reached or a query fails
     */
    public dev.pgmigrate.api.VerificationReport verify(ServerSpec source, String sourceDatabase, ServerSpec target,
            String targetDatabase, dev.pgmigrate.api.MigrationSettings settings) {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(target, "target must not be null");
        Objects.requireNonNull(sourceDatabase, "sourceDatabase must not be null");
        Objects.requireNonNull(targetDatabase, "targetDatabase must not be null");
        Objects.requireNonNull(settings, "settings must not be null");
        dev.pgmigrate.core.internal.EngineOptions.check(settings);
        return dev.pgmigrate.core.internal.Verifier.standalone(new ServerConnector(source, settings), sourceDatabase,
                new ServerConnector(target, settings), targetDatabase, settings.parallelism());
    }

    /** Waits for migrations still running here, then stops the service's threads. */
    @Override
    public void close() {
        for (MigrationRun run : running.values()) {
            awaitQuietly(run.completion(), Duration.ofDays(7));
        }
        watcher.shutdownNow();
    }

    // ---- internals

    private MigrationHandle launch(MigrationSpec spec, StoredMigration stored, boolean resume,
            MigrationRun.Servers servers, MigrationListener... extraListeners) {
        List<MigrationListener> all = new ArrayList<>(listeners);
        all.addAll(List.of(extraListeners));
        RecordKeeper keeper = new RecordKeeper(store, stored, clock, all);
        MigrationRun run = new MigrationRun(spec, keeper, plugins, resume, servers);
        String key = key(stored.namespace(), spec.name());
        running.put(key, run);
        run.completion().whenComplete((r, e) -> {
            // A rollback that could not finish is finished by a later cancel: keep the target's password for it.
            if (r != null && r.errors().stream().anyMatch(error -> error.startsWith("Rollback incomplete"))) {
                rollbacks.unfinished(key, spec.target());
            }
            running.remove(key);
            lastBeat.remove(run); // a long-lived service forgets the runs that ended
        });
        Thread thread = new Thread(run, "pgmigrate-" + spec.name());
        thread.setDaemon(false);
        thread.start();
        return new Handle(run);
    }

    private void watch() {
        try {
            Instant now = clock.instant();
            for (MigrationRun run : running.values()) {
                if (!run.isCanceled() && run.keeper().cancelRequestedInStore()) {
                    log.info("Migration {} was canceled from another process", run.keeper().name());
                    run.cancel("canceled from another process");
                }
                if (Duration.between(lastBeat.getOrDefault(run, Instant.EPOCH), now).compareTo(HEARTBEAT) >= 0) {
                    lastBeat.put(run, now);
                    run.keeper().heartbeat();
                } else {
                    run.keeper().flushProgress();
                }
            }
        } catch (RuntimeException e) {
            log.warn("Watching running migrations failed; will try again", e);
        }
    }

    private final Map<MigrationRun, Instant> lastBeat = new ConcurrentHashMap<>();
    /**
     * What a migration still holds on the target: its journal's changes not yet undone, once it has ended (after a
     * rollback that could not finish) or while its process is gone. Empty for a migration that succeeded, or whose
     * changes were all rolled back.
     *
     * @throws MigrationException when there is no such migration
     */
    public List<String> leftOnTarget(String name) {
        StoredMigration stored = find(name).orElseThrow(() -> noSuchMigration(name));
        if (Rollback.committed(stored.journal()) || view(stored).status() == MigrationStatus.SUCCEEDED) {
            return List.of();
        }
        return stored.journal().stream().map(Rollback::describe).toList();
    }

    private MigrationRecord view(StoredMigration stored) {
        MigrationRun run = running.get(key(stored.namespace(), stored.name()));
        if (run != null) {
            return run.keeper().record();
        }
        return storedView(stored);
    }

    /** The stored record, marked interrupted when its process is gone. */
    private MigrationRecord storedView(StoredMigration stored) {
        MigrationRecord r = stored.record();
        boolean interrupted = !r.status().isFinal() && !alive(stored);
        if (interrupted == r.interrupted()) {
            return r;
        }
        return r.withInterrupted(interrupted);
    }

    private boolean alive(StoredMigration stored) {
        if (stored.owner().isEmpty()) {
            return false;
        }
        StoredMigration.Owner owner = stored.owner().get();
        if (!owner.host().equals(hostName())) {
            return Duration.between(stored.heartbeat(), clock.instant()).compareTo(FOREIGN_HOST_STALE) < 0;
        }
        return ProcessHandle.of(owner.pid())
                .map(p -> p.info().startInstant().map(s -> s.equals(owner.startedAt())).orElse(true))
                .orElse(false);
    }

    /** Runs inside the store's lock: reads only stored records, never a running keeper (whose lock it would nest). */
    private Optional<String> conflict(MigrationSpec spec, List<StoredMigration> existing) {
        for (StoredMigration other : existing) {
            MigrationRecord r = storedView(other);
            if (r.status().isFinal() || r.interrupted()) {
                if (r.name().equals(spec.name()) && r.interrupted()) {
                    return Optional.of("Migration '" + spec.name() + "' on target " + spec.target().address()
                            + " was interrupted and still holds changes on the target. Cancel it to roll them back "
                            + "('pgmigrate migration cancel --name " + spec.name() + "'), then start it again.");
                }
                continue;
            }
            if (r.name().equals(spec.name())) {
                return Optional.of("A migration named '" + spec.name() + "' is already in progress on target "
                        + spec.target().address() + ". Wait for it, cancel it, or choose another name.");
            }
            List<String> shared = r.spec().databases().stream().filter(spec.databases()::contains).toList();
            if (!shared.isEmpty() && (r.spec().option().migrates() && spec.option().migrates())) {
                return Optional.of("Migration '" + r.name() + "' is already writing database(s) " + shared
                        + " on target " + spec.target().address() + ". Wait for it to end, or cancel it.");
            }
        }
        return Optional.empty();
    }

    private Optional<StoredMigration> find(String name) {
        List<StoredMigration> matches = store.list().stream().filter(m -> m.name().equals(name)).toList();
        if (matches.size() > 1) {
            throw new MigrationException("Several targets have a migration named '" + name + "': " + matches.stream()
                    .map(StoredMigration::namespace).toList() + ". Name the target as well.");
        }
        return matches.stream().findFirst();
    }

    private static void requireCancelable(MigrationRecord record) {
        if (!record.status().isCancelable()) {
            throw new MigrationException("Migration '" + record.name() + "' already ended with status "
                    + record.status().label() + "; only a migration in progress can be canceled.");
        }
    }


    private static MigrationException noSuchMigration(String name) {
        return new MigrationException("No migration named '" + name + "' exists; 'list' shows the migrations.");
    }

    private static Optional<MigrationRecord> awaitQuietly(CompletableFuture<MigrationRecord> future, Duration max) {
        try {
            return Optional.of(future.get(max.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }

    static MigrationSpec redact(MigrationSpec spec) {
        return new MigrationSpec(spec.name(), spec.source().withLogin(spec.source().adminLogin(), Optional.empty()),
                spec.target().withLogin(spec.target().adminLogin(), Optional.empty()), spec.databases(),
                spec.option(), spec.mode(), spec.settings());
    }

    /** The store namespace of a target server: its host and port, made safe as a directory name. */
    public static String namespaceOf(ServerSpec target) {
        return target.connectHost().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.-]", "_") + "_"
                + target.port();
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static StoredMigration.Owner currentOwner() {
        ProcessHandle self = ProcessHandle.current();
        return new StoredMigration.Owner(hostName(), self.pid(), self.info().startInstant().orElse(Instant.EPOCH));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static final class Handle implements MigrationHandle {
        private final MigrationRun run;

        Handle(MigrationRun run) {
            this.run = run;
        }

        @Override
        public String name() {
            return run.keeper().name();
        }

        @Override
        public MigrationRecord record() {
            return run.keeper().record();
        }

        @Override
        public CompletableFuture<MigrationRecord> completion() {
            return run.completion();
        }

        @Override
        public MigrationRecord await() throws InterruptedException {
            try {
                return run.completion().get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new MigrationException("Migration " + name() + " ended abnormally", e.getCause());
            }
        }

        @Override
        public MigrationRecord await(Duration timeout) throws InterruptedException, TimeoutException {
            try {
                return run.completion().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new MigrationException("Migration " + name() + " ended abnormally", e.getCause());
            }
        }

        @Override
        public void cancel() {
            requireCancelable(run.keeper().record());
            run.cancel("canceled");
        }
    }

    /** Finds the password of a stored migration's server when another process must reach it. */
    @FunctionalInterface
    public interface CredentialsProvider {
        /**
         * @param server {@code "sourceServer"} or {@code "targetServer"}
         * @return the password, or empty to connect without one
         */
        Optional<Secret> password(StoredMigration migration, String server);
    }

    /** Builds a {@link MigrationService}. */
    public static final class Builder {
        private MigrationStore store = new InMemoryMigrationStore();
        private Plugins plugins;
        private Clock clock = Clock.systemUTC();
        private final List<MigrationListener> listeners = new ArrayList<>();
        private CredentialsProvider credentials = SecretReferences::resolve;

        private Builder() {
        }

        public Builder store(MigrationStore store) {
            this.store = Objects.requireNonNull(store, "store must not be null");
            return this;
        }

        /** The plugins to use instead of those discovered on the class path. */
        public Builder plugins(Plugins plugins) {
            this.plugins = Objects.requireNonNull(plugins, "plugins must not be null");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** A listener that receives the events of every migration this service runs. */
        public Builder listener(MigrationListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
            return this;
        }

        /** How to find passwords for migrations started by other processes; by default, their stored references. */
        public Builder credentials(CredentialsProvider credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials must not be null");
            return this;
        }

        public MigrationService build() {
            return new MigrationService(this);
        }
    }

    static Map<String, String> copy(Map<String, String> map) {
        return new HashMap<>(map);
    }
}
