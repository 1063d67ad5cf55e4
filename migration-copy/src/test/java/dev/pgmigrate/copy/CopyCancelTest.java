package dev.pgmigrate.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.testkit.MigrationMatrix;
import dev.pgmigrate.testkit.ServerPair;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;

class CopyCancelTest {
    /** Far more than any cancel should take; the point is that it ends, not how fast. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    /** 200,000 rows on the source, an empty table of the same shape on the target. */
    private static Fixture fixture(ServerPair pair) {
        Fixture f = Fixture.of(pair, "cancel");
        f.onBoth("CREATE TABLE t (id int, filler text)");
        f.source().execute(f.db(), "INSERT INTO t SELECT g, repeat('f', 100) FROM generate_series(1, 200000) g");
        return f;
    }

    @AfterEach
    void stopWorker() {
        worker.shutdownNow();
    }

    /** The whole table, slowed down on the source so that it takes far longer than the test waits. */
    private static CopyTask slowTask(Fixture f) throws SQLException {
        return f.task("t", Optional.of("pg_sleep(0.0002) IS NOT NULL"), 1, 1, false);
    }

    private record Started(Future<?> move, TestCopyContext context, AtomicReference<Thread> thread) {
    }

    private Started startMove(Fixture f, DataMover mover, CopyTask task) throws Exception {
        TestCopyContext context = f.open();
        CountDownLatch moving = new CountDownLatch(1);
        context.onProgress(moving::countDown);
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<?> move = worker.submit(() -> {
            thread.set(Thread.currentThread());
            return mover.move(task, context);
        });
        assertThat(moving.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the copy reported progress").isTrue();
        return new Started(move, context, thread);
    }

    private static Throwable failureOf(Future<?> move) throws Exception {
        try {
            move.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the move was expected to fail");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** After its owner rolls back, each connection takes statements again: nothing is left in COPY mode. */
    private static void assertUsableAfterRollback(Fixture f, TestCopyContext context) throws SQLException {
        for (Connection c : new Connection[] {context.source(), context.target()}) {
            try (Statement s = c.createStatement()) {
                s.execute("ROLLBACK");
                assertThat(s.executeQuery("SELECT count(*) FROM t").next()).isTrue();
            }
        }
        assertThat(f.onTarget("SELECT count(*) FROM t")).isEqualTo("0");
    }

    @MigrationMatrix(Fixture.SAME)
    void stopsWhenTheEngineCancelsTheRunningStatements(ServerPair pair) throws Exception {
        Fixture f = fixture(pair);
        Started started = startMove(f, new BinaryCopyMover(), slowTask(f));
        try (var context = started.context()) {
            context.cancelLikeEngine();

            assertThat(failureOf(started.move())).isInstanceOf(MigrationCanceledException.class)
                    .hasMessageContaining("public.t");
            assertUsableAfterRollback(f, context);
        }
    }

    @MigrationMatrix(Fixture.SAME)
    void stopsBetweenBuffersWhenOnlyTheFlagIsSet(ServerPair pair) throws Exception {
        Fixture f = fixture(pair);
        Started started = startMove(f, new TextCopyMover(), slowTask(f));
        try (var context = started.context()) {
            context.cancelFlagOnly();

            assertThat(failureOf(started.move())).isInstanceOf(MigrationCanceledException.class);
            assertUsableAfterRollback(f, context);
        }
    }

    @MigrationMatrix(Fixture.SAME)
    void stopsWhenItsThreadIsInterrupted(ServerPair pair) throws Exception {
        Fixture f = fixture(pair);
        Started started = startMove(f, new BinaryCopyMover(), slowTask(f));
        try (var context = started.context()) {
            started.thread().get().interrupt();

            assertThat(failureOf(started.move())).isInstanceOf(MigrationCanceledException.class);
            assertUsableAfterRollback(f, context);
        }
    }

    @MigrationMatrix(Fixture.SAME)
    void leavesNoConnectionInCopyModeWhenTheSourceFails(ServerPair pair) throws Exception {
        Fixture f = fixture(pair);
        CopyTask failing = f.task("t", Optional.of("1 / (id - 150000) IS NOT NULL"), 1, 1, false);
        try (var context = f.open()) {
            Throwable failure = failureOf(worker.submit(() -> new BinaryCopyMover().move(failing, context)));

            assertThat(failure).isInstanceOf(SQLException.class)
                    .hasMessageContaining("read COPY data from the source").hasMessageContaining("22012");
            assertUsableAfterRollback(f, context);
        }
    }

    @MigrationMatrix(Fixture.SAME)
    void leavesNoConnectionInCopyModeWhenTheTargetFails(ServerPair pair) throws Exception {
        Fixture f = fixture(pair);
        f.target().execute(f.db(), "ALTER TABLE t ADD CHECK (id < 150000)");
        CopyTask whole = f.task("t");
        try (var context = f.open()) {
            Throwable failure = failureOf(worker.submit(() -> new BinaryCopyMover().move(whole, context)));

            assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("23514");
            assertUsableAfterRollback(f, context);
        }
    }

    /**
     * The source's COPY starts beside the mover's thread while the target's starts; when the target's cannot (its
     * table is missing), the source's, started or starting, is canceled: both connections take statements again.
     * The same with the source's started first on the mover's own thread, the default.
     */
    @MigrationMatrix(Fixture.SAME)
    void aTargetCopyThatCannotStartCancelsTheSourcesStartedBesideIt(ServerPair pair) throws Exception {
        Fixture f = fixture(pair);
        f.target().execute(f.db(), "DROP TABLE t");
        CopyTask whole = f.task("t");
        ExecutorService beside = Executors.newSingleThreadExecutor();
        try {
            for (java.util.concurrent.Executor executor : List.<java.util.concurrent.Executor>of(beside,
                    Runnable::run)) {
                try (var context = f.open()) {
                    context.beside(executor);
                    Throwable failure = failureOf(worker.submit(() -> new BinaryCopyMover().move(whole, context)));

                    assertThat(failure).isInstanceOf(SQLException.class)
                            .hasMessageContaining("start COPY FROM STDIN on the target").hasMessageContaining("42P01");
                    try (Statement s = context.source().createStatement();
                            Statement t = context.target().createStatement()) {
                        s.execute("ROLLBACK");
                        t.execute("ROLLBACK");
                        var rows = s.executeQuery("SELECT count(*) FROM t");
                        assertThat(rows.next()).isTrue();
                        assertThat(rows.getLong(1)).isEqualTo(200_000L);
                        assertThat(t.executeQuery("SELECT 1").next()).isTrue();
                    }
                }
            }
        } finally {
            beside.shutdownNow();
        }
    }

    /** With the source's COPY started beside the mover's thread, the copy is whole and the same. */
    @MigrationMatrix(Fixture.SAME)
    void copiesWithTheSourcesCopyStartedBeside(ServerPair pair) throws Exception {
        Fixture f = fixture(pair);
        ExecutorService beside = Executors.newSingleThreadExecutor();
        try (var context = f.open()) {
            context.beside(beside);
            new BinaryCopyMover().move(f.task("t"), context);
            context.commit();
        } finally {
            beside.shutdownNow();
        }
        String[] digests = f.digests("t");
        assertThat(digests[1]).isEqualTo(digests[0]);
        assertThat(f.onTarget("SELECT count(*) FROM t")).isEqualTo("200000");
    }
}
