package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationListener;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.core.internal.run.MigrationRun;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrations a {@link MigrationService} runs, each on a thread of its own, by namespace and name. A watcher
 * thread looks at each every half second: it passes on a cancel asked for through the store, and writes the
 * record's progress, or a heartbeat every five seconds, so other processes see the migration alive. A run is
 * forgotten once it ends.
 */
final class RunningMigrations {
    private static final Logger log = LoggerFactory.getLogger(RunningMigrations.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);

    private final MigrationStore store;
    private final Plugins plugins;
    private final Clock clock;
    private final List<MigrationListener> listeners;
    private final StoredRollbacks rollbacks;
    private final Map<String, MigrationRun> running = new ConcurrentHashMap<>();
    private final Map<MigrationRun, Instant> lastBeat = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watcher;

    RunningMigrations(MigrationStore store, Plugins plugins, Clock clock, List<MigrationListener> listeners,
            StoredRollbacks rollbacks) {
        this.store = store;
        this.plugins = plugins;
        this.clock = clock;
        this.listeners = listeners;
        this.rollbacks = rollbacks;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgmigrate-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::watch, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code stored}, whose record the store holds already, on a thread of its own; returns at once. */
    MigrationHandle launch(MigrationSpec spec, StoredMigration stored, boolean resume, MigrationRun.Servers servers,
            MigrationListener... extraListeners) {
        List<MigrationListener> all = new ArrayList<>(listeners);
        all.addAll(List.of(extraListeners));
        RecordKeeper keeper = new RecordKeeper(store, stored, clock, all);
        MigrationRun run = new MigrationRun(spec, keeper, plugins, resume, servers);
        String key = key(stored.namespace(), spec.name());
        running.put(key, run);
        run.completion().whenComplete((r, e) -> {
            // A rollback that could not finish is finished by a later cancel: keep the servers' passwords for it.
            if (r != null && r.failedWith(MessageCode.ROLLBACK_INCOMPLETE)) {
                rollbacks.unfinished(key, spec.source(), spec.target());
            }
            running.remove(key);
            lastBeat.remove(run); // a long-lived service forgets the runs that ended
        });
        Thread thread = new Thread(run, "pgmigrate-" + spec.name());
        thread.setDaemon(false);
        thread.start();
        return new RunHandle(run);
    }

    /** The run of migration {@code name} on the target of {@code namespace}, if it runs here. */
    Optional<MigrationRun> get(String namespace, String name) {
        return Optional.ofNullable(running.get(key(namespace, name)));
    }

    /** A run of a migration called {@code name}, on any target, if one runs here. */
    Optional<MigrationRun> named(String name) {
        return running.values().stream().filter(r -> r.keeper().name().equals(name)).findFirst();
    }

    /** Cancels {@code run} and waits for its rollback, five minutes at most; returns its record then. */
    MigrationRecord cancel(MigrationRun run) {
        RunHandle.requireCancelable(run.keeper().record());
        run.cancel("canceled");
        return awaitQuietly(run.completion(), Duration.ofMinutes(5)).orElse(run.keeper().record());
    }

    /** Waits for the runs still going, then stops the watcher. */
    void close() {
        for (MigrationRun run : running.values()) {
            awaitQuietly(run.completion(), Duration.ofDays(7));
        }
        watcher.shutdownNow();
    }

    /** The final record, once {@code future} completes within {@code max}; empty when it does not. */
    private static Optional<MigrationRecord> awaitQuietly(CompletableFuture<MigrationRecord> future, Duration max) {
        try {
            return Optional.of(future.get(max.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }

    /** The key of a migration among those of every target. */
    static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private void watch() {
        try {
            Instant now = clock.instant();
            for (MigrationRun run : running.values()) {
                if (!run.isCanceled() && run.keeper().cancelRequestedInStore()) {
                    log.info("Migration {} was canceled from another process", run.keeper().name());
                    run.cancel("canceled from another process");
                }
                if (!run.isCutoverRequested() && run.keeper().cutoverRequestedInStore()) {
                    log.info("Migration {}: cutover triggered from another process", run.keeper().name());
                    run.cutover(now);
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
}
