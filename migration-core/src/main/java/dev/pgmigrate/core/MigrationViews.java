package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.internal.run.Rollback;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The store's migrations as a {@link MigrationService} shows them: one running here with its live record, another
 * with its stored record, marked interrupted when the process that ran it is gone. A process on another host is
 * taken for gone once its heartbeat is two minutes old.
 */
final class MigrationViews {
    private static final Duration FOREIGN_HOST_STALE = Duration.ofMinutes(2);

    private final MigrationStore store;
    private final Clock clock;
    private final RunningMigrations running;

    MigrationViews(MigrationStore store, Clock clock, RunningMigrations running) {
        this.store = store;
        this.clock = clock;
        this.running = running;
    }

    /**
     * The stored migration called {@code name}.
     *
     * @throws MigrationException when two targets each have a migration of that name
     */
    Optional<StoredMigration> find(String name) {
        List<StoredMigration> matches = store.list().stream().filter(m -> m.name().equals(name)).toList();
        if (matches.size() > 1) {
            throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT,
                    "Several targets have a migration named '" + name + "': " + String.join(", ", matches.stream()
                    .map(m -> m.record().spec().target().address()).toList()) + ". Name the target as well "
                    + "(pgmigrate: --target-server HOST:PORT).");
        }
        return matches.stream().findFirst();
    }

    /** The stored migration called {@code name} on {@code target}. */
    Optional<StoredMigration> find(String name, ServerSpec target) {
        return store.load(MigrationService.namespaceOf(target), name);
    }

    /**
     * The stored migration called {@code name} on {@code target}.
     *
     * @throws MigrationException when there is none
     */
    StoredMigration existing(String name, ServerSpec target) {
        return find(name, target).orElseThrow(() -> new MigrationException(MessageCode.MIGRATION_NOT_FOUND,
                "No migration named '" + name + "' exists on target " + target.address() + "; 'pgmigrate "
                + "migration list' shows the migrations."));
    }

    /**
     * The stored migration called {@code name}.
     *
     * @throws MigrationException when there is none, or two targets each have one of that name
     */
    StoredMigration existing(String name) {
        return find(name).orElseThrow(() -> new MigrationException(MessageCode.MIGRATION_NOT_FOUND,
                "No migration named '" + name + "' exists; "
                + "'pgmigrate migration list' shows the migrations."));
    }

    /** The record of {@code stored}: the live one when it runs here. */
    MigrationRecord view(StoredMigration stored) {
        return running.get(stored.namespace(), stored.name()).map(run -> run.keeper().record())
                .orElseGet(() -> storedView(stored));
    }

    /** The stored record, marked interrupted when its process is gone. */
    MigrationRecord storedView(StoredMigration stored) {
        MigrationRecord r = stored.record();
        boolean interrupted = !r.status().isFinal() && !alive(stored);
        if (interrupted == r.interrupted()) {
            return r;
        }
        return r.withInterrupted(interrupted);
    }

    /**
     * Why {@code spec} cannot start beside the {@code existing} migrations of its target, if it cannot. A name in
     * use throws at once ({@code MIGRATION_NAME_IN_USE}): by a migration in progress or interrupted, or by one that
     * ended, unless {@code replace} lets the new one take its place (not while it holds changes on the target).
     * Runs inside the store's lock: reads only stored records, never a running keeper (whose lock it would nest).
     */
    Optional<String> conflict(MigrationSpec spec, List<StoredMigration> existing, boolean replace) {
        for (StoredMigration other : existing) {
            MigrationRecord r = storedView(other);
            if (r.name().equals(spec.name())) {
                nameInUse(spec, other, r, replace);
            }
            if (r.status().isFinal() || r.interrupted()) {
                continue;
            }
            List<String> shared = r.spec().databases().stream().filter(spec.databases()::contains).toList();
            if (!shared.isEmpty() && (r.spec().option().migrates() && spec.option().migrates())) {
                return Optional.of("Migration '" + r.name() + "' is already writing database(s) " + shared
                        + " on target " + spec.target().address() + ". Wait for it to end, or cancel it.");
            }
        }
        return Optional.empty();
    }

    private static void nameInUse(MigrationSpec spec, StoredMigration other, MigrationRecord r, boolean replace) {
        String name = spec.name();
        String at = "on target " + spec.target().address();
        if (r.interrupted()) {
            throw new MigrationException(MessageCode.MIGRATION_NAME_IN_USE, "Migration '" + name + "' " + at
                    + " was interrupted and still holds changes on the target. Cancel it to roll them back "
                    + "('pgmigrate migration cancel --name " + name + "'), then start it again.");
        }
        if (!r.status().isFinal()) {
            throw new MigrationException(MessageCode.MIGRATION_NAME_IN_USE, "A migration named '" + name
                    + "' is already in progress " + at + ". Wait for it, cancel it, or choose another name.");
        }
        boolean holdsChanges = r.status() != MigrationStatus.SUCCEEDED && !other.journal().isEmpty()
                && !Rollback.committed(other.journal());
        if (holdsChanges) {
            throw new MigrationException(MessageCode.MIGRATION_NAME_IN_USE, "Migration '" + name + "' " + at
                    + " ended " + r.status().label() + " and still holds changes on the target that its rollback "
                    + "could not undo. Finish the rollback first ('pgmigrate migration cancel --name " + name
                    + "'), or choose another name.");
        }
        if (!replace) {
            throw new MigrationException(MessageCode.MIGRATION_NAME_IN_USE, "A migration named '" + name + "' "
                    + at + " already ended (" + r.status().label() + ", started " + r.createdAt().truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS) + "). Choose another name, or add --replace to start "
                    + "it again: its record is kept in the history ('pgmigrate migration list --all', 'pgmigrate "
                    + "migration show --name " + name + " --attempt N').");
        }
    }

    /** This process, as the owner of the migrations it runs. */
    static StoredMigration.Owner currentOwner() {
        ProcessHandle self = ProcessHandle.current();
        return new StoredMigration.Owner(hostName(), self.pid(), self.info().startInstant().orElse(Instant.EPOCH));
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

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
