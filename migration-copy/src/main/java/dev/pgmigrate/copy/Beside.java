package dev.pgmigrate.copy;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** A COPY started on another thread while the mover's own starts the other side's, and its end either way. */
final class Beside {
    private Beside() {
    }

    /** How a COPY is started. */
    interface Start<T extends AutoCloseable> {
        T open() throws SQLException;
    }

    /** Starts {@code start} on {@code executor}; at once on this thread if the executor takes no more work. */
    static <T extends AutoCloseable> CompletableFuture<T> start(Executor executor, Start<T> start) {
        CompletableFuture<T> started = new CompletableFuture<>();
        Runnable run = () -> {
            try {
                started.complete(start.open());
            } catch (SQLException | RuntimeException | Error e) {
                started.completeExceptionally(e);
            }
        };
        try {
            executor.execute(run);
        } catch (RejectedExecutionException e) {
            run.run(); // the engine is shutting down: the copy ends on the cancel it is about to see
        }
        return started;
    }

    /** What {@code started} opened, once it has, or what failed opening it, as it was thrown. */
    static <T> T started(CompletableFuture<T> started) throws SQLException {
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** After the other side failed ({@code failure}): closes what {@code started} opens, once it has. */
    static void closeOnceStarted(CompletableFuture<? extends AutoCloseable> started, Exception failure) {
        try {
            started(started).close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }
}
