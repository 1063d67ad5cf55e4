package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facts of the target server validators asked for in one validation ({@link ValidationContext#targetFact}):
 * each read once, on the target's maintenance database, by the first to ask, while the others asking for it wait.
 * Every database's checks compare against the same answer, instead of each logging in to read it again. A fact
 * that could not be read keeps its failure, which everyone asking for it gets.
 *
 * <p>Thread-safe.
 */
final class TargetFacts {
    private static final Logger log = LoggerFactory.getLogger(TargetFacts.class);

    private final ServerAccess target;
    private final Map<DatabaseFact<?>, CompletableFuture<Object>> read = new ConcurrentHashMap<>();

    TargetFacts(ServerAccess target) {
        this.target = target;
    }

    /**
     * The value of {@code fact} on the target, read now if no one has asked for it yet.
     *
     * @throws SQLException if reading it failed, a copy of the failure with its message and SQLState
     */
    <T> T valueOf(DatabaseFact<T> fact) throws SQLException {
        ServerFacts facts = target.facts().orElseThrow(() -> new IllegalStateException("Cannot read the fact '"
                + fact.name() + "' of the target: its facts are not known"));
        CompletableFuture<Object> mine = new CompletableFuture<>();
        CompletableFuture<Object> answer = read.putIfAbsent(fact, mine);
        if (answer == null) {
            answer = mine;
            long start = System.nanoTime();
            try (Connection connection = target.connect(facts.maintenanceDatabase())) {
                mine.complete(fact.read(connection, facts));
                log.debug("Read the target's fact '{}' in {} ms", fact.name(), (System.nanoTime() - start) / 1_000_000);
            } catch (Throwable e) { // whatever it is, those waiting for the answer must not wait forever
                log.debug("Reading the target's fact '{}' failed; its validators report it", fact.name(), e);
                mine.completeExceptionally(e);
            }
        }
        try {
            @SuppressWarnings("unchecked") // put under this very fact by the one who read it, which answers T
            T value = (T) answer.get();
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationCanceledException("Validation stopped while waiting for the target's fact '"
                    + fact.name() + "'", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException failure) {
                // A copy per reader: each gets a stack trace of its own, with the first as its cause.
                throw new SQLException(failure.getMessage(), failure.getSQLState(), failure.getErrorCode(), failure);
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) e.getCause(); // as if the validator had read the fact itself
        }
    }
}
