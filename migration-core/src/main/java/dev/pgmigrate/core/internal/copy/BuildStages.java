package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.core.internal.run.TaskTracker;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/** A table's builds in stages on the worker pool: each stage's tasks in parallel, the next once all have ended. */
final class BuildStages {
    private BuildStages() {
    }

    /**
     * One task of a stage. It calls {@code done} once it has ended, which may be later, from another task it
     * queued on {@code tracker}, so that it need not hold a worker while it waits.
     */
    interface Task {
        void run(TaskTracker tracker, Runnable done) throws Exception;

        /** A task that has ended when {@code work} returns. */
        static Task of(Callable<Void> work) {
            return (tracker, done) -> {
                work.call();
                done.run();
            };
        }
    }

    /** Queues the tasks of the first non-empty stage from {@code index}; the last of them to end queues the next. */
    static void run(TaskTracker tracker, List<List<Task>> stages, int index, long priority, Runnable then) {
        int stage = index;
        while (stage < stages.size() && stages.get(stage).isEmpty()) {
            stage++;
        }
        if (stage == stages.size()) {
            then.run();
            return;
        }
        AtomicInteger remaining = new AtomicInteger(stages.get(stage).size());
        int next = stage + 1;
        for (Task task : stages.get(stage)) {
            tracker.submit(() -> {
                task.run(tracker, () -> {
                    if (remaining.decrementAndGet() == 0) {
                        run(tracker, stages, next, priority, then);
                    }
                });
                return null;
            }, priority);
        }
    }
}
