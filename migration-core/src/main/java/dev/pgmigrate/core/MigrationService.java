package dev.pgmigrate.core;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationListener;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.Stable;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.internal.run.MigrationRun;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.verify.Verifier;
import dev.pgmigrate.core.report.MigrationReport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * <p>(Past 400 lines by its public surface alone: each method is a few lines over the units beside it, a method
 * that finds a migration by its name has a twin that also names its target, what a migration left behind is asked
 * for on each server, and the Builder is nested.)
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public final class MigrationService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MigrationService.class);

    private final MigrationStore store;
    private final Plugins plugins;
    private final Clock clock;
    private final StoredRollbacks rollbacks;
    private final StoredResumes resumes;
    private final RunningMigrations running;
    private final MigrationViews views;
    private final StoredCancels cancels;

    private MigrationService(Builder builder) {
        this.store = builder.store;
        this.plugins = builder.plugins != null ? builder.plugins : Plugins.discover();
        this.clock = builder.clock;
        this.rollbacks = new StoredRollbacks(store, clock, builder.credentials);
        this.resumes = new StoredResumes(store, clock, builder.credentials);
        this.running = new RunningMigrations(store, plugins, clock, List.copyOf(builder.listeners), rollbacks);
        this.views = new MigrationViews(store, clock, running);
        this.cancels = new StoredCancels(store, running, views, rollbacks);
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
     *
     * @throws MigrationException {@code MIGRATION_NAME_IN_USE} when a migration of the same name exists on the
     *     target (in progress, interrupted, or ended: see {@link #startReplacing}); {@code MIGRATION_STATE_CONFLICT}
     *     when an active one writes one of the same databases
     */
    public MigrationHandle start(MigrationSpec spec, Map<String, String> secretReferences,
            MigrationListener... extraListeners) {
        return start(spec, secretReferences, false, extraListeners);
    }

    /**
     * Starts a migration in place of an ended one of the same name on the target, whose record moves to the
     * {@link #history(String, ServerSpec) history}; as {@link #start(MigrationSpec, Map, MigrationListener...)}
     * when there is none.
     *
     * @throws MigrationException {@code MIGRATION_NAME_IN_USE} when the one of that name is still in progress, was
     *     interrupted, or holds changes on the target its rollback could not undo
     * @since 0.2
     */
    public MigrationHandle startReplacing(MigrationSpec spec, Map<String, String> secretReferences,
            MigrationListener... extraListeners) {
        return start(spec, secretReferences, true, extraListeners);
    }

    private MigrationHandle start(MigrationSpec spec, Map<String, String> secretReferences, boolean replace,
            MigrationListener... extraListeners) {
        Objects.requireNonNull(spec, "spec must not be null");
        checkOptions(spec.settings()); // before anything is written
        StoredMigration stored = FirstRecord.of(spec, namespaceOf(spec.target()), secretReferences, clock.instant());
        MigrationRun.Servers servers = MigrationRun.Servers.connect(spec);
        try {
            store.create(stored, existing -> views.conflict(spec, existing, replace));
        } catch (RuntimeException e) {
            servers.abandon();
            throw e;
        }
        return running.launch(spec, stored, false, servers, extraListeners);
    }

    /** Runs the premigration checks only and waits for them; changes nothing on the target. */
    public MigrationRecord validate(MigrationSpec spec) throws InterruptedException {
        return start(spec.withOption(MigrationOption.VALIDATE)).await();
    }

    /** Every migration in the store, newest first, with interrupted ones marked. */
    public List<MigrationRecord> list() {
        return store.list().stream().map(views::view)
                .sorted(Comparator.comparing(MigrationRecord::createdAt).reversed()).toList();
    }

    /**
     * The migration called {@code name}.
     *
     * @throws MigrationException when two targets each have a migration of that name; use {@link #show(String,
     *     ServerSpec)}
     */
    public Optional<MigrationRecord> show(String name) {
        return views.find(name).map(views::view);
    }

    /** The migration called {@code name} on {@code target}. */
    public Optional<MigrationRecord> show(String name, ServerSpec target) {
        String namespace = namespaceOf(target);
        return running.get(namespace, name).map(run -> run.keeper().record())
                .or(() -> store.load(namespace, name).map(views::view));
    }

    /**
     * The report of the migration called {@code name}: its record, the phase times the engine kept, and the
     * figures derived from them, to write as JSON or HTML.
     *
     * @throws MigrationException when two targets each have a migration of that name
     */
    public Optional<MigrationReport> report(String name) {
        return views.find(name).map(stored -> MigrationReport.of(stored.withRecord(views.view(stored))));
    }

    /** The report of the migration called {@code name} on {@code target}. */
    public Optional<MigrationReport> report(String name, ServerSpec target) {
        return views.find(name, target).map(stored -> MigrationReport.of(stored.withRecord(views.view(stored))));
    }

    /**
     * The earlier migrations called {@code name} on {@code target}, each replaced by a later one of that name
     * ({@link #startReplacing}), oldest first. With the current one last, they are its attempts 1, 2, ...
     *
     * @since 0.2
     */
    public List<MigrationRecord> history(String name, ServerSpec target) {
        return store.history(namespaceOf(target), name).stream().map(StoredMigration::record).toList();
    }

    /**
     * Every earlier migration in the store, replaced by a later one of its name, newest first.
     *
     * @since 0.2
     */
    public List<MigrationRecord> history() {
        return store.history().stream().map(StoredMigration::record)
                .sorted(Comparator.comparing(MigrationRecord::createdAt).reversed()).toList();
    }

    /** The handle of a migration this service is running, if it is. */
    public Optional<MigrationHandle> handle(String name) {
        return running.named(name).map(RunHandle::new);
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
        return cancels.cancel(views.existing(name));
    }

    /** Cancels the migration called {@code name} on {@code target}: see {@link #cancel(String)}. */
    public MigrationRecord cancel(String name, ServerSpec target) {
        return cancels.cancel(views.existing(name, target));
    }

    /**
     * Triggers the cutover of an online migration waiting for it (status {@code WaitingForUserAction}): carried
     * out here when this service runs it, asked through the store when another process does.
     *
     * @return the record once the cutover was asked for
     * @throws MigrationException when there is no such migration, it is offline, it does not wait for the cutover,
     *     or its process died (resume it first)
     * @since 0.3
     */
    public MigrationRecord cutover(String name) {
        return cutover(views.existing(name));
    }

    /** Triggers the cutover of the migration called {@code name} on {@code target}: see {@link #cutover(String)}. */
    public MigrationRecord cutover(String name, ServerSpec target) {
        return cutover(views.existing(name, target));
    }

    /** Refuses options with a bad value or an unknown name under a declared prefix, naming each. */
    private void checkOptions(MigrationSettings settings) {
        List<SpecProblem> problems = plugins.optionProblems(settings);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
    }

    private MigrationRecord cutover(StoredMigration stored) {
        var here = running.get(stored.namespace(), stored.name());
        if (here.isPresent()) {
            new RunHandle(here.get()).cutover();
            return here.get().keeper().record();
        }
        MigrationRecord view = views.view(stored);
        RunHandle.requireCutoverWaiting(view);
        if (view.interrupted()) {
            throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT, "Migration '" + stored.name()
                    + "' was interrupted: its process died. Resume it (pgmigrate migration resume --name "
                    + stored.name() + "); once it follows the source again, trigger the cutover.");
        }
        store.requestCutover(stored.namespace(), stored.name());
        return views.view(store.load(stored.namespace(), stored.name()).orElseThrow());
    }

    /**
     * Resumes a migration whose process died: tables committed before are kept, partly copied ones are emptied
     * and copied again, and indexes and constraints not yet built are built. Before anything runs, each kept
     * table's row count on the source is compared with the stored one; a difference refuses the resume.
     *
     * @throws MigrationException when there is no such migration, it is not interrupted, a server refuses its login
     *     (a password the store does not keep, which the credentials provider could not give: {@code LOGIN_FAILED},
     *     with nothing changed), or the source changed
     */
    public MigrationHandle resume(String name, MigrationListener... extraListeners) {
        return resume(views.existing(name), extraListeners);
    }

    /** Resumes the migration called {@code name} on {@code target}: see {@link #resume(String, MigrationListener...)}. */
    public MigrationHandle resume(String name, ServerSpec target, MigrationListener... extraListeners) {
        return resume(views.existing(name, target), extraListeners);
    }

    private MigrationHandle resume(StoredMigration stored, MigrationListener... extraListeners) {
        String name = stored.name();
        MigrationRecord view = views.view(stored);
        StoredResumes.TakenOver taken = resumes.takeOver(stored, view);
        log.info("Resuming migration {} ({})", name, view.substatus().label());
        return running.launch(taken.spec(), taken.stored(), taken.dataStarted(),
                MigrationRun.Servers.connect(taken.spec()), extraListeners);
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
    public VerificationReport verify(ServerSpec source, String sourceDatabase, ServerSpec target,
            String targetDatabase, MigrationSettings settings) {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(target, "target must not be null");
        Objects.requireNonNull(sourceDatabase, "sourceDatabase must not be null");
        Objects.requireNonNull(targetDatabase, "targetDatabase must not be null");
        Objects.requireNonNull(settings, "settings must not be null");
        checkOptions(settings);
        return Verifier.standalone(new ServerConnector(source, settings), sourceDatabase,
                new ServerConnector(target, settings), targetDatabase, settings.parallelism());
    }

    /** Waits for migrations still running here, then stops the service's threads. */
    @Override
    public void close() {
        running.close();
    }

    /**
     * What a migration still holds on the target: its journal's changes there not yet undone, once it has ended (after a
     * rollback that could not finish) or while its process is gone. Empty for a migration that succeeded, or whose
     * changes were all rolled back.
     *
     * @throws MigrationException when there is no such migration
     */
    public List<String> leftOnTarget(String name) {
        return cancels.leftOnTarget(views.existing(name));
    }

    /** What the migration called {@code name} on {@code target} still holds there: see {@link #leftOnTarget(String)}. */
    public List<String> leftOnTarget(String name, ServerSpec target) {
        return cancels.leftOnTarget(views.existing(name, target));
    }

    /**
     * What a migration still holds on the source, on the same terms as {@link #leftOnTarget(String)}: an online
     * migration's replication slot and publication, and the replica identities it set.
     *
     * @throws MigrationException when there is no such migration
     * @since 0.3
     */
    public List<String> leftOnSource(String name) {
        return cancels.leftOnSource(views.existing(name));
    }

    /** What the migration called {@code name} on {@code target} holds on its source: {@link #leftOnSource(String)}. */
    public List<String> leftOnSource(String name, ServerSpec target) {
        return cancels.leftOnSource(views.existing(name, target));
    }

    /** The store namespace of a target server: its host and port, made safe as a directory name. */
    public static String namespaceOf(ServerSpec target) {
        return target.connectHost().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "_") + "_"
                + target.port();
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
}
