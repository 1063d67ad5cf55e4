package dev.pgmigrate.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CopyCancelTest {
    private static final String DB = "copy_cancel";
    /** Far more than any cancel should take; the point is that it ends, not how fast. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    static final TestServer source = TestServer.source();
    static final TestServer target = TestServer.target();

    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void databases() throws SQLException {
        source.recreateDatabase(DB);
        target.recreateDatabase(DB);
        source.execute(DB, "CREATE TABLE t (id int, filler text)",
                "INSERT INTO t SELECT g, repeat('f', 100) FROM generate_series(1, 200000) g");
        target.execute(DB, "CREATE TABLE t (id int, filler text)");
    }

    @AfterEach
    void stopWorker() {
        worker.shutdownNow();
    }

    /** The whole table, slowed down on the source so that it takes far longer than the test waits. */
    private static CopyTask slowTask() throws SQLException {
        return Tables.task(source, DB, "t", Optional.of("pg_sleep(0.0002) IS NOT NULL"), 1, 1, false);
    }

    private record Started(Future<?> move, TestCopyContext context, AtomicReference<Thread> thread) {
    }

    private Started startMove(DataMover mover, CopyTask task) throws Exception {
        TestCopyContext context = TestCopyContext.open(source, target, DB);
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
    private static void assertUsableAfterRollback(TestCopyContext context) throws SQLException {
        for (Connection c : new Connection[] {context.source(), context.target()}) {
            try (Statement s = c.createStatement()) {
                s.execute("ROLLBACK");
                assertThat(s.executeQuery("SELECT count(*) FROM t").next()).isTrue();
            }
        }
        assertThat(Tables.single(target, DB, "SELECT count(*) FROM t")).isEqualTo("0");
    }

    @Test
    void stopsWhenTheEngineCancelsTheRunningStatements() throws Exception {
        Started started = startMove(new BinaryCopyMover(), slowTask());
        try (var context = started.context()) {
            context.cancelLikeEngine();

            assertThat(failureOf(started.move())).isInstanceOf(MigrationCanceledException.class)
                    .hasMessageContaining("public.t");
            assertUsableAfterRollback(context);
        }
    }

    @Test
    void stopsBetweenBuffersWhenOnlyTheFlagIsSet() throws Exception {
        Started started = startMove(new TextCopyMover(), slowTask());
        try (var context = started.context()) {
            context.cancelFlagOnly();

            assertThat(failureOf(started.move())).isInstanceOf(MigrationCanceledException.class);
            assertUsableAfterRollback(context);
        }
    }

    @Test
    void stopsWhenItsThreadIsInterrupted() throws Exception {
        Started started = startMove(new BinaryCopyMover(), slowTask());
        try (var context = started.context()) {
            started.thread().get().interrupt();

            assertThat(failureOf(started.move())).isInstanceOf(MigrationCanceledException.class);
            assertUsableAfterRollback(context);
        }
    }

    @Test
    void leavesNoConnectionInCopyModeWhenTheSourceFails() throws Exception {
        CopyTask failing = Tables.task(source, DB, "t", Optional.of("1 / (id - 150000) IS NOT NULL"), 1, 1, false);
        try (var context = TestCopyContext.open(source, target, DB)) {
            Throwable failure = failureOf(worker.submit(() -> new BinaryCopyMover().move(failing, context)));

            assertThat(failure).isInstanceOf(SQLException.class)
                    .hasMessageContaining("read COPY data from the source").hasMessageContaining("22012");
            assertUsableAfterRollback(context);
        }
    }

    @Test
    void leavesNoConnectionInCopyModeWhenTheTargetFails() throws Exception {
        target.execute(DB, "ALTER TABLE t ADD CHECK (id < 150000)");
        try (var context = TestCopyContext.open(source, target, DB)) {
            Throwable failure = failureOf(worker.submit(() -> new BinaryCopyMover().move(
                    Tables.task(source, DB, "t"), context)));

            assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("23514");
            assertUsableAfterRollback(context);
        } finally {
            target.execute(DB, "ALTER TABLE t DROP CONSTRAINT t_id_check");
        }
    }
}
