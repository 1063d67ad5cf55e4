package dev.pgmigrate.core;

import dev.pgmigrate.api.Stable;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Keeps migrations so they outlive the process that ran them. Implementations are thread-safe, and the file
 * store is safe across processes.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public interface MigrationStore {
    /**
     * Stores a new migration, atomically refusing it when {@code conflicts} finds a clash with those stored in
     * the same namespace (such as an active migration of the same name). An ended migration of the same name that
     * {@code conflicts} lets it replace moves to the {@link #history}, where a store keeps one.
     *
     * @param conflicts given the migrations already in the namespace, returns why the new one is refused, or throws
     *     a {@link dev.pgmigrate.api.MigrationException} of its own; a store may leave out those that have ended (a
     *     final status), but not one of the same name
     * @throws dev.pgmigrate.api.MigrationException with that reason
     */
    void create(StoredMigration migration, java.util.function.Function<List<StoredMigration>, Optional<String>> conflicts);

    /**
     * The earlier migrations called {@code name} in {@code namespace}, each replaced by a later one of that name,
     * oldest first; empty where a store keeps no history.
     *
     * @since 0.2
     */
    default List<StoredMigration> history(String namespace, String name) {
        return List.of();
    }

    /**
     * Every earlier migration of the store, replaced by a later one of its name, in no particular order.
     *
     * @since 0.2
     */
    default List<StoredMigration> history() {
        return List.of();
    }

    /**
     * Replaces a stored migration with what {@code change} makes of it, atomically.
     *
     * @return the stored result
     * @throws dev.pgmigrate.api.MigrationException when there is no such migration
     */
    StoredMigration update(String namespace, String name, UnaryOperator<StoredMigration> change);

    /** The migration called {@code name} in {@code namespace}. */
    Optional<StoredMigration> load(String namespace, String name);

    /** Every stored migration, in no particular order. */
    List<StoredMigration> list();

    /**
     * Asks the process running a migration to cancel it: sets the record's {@code cancelRequested}.
     *
     * @throws dev.pgmigrate.api.MigrationException when there is no such migration
     */
    default void requestCancel(String namespace, String name) {
        update(namespace, name, m -> {
            var r = m.record();
            return m.withRecord(new dev.pgmigrate.api.MigrationRecord(r.spec(), r.status(), r.substatus(),
                    r.createdAt(), r.endedAt(), r.validationResults(), r.databases(), r.errors(), r.verification(),
                    r.notes(), r.interrupted(), true));
        });
    }

    /**
     * Whether a cancel was asked for; the running process polls it twice a second, so a store may answer it more
     * cheaply than by loading the whole record.
     */
    default boolean isCancelRequested(String namespace, String name) {
        return load(namespace, name).map(m -> m.record().cancelRequested()).orElse(false);
    }

    /**
     * Asks the process running an online migration to cut over: sets the record's {@code cutoverRequestedAt}
     * unless it is set.
     *
     * @throws dev.pgmigrate.api.MigrationException when there is no such migration
     * @since 0.3
     */
    default void requestCutover(String namespace, String name) {
        update(namespace, name, m -> m.record().cutoverRequestedAt().isPresent() ? m
                : m.withRecord(m.record().withCutoverRequestedAt(Optional.of(java.time.Instant.now()))));
    }

    /**
     * Withdraws a cutover request: the cutover stopped (the source was still written) and the migration waits for
     * the trigger again. Clears the record's {@code cutoverRequestedAt}.
     *
     * @throws dev.pgmigrate.api.MigrationException when there is no such migration
     * @since 0.3
     */
    default void withdrawCutover(String namespace, String name) {
        update(namespace, name, m -> m.withRecord(m.record().withCutoverRequestedAt(Optional.empty())));
    }

    /**
     * Whether a cutover was asked for; polled like {@link #isCancelRequested}.
     *
     * @since 0.3
     */
    default boolean isCutoverRequested(String namespace, String name) {
        return load(namespace, name).map(m -> m.record().cutoverRequestedAt().isPresent()).orElse(false);
    }
}
