package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.LeftOut;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ValidationContext;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every validator: instance-scoped ones once, database-scoped ones once per selected database, all on the
 * migration's worker pool. A validator that throws becomes its own Failed result; the others still run. The
 * checks of one database run one after another in a task of their own, reusing each other's connections, after
 * it read the facts validators declared ({@link FactsPerDatabase}); instance-scoped validators that declared
 * facts run once every database's task ended.
 */
public final class ValidationRunner {
    private static final Logger log = LoggerFactory.getLogger(ValidationRunner.class);

    private ValidationRunner() {
    }

    public static List<ValidationResult> run(MigrationSpec spec, List<Validator> validators, Endpoint source,
            Endpoint target, ExecutorService executor, CancelSignal cancel) throws InterruptedException {
        Map<String, SelectionCheck.Resolved> selections = SelectionCheck.resolve(spec, source, executor);
        List<ValidationResult> results = new ArrayList<>();
        selections.forEach((database, selection) -> results.addAll(SelectionCheck.results(database, selection)));
        FactsPerDatabase facts = FactsPerDatabase.declaredBy(validators);
        try (ValidationAccess sourceAccess = new ValidationAccess(source);
                ValidationAccess targetAccess = new ValidationAccess(target)) {
            TargetFacts targetFacts = new TargetFacts(targetAccess);
            List<Future<List<ValidationResult>>> futures = new ArrayList<>();
            List<Validator> perDatabase = new ArrayList<>();
            List<Validator> instance = new ArrayList<>();
            List<Validator> afterFacts = new ArrayList<>();
            for (Validator validator : validators) {
                if (validator.scope() != ValidationScope.INSTANCE) {
                    perDatabase.add(validator);
                } else if (facts.needsFacts(validator)) {
                    afterFacts.add(validator);
                } else {
                    instance.add(validator);
                }
            }
            // One task per database reads its facts, then runs its checks one after another, so that they share
            // its connections. The longest tasks, they are queued first: the instance's checks, a few milliseconds
            // each, then fill the other workers beside them instead of ahead of them.
            for (String database : spec.databases()) {
                LeftOut leftOut = SelectionCheck.leftOut(Optional.ofNullable(selections.get(database)));
                futures.add(executor.submit(() -> runDatabase(spec, perDatabase, sourceAccess, targetAccess,
                        database, leftOut, facts, targetFacts)));
            }
            for (Validator validator : instance) {
                futures.add(executor.submit(() -> runOne(validator, new Context(spec, sourceAccess,
                        targetAccess, Optional.empty(), validator.id(), LeftOut.NOTHING, facts, targetFacts))));
            }
            collect(futures, results, cancel);
            // These read what every database's task read, instead of logging in to each database in turn.
            futures.clear();
            for (Validator validator : afterFacts) {
                futures.add(executor.submit(() -> runOne(validator, new Context(spec, sourceAccess,
                        targetAccess, Optional.empty(), validator.id(), LeftOut.NOTHING, facts, targetFacts))));
            }
            collect(futures, results, cancel);
        }
        results.sort(order(spec));
        return results;
    }

    private static List<ValidationResult> runDatabase(MigrationSpec spec, List<Validator> validators,
            ValidationAccess source, ValidationAccess target, String database, LeftOut leftOut,
            FactsPerDatabase facts, TargetFacts targetFacts) {
        source.open(database);
        target.open(database);
        try {
            facts.read(database, source);
            List<ValidationResult> results = new ArrayList<>();
            for (Validator validator : validators) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new MigrationCanceledException("Validation was canceled");
                }
                results.addAll(runOne(validator, new Context(spec, source, target, Optional.of(database),
                        validator.id(), leftOut, facts, targetFacts)));
            }
            return results;
        } finally {
            source.done(database);
            target.done(database);
        }
    }

    private static void collect(List<Future<List<ValidationResult>>> futures, List<ValidationResult> results,
            CancelSignal cancel) throws InterruptedException {
        try {
            for (Future<List<ValidationResult>> future : futures) {
                while (true) {
                    try {
                        results.addAll(future.get(200, java.util.concurrent.TimeUnit.MILLISECONDS));
                        break;
                    } catch (java.util.concurrent.TimeoutException e) {
                        if (cancel.isCanceled()) {
                            futures.forEach(f -> f.cancel(true));
                            cancel.check();
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MigrationCanceledException canceled) {
                throw canceled;
            }
            throw new IllegalStateException("validation runner failed unexpectedly", e.getCause());
        }
    }

    private static Comparator<ValidationResult> order(MigrationSpec spec) {
        return Comparator.<ValidationResult>comparingInt(r -> r.database().map(d -> 1 + spec.databases().indexOf(d))
                        .orElse(0))
                .thenComparing(r -> ValidationStatus.FAILED.ordinal() - r.status().ordinal())
                .thenComparing(ValidationResult::validatorId);
    }

    private static List<ValidationResult> runOne(Validator validator, Context context) {
        long start = System.nanoTime();
        try {
            List<ValidationResult> results = validator.validate(context);
            if (results == null) {
                return List.of(crashed(context, "returned null instead of a list of results"));
            }
            log.debug("Validator {} {} gave {} results in {} ms", validator.id(), context.database().orElse(""),
                    results.size(), (System.nanoTime() - start) / 1_000_000);
            return results;
        } catch (MigrationCanceledException e) {
            throw e;
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) { // lock_timeout, which the validators' sessions set
                log.warn("Validator {} waited too long for a lock; reporting it as Failed", validator.id(), e);
                return List.of(context.failed("The check could not run: it waited "
                        + EngineOptions.lockTimeoutSeconds(context.spec().settings()) + " s "
                        + "(settings.options.source.lockTimeoutSeconds) for a table another session holds: "
                        + Sql.firstLine(e.getMessage()) + ".", "The migration's snapshot would wait for that session "
                        + "too, and fail as this check did.", "End the session that holds the table (an ALTER TABLE, "
                        + "a TRUNCATE, a LOCK TABLE left open) or let it finish, then rerun the validation; or raise "
                        + "settings.options.source.lockTimeoutSeconds.", List.of()));
            }
            log.warn("Validator {} failed on a query; reporting it as Failed", validator.id(), e);
            return List.of(crashed(context, "a catalog query failed: " + e.getMessage() + " (SQLState "
                    + e.getSQLState() + ")"));
        } catch (RuntimeException | LinkageError e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new MigrationCanceledException("Validation was canceled", e);
            }
            log.warn("Validator {} threw; reporting it as Failed", validator.id(), e);
            return List.of(crashed(context, "it threw " + e));
        }
    }

    private static ValidationResult crashed(Context context, String what) {
        return context.failed("The check could not run: " + what,
                "A check that cannot run cannot vouch for the migration.",
                "Fix the cause shown, or report the problem to the validator's author; rerun the validation.",
                List.of());
    }

    private record Context(MigrationSpec spec, ServerAccess source, ServerAccess target, Optional<String> database,
            String validatorId, LeftOut leftOut, FactsPerDatabase facts, TargetFacts targetFacts)
            implements ValidationContext {
        @Override
        public <T> T fact(DatabaseFact<T> fact, String database) throws SQLException {
            return facts.valueOf(fact, database, source);
        }

        @Override
        public <T> T targetFact(DatabaseFact<T> fact) throws SQLException {
            return targetFacts.valueOf(fact);
        }
    }
}
