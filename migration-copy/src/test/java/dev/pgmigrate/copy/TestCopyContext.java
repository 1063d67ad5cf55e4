package dev.pgmigrate.copy;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.CopyContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * A {@link CopyContext} set up as the engine sets it up: the source in a repeatable-read read-only
 * transaction, the target in an open transaction with {@code synchronous_commit = off}. Until the lead's
 * {@code MoverTestKit} runs movers through the real engine.
 */
final class TestCopyContext implements CopyContext, AutoCloseable {
    private final Connection source;
    private final Connection target;
    private final MigrationSettings settings;
    private final List<long[]> progress = new ArrayList<>();
    private volatile boolean canceled;
    private volatile Runnable onProgress = () -> { };
    private volatile java.util.concurrent.Executor beside = Runnable::run;
    private volatile boolean columnsMatchSource;

    private TestCopyContext(Connection source, Connection target, MigrationSettings settings) {
        this.source = source;
        this.target = target;
        this.settings = settings;
    }

    /** Takes over two new connections to the same database and opens their transactions. */
    static TestCopyContext open(Connection source, Connection target, MigrationSettings settings)
            throws SQLException {
        try (Statement s = source.createStatement(); Statement t = target.createStatement()) {
            s.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            t.execute("BEGIN");
            t.execute("SET LOCAL synchronous_commit = off");
        } catch (SQLException e) {
            try (source; target) {
                throw e;
            }
        }
        return new TestCopyContext(source, target, settings);
    }

    /** Runs {@code sql} in the target's open transaction, such as a TRUNCATE before a FREEZE copy. */
    void executeOnTarget(String sql) throws SQLException {
        try (Statement t = target.createStatement()) {
            t.execute(sql);
        }
    }

    void commit() throws SQLException {
        try (Statement s = source.createStatement(); Statement t = target.createStatement()) {
            t.execute("COMMIT");
            s.execute("COMMIT");
        }
    }

    void rollback() throws SQLException {
        try (Statement s = source.createStatement(); Statement t = target.createStatement()) {
            t.execute("ROLLBACK");
            s.execute("ROLLBACK");
        }
    }

    /** Cancels as the engine does: sets the flag, then cancels what runs on both servers. */
    void cancelLikeEngine() throws SQLException {
        canceled = true;
        source.unwrap(PGConnection.class).cancelQuery();
        target.unwrap(PGConnection.class).cancelQuery();
    }

    /** Sets the flag only; the mover must notice it between buffers. */
    void cancelFlagOnly() {
        canceled = true;
    }

    void onProgress(Runnable action) {
        onProgress = action;
    }

    /** Where the mover runs work beside its thread, as the engine's pool does; at once on its thread until set. */
    void beside(java.util.concurrent.Executor executor) {
        beside = executor;
    }

    @Override
    public java.util.concurrent.Executor beside() {
        return beside;
    }

    /** Says, as the engine does of the tables it made from the source's schema, that the columns' types match. */
    void columnsMatchSource() {
        columnsMatchSource = true;
    }

    @Override
    public boolean targetColumnsMatchSource() {
        return columnsMatchSource;
    }

    synchronized List<long[]> progressReports() {
        return List.copyOf(progress);
    }

    @Override
    public Connection source() {
        return source;
    }

    @Override
    public Connection target() {
        return target;
    }

    @Override
    public void progress(long rows, long bytes) {
        synchronized (this) {
            progress.add(new long[] {rows, bytes});
        }
        onProgress.run();
    }

    @Override
    public boolean isCanceled() {
        return canceled;
    }

    @Override
    public MigrationSettings settings() {
        return settings;
    }

    @Override
    public void close() throws SQLException {
        try (source; target) {
            // closing rolls back whatever is still open
        }
    }
}
