package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.internal.run.Failures;
import dev.pgmigrate.core.internal.run.PointOfNoReturn;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.Rollback;
import dev.pgmigrate.core.internal.pg.MaintenanceDatabase;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rollbacks of stored migrations, run by whichever process asks: of one whose process died, and again of one whose
 * rollback could not finish, until its journal is empty. Refused, changing nothing, when the target wants a
 * password this process does not have.
 */
final class StoredRollbacks {
    private static final Logger log = LoggerFactory.getLogger(StoredRollbacks.class);

    private final MigrationStore store;
    private final Clock clock;
    private final MigrationService.CredentialsProvider credentials;
    /** Servers, with their passwords, of migrations this service ran whose rollback is unfinished. */
    private final Map<String, Servers> unfinishedRollbacks = new ConcurrentHashMap<>();

    private record Servers(ServerSpec source, ServerSpec target) {
    }

    StoredRollbacks(MigrationStore store, Clock clock, MigrationService.CredentialsProvider credentials) {
        this.store = store;
        this.clock = clock;
        this.credentials = credentials;
    }

    /** Keeps the servers, with their passwords, of a migration this service ran whose rollback did not finish. */
    void unfinished(String key, ServerSpec source, ServerSpec target) {
        unfinishedRollbacks.put(key, new Servers(source, target));
    }

    /**
     * Rolls back again a migration that ended Failed or Canceled with changes its rollback could not undo (the
     * target was unreachable, say); its journal keeps them until a rollback undoes them all.
     */
    StoredMigration again(StoredMigration stored, String key) {
        Servers known = unfinishedRollbacks.get(key);
        ServerSpec target = known != null ? known.target() : stored.record().spec().target().withLogin(
                stored.record().spec().target().adminLogin(), credentials.password(stored, "targetServer"));
        requireLogin(stored, target);
        log.info("Migration {} left {} journal entries on the target; rolling back again", stored.name(),
                stored.journal().size());
        ServerConnector connector = new ServerConnector(target, stored.record().spec().settings());
        List<String> problems = Rollback.undo(source(stored, known), connector, maintenance(stored, connector),
                stored.journal(), stored.name());
        StoredMigration done = store.update(stored.namespace(), stored.name(), m -> {
            MigrationRecord r = m.record();
            List<MigrationMessage> errors = new ArrayList<>(r.errors());
            List<MigrationMessage> notes = new ArrayList<>(r.notes());
            errors.removeIf(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
            if (problems.isEmpty()) {
                notes.add(new MigrationMessage(MessageCode.ROLLED_BACK, "Rolled back again at " + clock.instant()
                        + ": nothing this migration made is left on the target."));
            } else {
                problems.forEach(p -> errors.add(new MigrationMessage(MessageCode.ROLLBACK_INCOMPLETE,
                        "Rollback incomplete: " + p)));
            }
            MigrationRecord updated = r.withErrors(errors).withNotes(notes).withInterrupted(false)
                    .withCancelRequested(false);
            return m.withRecord(updated).withJournal(problems.isEmpty() ? List.of() : m.journal());
        });
        if (problems.isEmpty()) {
            unfinishedRollbacks.remove(key);
        }
        return done;
    }

    /** Rolls back a migration whose process died, here, as {@code owner}; its record ends Canceled, or Failed. */
    StoredMigration interrupted(StoredMigration stored, StoredMigration.Owner owner) {
        Optional<Secret> password = credentials.password(stored, "targetServer");
        ServerSpec target = stored.record().spec().target().withLogin(stored.record().spec().target().adminLogin(),
                password);
        requireLogin(stored, target);
        log.info("Migration {} was interrupted; rolling back its {} journal entries here", stored.name(),
                stored.journal().size());
        store.update(stored.namespace(), stored.name(), m -> m.withOwner(Optional.of(owner), clock.instant()));
        ServerConnector connector = new ServerConnector(target, stored.record().spec().settings());
        List<String> problems = Rollback.undo(source(stored, null), connector, maintenance(stored, connector),
                stored.journal(), stored.name());
        StoredMigration done = store.update(stored.namespace(), stored.name(), m -> {
            MigrationRecord r = m.record();
            List<MigrationMessage> errors = new ArrayList<>(r.errors());
            errors.add(new MigrationMessage(MessageCode.PROCESS_DIED,
                    "The process running this migration died; it was canceled from another process."));
            problems.forEach(p -> errors.add(new MigrationMessage(MessageCode.ROLLBACK_INCOMPLETE,
                    "Rollback incomplete: " + p)));
            MigrationStatus status = problems.isEmpty() ? MigrationStatus.CANCELED : MigrationStatus.FAILED;
            return m.withRecord(r.withStatus(status, r.substatus()).withEndedAt(Optional.of(clock.instant()))
                    .withDatabases(RecordKeeper.ended(r.databases(), status, clock.instant())).withErrors(errors)
                    .withInterrupted(false).withCancelRequested(false))
                    .withOwner(Optional.empty(), clock.instant()).withJournal(problems.isEmpty() ? List.of() : m.journal());
        });
        return done;
    }

    /**
     * Finishes, here, as {@code owner}, a migration whose process died past its point of no return (or whose run
     * ended Failed there, before this was done): every database is in place and verified, so nothing is rolled back;
     * the originals it set aside are dropped (waiting for a target that restarts, as a rollback does) and it ends
     * Succeeded, a warning saying that the cancel came too late. A target that cannot be reached leaves the record
     * as it was, so that it can be canceled (or resumed) again.
     */
    StoredMigration completeCommitted(StoredMigration stored, StoredMigration.Owner owner) {
        ServerSpec target = stored.record().spec().target().withLogin(stored.record().spec().target().adminLogin(),
                credentials.password(stored, "targetServer"));
        requireLogin(stored, target);
        ServerConnector connector = new ServerConnector(target, stored.record().spec().settings());
        String maintenance = maintenance(stored, connector);
        try (java.sql.Connection reachable = connector.open(maintenance)) {
            log.info("Migration {} had passed its point of no return; finishing it here", stored.name());
        } catch (java.sql.SQLException e) {
            throw new MigrationException(Failures.ofSqlState(e.getSQLState()),
                    "Cannot finish migration '" + stored.name() + "' here: the target " + target.address()
                    + " cannot be reached (" + e.getMessage() + ", SQLState " + e.getSQLState() + "). The migration "
                    + "had passed its point of no return (every database in place and verified), so a cancel "
                    + "completes it instead of rolling it back; nothing was changed. Cancel it again once the target "
                    + "is reachable.", e);
        }
        store.update(stored.namespace(), stored.name(), m -> m.withOwner(Optional.of(owner), clock.instant()));
        List<MigrationMessage> notes = PointOfNoReturn.finish(source(stored, null), connector, maintenance,
                stored.journal());
        return store.update(stored.namespace(), stored.name(), m -> {
            MigrationRecord r = m.record();
            List<MigrationMessage> all = new ArrayList<>(r.notes());
            all.addAll(notes);
            all.add(new MigrationMessage(MessageCode.PAST_POINT_OF_NO_RETURN, "Warning: the cancel at "
                    + clock.instant() + " came after the migration's point of no return (every database in place "
                    + "and verified; its process " + (r.status().isFinal() ? "failed" : "died") + " after it): it "
                    + "was completed, not rolled back."));
            List<MigrationMessage> errors = new ArrayList<>(r.errors());
            errors.removeIf(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE)); // there was nothing to roll back
            return m.withRecord(r.withStatus(MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED)
                    .withEndedAt(Optional.of(clock.instant()))
                    .withDatabases(RecordKeeper.ended(r.databases(), MigrationStatus.SUCCEEDED, clock.instant()))
                    .withErrors(errors).withNotes(all).withInterrupted(false).withCancelRequested(false))
                    .withOwner(Optional.empty(), clock.instant());
        });
    }

    /**
     * The target database the rollback's sessions sit in: as in the run, never one the migration may have renamed
     * aside or put its copy under, which a session in it would keep from being renamed back or dropped.
     */
    private static String maintenance(StoredMigration stored, ServerConnector target) {
        return MaintenanceDatabase.find(target, MaintenanceDatabase.replacedOnTarget(stored.record().spec()));
    }

    /**
     * The source, with its password, when the journal has changes to undo there (an online migration's slot);
     * null when it has none, so that the source need not be reachable.
     */
    private ServerConnector source(StoredMigration stored, Servers known) {
        boolean onSource = stored.journal().stream().anyMatch(e -> e.kind().startsWith("source"));
        if (!onSource) {
            return null;
        }
        ServerSpec spec = stored.record().spec().source();
        return new ServerConnector(known != null ? known.source() : spec.withLogin(spec.adminLogin(),
                credentials.password(stored, "sourceServer")), stored.record().spec().settings());
    }

    /**
     * A rollback without the target's password (given as plain text, so not stored, and no terminal to ask on)
     * would fail and end the record; it is refused instead, changing nothing, so it can be asked for again.
     */
    private void requireLogin(StoredMigration stored, ServerSpec target) {
        if (target.password().isPresent() || stored.journal().isEmpty()) {
            return;
        }
        StoredLogins.refusal(target, stored.record().spec().settings(), "target").ifPresent(why -> {
            throw new MigrationException(MessageCode.LOGIN_FAILED, "Cannot roll back migration '" + stored.name()
                    + "' here: " + why + ". Cancel again from a terminal, which asks for it, or give the properties "
                    + "file that started the migration (pgmigrate migration cancel --name " + stored.name()
                    + " --properties FILE). Nothing was changed: " + stored.journal().size() + " change(s) still "
                    + "wait on the target.");
        });
    }
}
