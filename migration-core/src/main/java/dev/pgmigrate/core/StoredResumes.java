package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.core.internal.database.ResumeCheck;
import dev.pgmigrate.core.internal.run.Rollback;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Takes over a stored migration whose process died, so this process resumes it: refused for one that ended, one
 * still running elsewhere, and an offline one whose source changed since its tables were copied; its passwords
 * come from the credentials provider.
 */
final class StoredResumes {
    private final MigrationStore store;
    private final Clock clock;
    private final MigrationService.CredentialsProvider credentials;

    /** A migration taken over: its spec with passwords, its stored state, and whether its data phase had begun. */
    record TakenOver(MigrationSpec spec, StoredMigration stored, boolean dataStarted) {
    }

    StoredResumes(MigrationStore store, Clock clock, MigrationService.CredentialsProvider credentials) {
        this.store = store;
        this.clock = clock;
        this.credentials = credentials;
    }

    /**
     * Makes this process the owner of {@code stored}, whose record is {@code view} as the service shows it. A
     * migration interrupted before its data phase changed nothing on the target, and starts again from the top.
     *
     * @throws MigrationException when it cannot be resumed; the store is then left as it was
     */
    TakenOver takeOver(StoredMigration stored, MigrationRecord view) {
        String name = stored.name();
        if (view.status().isFinal()) {
            boolean changesLeft = view.status() != MigrationStatus.SUCCEEDED && !stored.journal().isEmpty()
                    && !Rollback.committed(stored.journal());
            throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT,
                    "Migration '" + name + "' already ended with status " + view.status().label() + (view.status()
                    == MigrationStatus.SUCCEEDED ? "; nothing is left to resume." : changesLeft
                    ? ", and its rollback left changes on the target: finish it with 'pgmigrate migration cancel "
                    + "--name " + name + "', then start the migration again."
                    : "; its changes on the target were rolled back, so nothing is left to resume.")
                    + " Only an interrupted migration (its process died) can be resumed; start a new one "
                    + "('pgmigrate migration create --name " + name + " --replace' keeps this one's record as an "
                    + "earlier attempt).");
        }
        if (!view.interrupted()) {
            throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT,
                    "Migration '" + name + "' is still running in another process; it can be "
                    + "resumed only once that process has died.");
        }
        MigrationSpec redacted = stored.record().spec();
        MigrationSpec spec = new MigrationSpec(redacted.name(),
                redacted.source().withLogin(redacted.source().adminLogin(), credentials.password(stored, "sourceServer")),
                redacted.target().withLogin(redacted.target().adminLogin(), credentials.password(stored, "targetServer")),
                redacted.databases(), redacted.option(), redacted.mode(), redacted.settings());
        requireLogins(name, spec);
        boolean dataStarted = view.substatus() == MigrationSubstatus.MIGRATING_DATA
                || view.substatus() == MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER
                || view.substatus() == MigrationSubstatus.COMPLETING_MIGRATION;
        // Online, the source is written all along: what was verified follows it from the target's origin, what
        // was not is copied again from a new slot; no kept table's row count has to be the same.
        if (dataStarted && spec.mode() != MigrationMode.ONLINE) {
            List<String> changed = ResumeCheck.changedTables(spec, view);
            if (!changed.isEmpty()) {
                throw new MigrationException(MessageCode.RESUME_REFUSED,
                        "Cannot resume migration '" + name + "': the source changed since these "
                        + "tables were copied: " + String.join("; ", changed) + ". An offline migration needs a "
                        + "source without writes: cancel this migration and start it again.");
            }
        }
        StoredMigration taken = store.update(stored.namespace(), name, m -> {
            MigrationRecord r = m.record();
            // Nothing was changed on the target before the data phase: start such a migration from the top.
            MigrationRecord resumed = dataStarted ? r : r.withStatus(r.status(),
                    MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS).withValidationResults(List.of())
                    .withInterrupted(false).withCancelRequested(false);
            return m.withRecord(resumed).withOwner(Optional.of(MigrationViews.currentOwner()), clock.instant());
        });
        return new TakenOver(spec, taken, dataStarted);
    }

    /**
     * A resume that cannot log in to both servers would fail, and its rollback too, ending the migration with its
     * copied work lost: it is refused instead, before anything is changed, so the migration stays interrupted. So is
     * one whose server cannot be reached now, such as one restarting: resumed once it is up, it goes on.
     */
    private static void requireLogins(String name, MigrationSpec spec) {
        List<StoredLogins.Failure> failures = new ArrayList<>();
        StoredLogins.attempt(spec.source(), spec.settings(), "source").ifPresent(failures::add);
        StoredLogins.attempt(spec.target(), spec.settings(), "target").ifPresent(failures::add);
        List<String> refused = failures.stream().filter(f -> f.code() == MessageCode.LOGIN_FAILED)
                .map(StoredLogins.Failure::reason).toList();
        if (!refused.isEmpty()) {
            throw new MigrationException(MessageCode.LOGIN_FAILED, "Cannot resume migration '" + name + "' here: "
                    + String.join("; ", refused) + ". Resume it from a terminal, which asks for a password the "
                    + "migration does not keep, or give the properties file that started it (pgmigrate migration "
                    + "resume --name " + name + " --properties FILE). Nothing was changed: the migration is still "
                    + "interrupted and can be resumed, or canceled.");
        }
        if (!failures.isEmpty()) {
            throw new MigrationException(MessageCode.SERVER_UNREACHABLE, "Cannot resume migration '" + name
                    + "' now: " + String.join("; ", failures.stream().map(StoredLogins.Failure::reason).toList())
                    + ". Resume it once the server is up (pgmigrate migration resume --name " + name + "). Nothing "
                    + "was changed: the migration is still interrupted and can be resumed, or canceled.");
        }
    }
}
