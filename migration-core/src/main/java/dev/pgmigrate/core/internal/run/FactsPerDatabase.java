package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.Validator;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facts the validators of one validation declared ({@link Validator#databaseFacts()}), read once per selected
 * source database by that database's task, on the session its checks share, before they run. A fact that could
 * not be read keeps its failure, which every validator asking for it gets.
 *
 * <p>Thread-safe. A database's facts are written by its task alone, before its own checks read them; the
 * instance validators that declared facts run after every database's task ended.
 */
final class FactsPerDatabase {
    private static final Logger log = LoggerFactory.getLogger(FactsPerDatabase.class);

    /** Facts are told apart by identity, which {@link DatabaseFact} keeps as its equality. */
    private final Set<DatabaseFact<?>> declared = new LinkedHashSet<>();
    /** The validators that declared any, by identity. */
    private final Set<Validator> needing = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, Map<DatabaseFact<?>, Answer>> read = new ConcurrentHashMap<>();

    /** What one fact's query gave: its value, or its failure. */
    private record Answer(Object value, Exception failure) {
    }

    private FactsPerDatabase() {
    }

    /** Every fact {@code validators} declare, each once. */
    static FactsPerDatabase declaredBy(List<Validator> validators) {
        FactsPerDatabase facts = new FactsPerDatabase();
        for (Validator validator : validators) {
            Set<DatabaseFact<?>> declared = declaredBy(validator);
            if (!declared.isEmpty()) {
                facts.declared.addAll(declared);
                facts.needing.add(validator);
            }
        }
        return facts;
    }

    private static Set<DatabaseFact<?>> declaredBy(Validator validator) {
        try {
            Set<DatabaseFact<?>> declared = validator.databaseFacts();
            return declared == null ? Set.of() : declared;
        } catch (RuntimeException e) {
            // Its validate() runs all the same: a fact it then asks for is read on a connection of its own.
            log.warn("Validator {} threw when asked for its database facts; reading none for it", validator.id(), e);
            return Set.of();
        }
    }

    /** Whether {@code validator} declared facts, and so runs, if instance-scoped, after every database's task. */
    boolean needsFacts(Validator validator) {
        return needing.contains(validator);
    }

    /**
     * Reads every declared fact in {@code database}, when the source has it, on connections from {@code source};
     * blocking. A failure is kept, not thrown.
     */
    void read(String database, ServerAccess source) {
        Optional<ServerFacts> facts = source.facts();
        if (declared.isEmpty() || facts.isEmpty() || !facts.get().databases().contains(database)) {
            return;
        }
        long start = System.nanoTime();
        Map<DatabaseFact<?>, Answer> answers = new LinkedHashMap<>();
        for (DatabaseFact<?> fact : declared) {
            try (Connection connection = source.connect(database)) {
                answers.put(fact, new Answer(fact.read(connection, facts.get()), null));
            } catch (MigrationCanceledException e) {
                throw e;
            } catch (SQLException | RuntimeException e) {
                log.debug("Reading the fact '{}' of database {} failed; its validators report it", fact.name(),
                        database, e);
                answers.put(fact, new Answer(null, e));
            }
        }
        read.put(database, answers);
        log.debug("Read {} facts of database {} in {} ms", answers.size(), database,
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The value of {@code fact} in {@code database}: as read for the validators, or else read now on a connection
     * from {@code source}.
     *
     * @throws SQLException if reading it failed, a copy of the failure with its message and SQLState
     */
    <T> T valueOf(DatabaseFact<T> fact, String database, ServerAccess source) throws SQLException {
        Optional<Answer> answer = Optional.ofNullable(read.get(database)).map(a -> a.get(fact));
        if (answer.isEmpty()) {
            ServerFacts facts = source.facts().orElseThrow(() -> new IllegalStateException("Cannot read the fact '"
                    + fact.name() + "' of database " + database + ": the source's facts are not known"));
            try (Connection connection = source.connect(database)) {
                return fact.read(connection, facts);
            }
        }
        Exception failure = answer.get().failure();
        if (failure instanceof SQLException e) {
            // A copy per reader: each gets a stack trace of its own, with the first as its cause.
            throw new SQLException(e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
        if (failure instanceof RuntimeException e) {
            throw e; // as if the validator had read the fact itself
        }
        @SuppressWarnings("unchecked") // put by read() under this very fact, which answers T
        T value = (T) answer.get().value();
        return value;
    }
}
