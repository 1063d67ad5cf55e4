package dev.pgmigrate.api;

/**
 * Receives a migration's events. Called from the engine's worker threads, possibly several at once: an
 * implementation must be thread-safe and return quickly.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
@FunctionalInterface
public interface MigrationListener {
    /** Handles one event; an exception thrown here is logged and otherwise ignored. */
    void onEvent(MigrationEvent event);
}
