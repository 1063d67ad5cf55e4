package dev.pgmigrate.core.internal.run;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A group of tasks on the worker pool that may submit more tasks, awaited together. The first failure stops
 * the rest (their statements are canceled on the servers) and is what {@link #await()} throws: no worker is left
 * waiting silently for another that failed.
 */
public final class TaskTracker {
    private final WorkerPool pool;
    private final CancelSignal cancel;
    private final CancelSignal abort;
    private int pending;
    private Throwable failure;

    public TaskTracker(WorkerPool pool, CancelSignal cancel, CancelSignal abort) {
        this.pool = pool;
        this.cancel = cancel;
        this.abort = abort;
    }

    public void submit(Callable<?> task, long priority) {
        synchronized (this) {
            pending++;
        }
        pool.submit(() -> {
            try {
                if (!stopped()) {
                    task.call();
                }
            } catch (Throwable t) {
                fail(t);
            } finally {
                synchronized (this) {
                    pending--;
                    notifyAll();
                }
            }
            return null;
        }, priority);
    }

    boolean stopped() {
        return cancel.isCanceled() || abort.isCanceled();
    }

    private void fail(Throwable t) {
        boolean first;
        synchronized (this) {
            first = failure == null && !abort.explains(t);
            if (first) {
                failure = t;
            }
            notifyAll();
        }
        if (first) {
            abort.cancel("stopped because another task failed");
        }
    }

    /** Waits until every task has ended; throws the first failure, or the cancel. */
    public void await() throws Exception {
        synchronized (this) {
            while (pending > 0 && failure == null) {
                wait(200);
                if (cancel.isCanceled()) {
                    break;
                }
            }
            // After a failure or cancel, give running tasks a moment to stop so no COPY is left half-open.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pending > 0 && System.nanoTime() < deadline) {
                wait(100);
            }
            if (failure != null && !cancel.explains(failure)) {
                if (failure instanceof Exception e) {
                    throw e;
                }
                throw new IllegalStateException(failure);
            }
        }
        cancel.check();
    }
}
