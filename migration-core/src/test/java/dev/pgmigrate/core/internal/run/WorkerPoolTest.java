package dev.pgmigrate.core.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    @Test
    void aTaskSeesTheWorkersThatRunNothing() throws Exception {
        try (WorkerPool pool = new WorkerPool(3, "test")) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocking = new CountDownLatch(1);
            pool.submit(() -> {
                blocking.countDown();
                return release.await(10, TimeUnit.SECONDS);
            }, WorkerPool.PRIORITY_DEFAULT);
            // Measured once the blocked task runs: a worker that has not yet taken it counts as idle.
            assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Integer> idle = pool.submit(pool::idleWorkers, WorkerPool.PRIORITY_DEFAULT);
            assertThat(idle.get(10, TimeUnit.SECONDS)).isEqualTo(1); // three, less the blocked one and itself
            release.countDown();
        }
    }

    @Test
    void theWorkerThatQueuedATaskAsItsLastActCountsAsIdle() throws Exception {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            CountDownLatch measured = new CountDownLatch(1);
            Future<Future<Integer>> first = pool.submit(() -> {
                Future<Integer> successor = pool.submit(() -> {
                    try {
                        return pool.idleWorkers();
                    } finally {
                        measured.countDown();
                    }
                }, WorkerPool.PRIORITY_DEFAULT);
                // Still running, as a task may be for a moment after queueing its successor.
                measured.await(10, TimeUnit.SECONDS);
                return successor;
            }, WorkerPool.PRIORITY_DEFAULT);
            assertThat(first.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void noWorkerIsIdleWhileATaskWaits() throws Exception {
        try (WorkerPool pool = new WorkerPool(1, "test")) {
            Future<Integer> idle = pool.submit(() -> {
                pool.submit(() -> null, WorkerPool.PRIORITY_DEFAULT);
                return pool.idleWorkers();
            }, WorkerPool.PRIORITY_DEFAULT);
            assertThat(idle.get(10, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void workQueuedBesideTheWorkersStillRunsWhenThePoolStopsNow() throws Exception {
        try (WorkerPool pool = new WorkerPool(1, "test")) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch queuedRan = new CountDownLatch(1);
            pool.beside().execute(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // The pool's one thread beside is busy: this waits in its queue, as a worker's COPY start may.
            pool.beside().execute(queuedRan::countDown);
            pool.shutdownNow();
            release.countDown();
            assertThat(queuedRan.await(10, TimeUnit.SECONDS)).as("the queued start ran").isTrue();
        }
    }
}
