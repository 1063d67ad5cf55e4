package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.internal.run.MigrationRun;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The handle of a migration this service runs. */
final class RunHandle implements MigrationHandle {
    private final MigrationRun run;

    RunHandle(MigrationRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return run.keeper().name();
    }

    @Override
    public MigrationRecord record() {
        return run.keeper().record();
    }

    @Override
    public CompletableFuture<MigrationRecord> completion() {
        return run.completion();
    }

    @Override
    public MigrationRecord await() throws InterruptedException {
        try {
            return run.completion().get();
        } catch (ExecutionException e) {
            throw new MigrationException(MessageCode.INTERNAL,
                    "Migration " + name() + " ended abnormally", e.getCause());
        }
    }

    @Override
    public MigrationRecord await(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return run.completion().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new MigrationException(MessageCode.INTERNAL,
                    "Migration " + name() + " ended abnormally", e.getCause());
        }
    }

    @Override
    public void cancel() {
        requireCancelable(run.keeper().record());
        run.cancel("canceled");
    }

    @Override
    public void cutover() {
        requireCutoverWaiting(run.keeper().record());
        run.cutover(run.keeper().now());
    }

    /** Refuses a cutover unless the migration is online and waits for it. */
    static void requireCutoverWaiting(MigrationRecord record) {
        if (record.spec().mode() != MigrationMode.ONLINE) {
            throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT,
                    "Migration '" + record.name() + "' is offline: it cuts over automatically once its data is "
                    + "copied and verified. Only an online migration takes a cutover; to stop this one, cancel it.");
        }
        if (record.status().isFinal()) {
            throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT,
                    "Migration '" + record.name() + "' already ended with status " + record.status().label()
                    + "; there is nothing left to cut over.");
        }
        if (record.status() != MigrationStatus.WAITING_FOR_USER_ACTION && record.cutoverRequestedAt().isEmpty()) {
            throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT,
                    "Migration '" + record.name() + "' is " + record.status().label() + " / "
                    + record.substatus().label() + ": the cutover can be triggered once every database is copied "
                    + "and follows the source (status WaitingForUserAction / WaitingForCutoverTrigger). Watch it "
                    + "with 'pgmigrate migration show --name " + record.name() + "'.");
        }
    }

    /** Refuses to cancel a migration that already ended. */
    static void requireCancelable(MigrationRecord record) {
        if (!record.status().isCancelable()) {
            throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT,
                    "Migration '" + record.name() + "' already ended with status "
                    + record.status().label() + "; only a migration in progress can be canceled.");
        }
    }
}
