package dev.pgmigrate.core;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.Stable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A migration started by this process: watch it, wait for it, or cancel it.
 *
 * <p>{@code MigrationRecord done = service.start(spec).await();}
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public interface MigrationHandle {
    /** The migration's name. */
    String name();

    /** The record as it stands now. */
    MigrationRecord record();

    /** Completes with the final record once the migration reaches a final status; never completes exceptionally. */
    CompletableFuture<MigrationRecord> completion();

    /** Blocks until the migration ends and returns its final record. */
    MigrationRecord await() throws InterruptedException;

    /** Blocks at most {@code timeout}. */
    MigrationRecord await(Duration timeout) throws InterruptedException, TimeoutException;

    /**
     * Asks the migration to stop and roll back what it changed on the target; returns at once.
     *
     * @throws dev.pgmigrate.api.MigrationException if it already reached a final status
     */
    void cancel();

    /**
     * Triggers an online migration's cutover; returns at once. The migration applies the source's last changes
     * (stop the writes to the source first), sets the sequences, verifies the target and ends; {@link #completion}
     * tells when.
     *
     * @throws dev.pgmigrate.api.MigrationException if the migration is offline, or is not waiting for the cutover
     *     (status {@code WaitingForUserAction})
     * @since 0.3
     */
    void cutover();
}
