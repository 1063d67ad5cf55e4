package dev.pgmigrate.it;

import dev.pgmigrate.api.spi.CopyChecksum;
import dev.pgmigrate.api.spi.CopyContext;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import dev.pgmigrate.copy.BinaryCopyMover;
import dev.pgmigrate.copy.TextCopyMover;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Predicate;

/** Data movers for tests that look at, or change, the target while the engine copies. */
final class TestMovers {
    private TestMovers() {
    }

    /** What a test mover does on the worker's connections, besides copying with the text mover. */
    interface Step {
        void run(CopyTask task, CopyContext context) throws SQLException;
    }

    /**
     * A mover of the tables {@code supports} accepts, ahead of the built-in ones: copies each with the text mover,
     * then runs {@code then}.
     */
    static DataMover textMoverThen(String id, Predicate<CopyTask> supports, Step then) {
        return textMoverAround(id, supports, (task, context) -> { }, then);
    }

    /** As {@link #textMoverThen}, running {@code first} before each copy as well. */
    static DataMover textMoverAround(String id, Predicate<CopyTask> supports, Step first, Step then) {
        return new Spy(id) {
            @Override
            public boolean supports(CopyTask task) {
                return supports.test(task);
            }

            @Override
            public MoveResult move(CopyTask task, CopyContext context) throws SQLException {
                first.run(task, context);
                MoveResult moved = new TextCopyMover().move(task, context);
                then.run(task, context);
                return moved;
            }
        };
    }

    /** A test mover under its own id, ahead of the built-in ones. */
    private abstract static class Spy implements DataMover {
        private final String id;

        Spy(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public int priority() {
            return 1000;
        }
    }

    /** What a test mover does on the target's connection before it reads a table back for the verification. */
    interface ReadBackStep {
        void run(CopyTask task, Connection target) throws SQLException;
    }

    /** What a wrapping mover does after the binary mover moved a task, and what it returns instead. */
    interface AfterMove {
        MoveResult apply(CopyTask task, CopyContext context, MoveResult moved) throws SQLException;
    }

    /**
     * A mover of the tables {@code supports} accepts, ahead of the built-in ones: the binary mover, which checksums
     * its copy, running {@code first} before each read-back of the verification.
     */
    static DataMover binaryMoverReadingBack(String id, Predicate<CopyTask> supports, ReadBackStep first) {
        return binaryMoverAround(id, supports, (task, context, moved) -> moved, first);
    }

    /** As {@link #binaryMoverReadingBack}, with {@code after} on each move as well. */
    static DataMover binaryMoverAround(String id, Predicate<CopyTask> supports, AfterMove after,
            ReadBackStep beforeReadBack) {
        DataMover binary = new BinaryCopyMover();
        return new Spy(id) {
            @Override
            public boolean supports(CopyTask task) {
                return supports.test(task) && binary.supports(task);
            }

            @Override
            public MoveResult move(CopyTask task, CopyContext context) throws SQLException {
                return after.apply(task, context, binary.move(task, context));
            }

            @Override
            public Optional<CopyChecksum.Sum> checksum(CopyTask task, Connection connection) throws SQLException {
                beforeReadBack.run(task, connection);
                return binary.checksum(task, connection);
            }
        };
    }
}
