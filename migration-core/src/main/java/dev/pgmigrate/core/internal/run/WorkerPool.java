package dev.pgmigrate.core.internal.run;

import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one bounded pool of a migration, with named threads. Work with a higher priority runs first, so an
 * index build queued when its table's data is in overtakes big copies still waiting (not the last few small
 * ones), and copies run in the order of their priorities (the data phase gives them in {@code CopyOrder}).
 */
public final class WorkerPool extends AbstractExecutorService implements AutoCloseable {
    /** Index and constraint builds of a table whose data is in. */
    public static final int PRIORITY_POST_DATA = 3_000_000;
    /** Everything else runs in submission order at this priority. */
    public static final int PRIORITY_DEFAULT = 0;
    /** Builds that wait for the last few small copies (copies run at priority 1 and up). */
    public static final int PRIORITY_AFTER_COPIES = -1;
    /** A table's verification during the copy: only when no copy or build waits. */
    public static final int PRIORITY_VERIFY = -2;
    /** What waits for a table's comparison to let go of it: after every comparison queued. */
    public static final int PRIORITY_AFTER_VERIFY = -3;

    private static final AtomicInteger POOLS = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final ThreadPoolExecutor executor;
    /** The workers running a task, and each one's task. */
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Prioritized<?>> current = new ThreadLocal<>();
    private final ThreadPoolExecutor beside;

    public WorkerPool(int threads, String name) {
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new PriorityBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "pgmigrate-" + name + "-" + (threads == 1 ? pool : pool + "-")
                            + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                running.add(t);
                current.set(r instanceof Prioritized<?> task ? task : null);
            }

            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                current.remove();
                running.remove(Thread.currentThread());
            }
        };
        AtomicInteger besideCount = new AtomicInteger();
        beside = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "pgmigrate-" + name + "-" + pool + "-beside-"
                            + besideCount.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        beside.allowCoreThreadTimeOut(true);
    }

    /**
     * Threads for work a task runs beside its own, such as starting the source's COPY while the target starts its
     * own ({@link dev.pgmigrate.api.spi.CopyContext#beside}): as many as the pool has workers, made when first
     * needed and gone after 30 s idle, so that a task never waits for another's.
     */
    public java.util.concurrent.Executor beside() {
        return beside;
    }

    /** Runs {@code task} when a worker is free, higher {@code priority} first, then in submission order. */
    public <T> Future<T> submit(Callable<T> task, long priority) {
        Prioritized<T> future = new Prioritized<>(task, priority, sequence.incrementAndGet());
        executor.execute(future);
        return future;
    }

    /**
     * How many workers have nothing to do, as seen from the task running on this thread: none while any task waits
     * in the queue. The worker that queued this task counts as idle: tasks queue their successors as their last
     * act, so it is ending, though it may not have ended yet when this task starts on another worker.
     */
    public int idleWorkers() {
        if (!executor.getQueue().isEmpty()) {
            return 0;
        }
        int busy = running.size();
        Prioritized<?> task = current.get();
        if (task != null && task.submitter != Thread.currentThread() && running.contains(task.submitter)) {
            busy--;
        }
        return Math.max(0, executor.getMaximumPoolSize() - busy);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new Prioritized<>(callable, PRIORITY_DEFAULT, sequence.incrementAndGet());
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return new Prioritized<>(java.util.concurrent.Executors.callable(runnable, value), PRIORITY_DEFAULT,
                sequence.incrementAndGet());
    }

    @Override
    public void execute(Runnable command) {
        if (command instanceof Prioritized<?>) {
            executor.execute(command);
        } else {
            executor.execute(newTaskFor(command, null));
        }
    }

    @Override
    public void shutdown() {
        executor.shutdown();
        beside.shutdown();
    }

    /**
     * Stops the workers now, and the threads beside them once their queued work is done: a worker waits for the
     * COPY it had started beside it, and a start left in the queue would leave it waiting forever.
     */
    @Override
    public List<Runnable> shutdownNow() {
        beside.shutdown();
        return executor.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return executor.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return executor.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return executor.awaitTermination(timeout, unit);
    }

    @Override
    public void close() {
        shutdownNow();
    }

    private static final class Prioritized<T> extends FutureTask<T> implements Comparable<Prioritized<?>> {
        private final long priority;
        private final long sequence;
        private final Thread submitter = Thread.currentThread();

        Prioritized(Callable<T> callable, long priority, long sequence) {
            super(callable);
            this.priority = priority;
            this.sequence = sequence;
        }

        @Override
        public int compareTo(Prioritized<?> other) {
            int byPriority = Long.compare(other.priority, priority);
            return byPriority != 0 ? byPriority : Long.compare(sequence, other.sequence);
        }
    }
}
