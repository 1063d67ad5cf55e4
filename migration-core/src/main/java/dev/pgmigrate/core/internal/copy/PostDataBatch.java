package dev.pgmigrate.core.internal.copy;

import java.util.ArrayList;
import java.util.List;

/**
 * The post-data of small tables copied once the schema's restore has ended, gathered to be sent to the target
 * several tables at a time: one round trip and one transaction for up to {@link #TABLES} tables instead of one per
 * table. Over a network the round trips are most of a small table's cost (with 10,000 tables and 2.5 ms between
 * the tool and the servers, 12 s a round trip per table costs). Not while the restore runs: its transactions lock
 * many tables at once, and one of ours holding several could deadlock with it; one table's at a time cannot.
 *
 * <p>A batch is sent as soon as it is full, at the builds' priority; what is left, once no copy waits. So while
 * copies wait, pending post-data always has a task queued that will send it. Thread-safe.
 *
 * @param <T> what one table's post-data is, to the caller
 */
final class PostDataBatch<T> {
    /** Tables per round trip: at about 2 ms of the server's time each, a batch takes a tenth of a second. */
    static final int TABLES = 50;

    /** Guarded by this. */
    private final List<T> pending = new ArrayList<>();
    /** Whether a task that sends whatever is pending is queued or running; guarded by this. */
    private boolean lateQueued;
    private volatile boolean open;

    /** What {@link #add} asks the caller to queue. */
    enum Queue {
        /** Nothing: a queued task will send it. */
        NOTHING,
        /** A task that sends one full batch, at the builds' priority. */
        FULL,
        /** A task that sends everything pending once no copy waits ({@link #takeRest}). */
        REST
    }

    /** From now on tables' post-data may be gathered: the schema's restore has ended. */
    void open() {
        open = true;
    }

    boolean isOpen() {
        return open;
    }

    synchronized Queue add(T post) {
        pending.add(post);
        if (pending.size() >= TABLES) {
            return Queue.FULL;
        }
        if (!lateQueued) {
            lateQueued = true;
            return Queue.REST;
        }
        return Queue.NOTHING;
    }

    /** Up to {@link #TABLES} of what is pending, for a {@link Queue#FULL} task; may be empty. */
    synchronized List<T> takeFull() {
        return take();
    }

    /**
     * Up to {@link #TABLES} of what is pending, for the {@link Queue#REST} task, which calls it until it is empty:
     * once it is, the next {@link #add} queues another such task.
     */
    synchronized List<T> takeRest() {
        List<T> taken = take();
        if (taken.isEmpty()) {
            lateQueued = false;
        }
        return taken;
    }

    private List<T> take() {
        List<T> head = pending.subList(0, Math.min(TABLES, pending.size()));
        List<T> taken = new ArrayList<>(head);
        head.clear();
        return taken;
    }
}
