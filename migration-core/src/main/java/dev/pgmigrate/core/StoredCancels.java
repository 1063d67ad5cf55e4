package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.internal.run.JournalKind;
import dev.pgmigrate.core.internal.run.MigrationRun;
import dev.pgmigrate.core.internal.run.Rollback;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cancel, wherever the migration is: stopped here when this service runs it, asked through the store when
 * another process does, rolled back here from the journal when its process died or its rollback left changes.
 */
final class StoredCancels {
    private static final Logger log = LoggerFactory.getLogger(StoredCancels.class);

    private final MigrationStore store;
    private final RunningMigrations running;
    private final MigrationViews views;
    private final StoredRollbacks rollbacks;

    StoredCancels(MigrationStore store, RunningMigrations running, MigrationViews views, StoredRollbacks rollbacks) {
        this.store = store;
        this.running = running;
        this.views = views;
        this.rollbacks = rollbacks;
    }

    MigrationRecord cancel(StoredMigration stored) {
        String name = stored.name();
        Optional<MigrationRun> here = running.get(stored.namespace(), name);
        if (here.isPresent()) {
            return running.cancel(here.get());
        }
        MigrationRecord view = views.view(stored);
        boolean failedPastPointOfNoReturn = view.status() == MigrationStatus.FAILED
                && view.errors().stream().anyMatch(e -> e.is(MessageCode.ROLLBACK_INCOMPLETE));
        if (Rollback.committed(stored.journal()) && (view.interrupted() || failedPastPointOfNoReturn)) {
            // Every database is in place and verified: nothing to roll back, what is left is finished instead.
            return views.view(rollbacks.completeCommitted(stored, MigrationViews.currentOwner()));
        }
        if (view.status().isFinal() && view.status() != MigrationStatus.SUCCEEDED && !stored.journal().isEmpty()
                && !Rollback.committed(stored.journal())) {
            // A rollback left changes behind: roll back again, until none is left.
            return views.view(rollbacks.again(stored, RunningMigrations.key(stored.namespace(), stored.name())));
        }
        RunHandle.requireCancelable(view);
        if (!view.interrupted()) {
            store.requestCancel(stored.namespace(), name);
            log.info("Asked the process running migration {} to cancel it", name);
            return views.view(store.load(stored.namespace(), name).orElseThrow());
        }
        return views.view(rollbacks.interrupted(stored, MigrationViews.currentOwner()));
    }

    /**
     * The journal's changes on the target not yet undone; none once the migration succeeded or was rolled back whole. Past its
     * point of no return, the originals it set aside until a cancel (or a resume) finishes it.
     */
    List<String> leftOnTarget(StoredMigration stored) {
        MigrationRecord view = views.view(stored);
        if (view.status() == MigrationStatus.SUCCEEDED) {
            return List.of();
        }
        if (Rollback.committed(stored.journal())) {
            return stored.journal().stream().filter(e -> e.kind().equals(JournalKind.SET_ASIDE_DATABASE.label()))
                    .map(e -> Rollback.describe(e) + " (unless dropped already): past the point of no return, a "
                            + "cancel or a resume drops it")
                    .toList();
        }
        return stored.journal().stream().filter(e -> !Rollback.onSource(e)).map(Rollback::describe).toList();
    }

    /**
     * What an online migration's journal still holds on the source (its slot and publication, replica identities),
     * on the same terms as {@link #leftOnTarget}; none past the point of no return, whose end drops them.
     */
    List<String> leftOnSource(StoredMigration stored) {
        MigrationRecord view = views.view(stored);
        if (view.status() == MigrationStatus.SUCCEEDED || Rollback.committed(stored.journal())) {
            return List.of();
        }
        return stored.journal().stream().filter(Rollback::onSource).map(Rollback::describe).toList();
    }
}
