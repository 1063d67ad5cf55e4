package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Stable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;

/**
 * Moves the rows of one table, or one range of it, from the source to the target.
 *
 * <p>Found with {@link java.util.ServiceLoader}: an implementation needs a public no-argument constructor that
 * does no I/O. One instance serves many threads at once, so it keeps no per-task state in fields. For each
 * task the engine asks every mover whether it {@link #supports} the task and takes the one with the highest
 * {@link #priority}; a vendor's mover with a higher priority takes over the tables it claims.
 *
 * <p>It must stream: memory use may not grow with the table's size.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public interface DataMover {
    /** Unique id shown in reports, such as {@code "binary-copy"}. */
    String id();

    /** Preference among movers that support a task; higher wins. The built-in ones use 100 and 10. */
    int priority();

    /** Whether it can move {@code task} correctly, judged from the task alone (no I/O). */
    boolean supports(CopyTask task);

    /**
     * Copies the task's rows, blocking, reporting progress through {@code context}.
     *
     * @return the rows and bytes moved
     * @throws SQLException when either server reports an error; the engine adds the table and database
     * @throws dev.pgmigrate.api.MigrationCanceledException when it stopped because of a cancel
     */
    MoveResult move(CopyTask task, CopyContext context) throws SQLException;

    /**
     * Reads the rows {@code task} selects on {@code connection} (the target's table, after the copy) as
     * {@link #move} reads the source's, and returns their {@link CopyChecksum}, computed as {@code move} computes it
     * when {@link CopyContext#checksumRows()} asks: the engine compares it with the sum of the checksums of the
     * table's parts, instead of reading the source's rows again. Empty, the default, when this mover computes none;
     * the engine then compares checksums computed by both servers.
     *
     * @throws SQLException when the server reports an error
     * @since 0.3
     */
    default Optional<CopyChecksum.Sum> checksum(CopyTask task, Connection connection) throws SQLException {
        return Optional.empty();
    }

    /**
     * Whether {@link #move} runs {@code task} as one statement on the target (a single {@code COPY}), which the
     * server applies whole or not at all: the engine then runs it without a transaction of its own when the task
     * is not {@link CopyTask#freeze}, sparing the {@code BEGIN} and {@code COMMIT} round trips of every table, and
     * {@link CopyContext#target()} is in autocommit mode. False, the default, keeps every task in the engine's
     * transaction.
     *
     * @since 0.3
     */
    default boolean runsOneStatement(CopyTask task) {
        return false;
    }

    /**
     * The names in {@code settings.options} it reads, such as {@code "copy.bufferBytes"}; none unless it says
     * otherwise. The engine refuses a name that neither it nor any plugin declares when it begins with a prefix
     * (the part up to the first {@code '.'}) that the engine or a plugin declares a name under, so that a typo
     * there is an error, not a setting silently ignored; names under other prefixes are left to their plugins.
     *
     * @return the names, never {@code null}
     * @since 0.3
     */
    default Set<String> options() {
        return Set.of();
    }
}
