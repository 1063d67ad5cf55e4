package dev.pgmigrate.core;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the store holds of a migration as it starts: in progress, no database begun, owned by this process, the
 * pgmigrate version running it, and where its passwords come from, never the passwords.
 */
final class FirstRecord {
    private FirstRecord() {
    }

    /** The stored migration of {@code spec}, starting {@code now} on the target whose namespace is given. */
    static StoredMigration of(MigrationSpec spec, String namespace, Map<String, String> secretReferences,
            Instant now) {
        MigrationRecord record = new MigrationRecord(redact(spec), MigrationStatus.IN_PROGRESS,
                MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS, now, Optional.empty(), List.of(),
                spec.databases().stream().map(db -> new DatabaseProgress(db, MigrationStatus.IN_PROGRESS,
                        Optional.empty(), Optional.empty(), List.of(), Optional.empty())).toList(), List.of(),
                Optional.empty(), List.of(), false, false, Optional.of(PgmigrateVersion.current().display()));
        return new StoredMigration(namespace, record, List.of(), Optional.of(MigrationViews.currentOwner()), now,
                secretReferences, Map.of());
    }

    /** {@code spec} without its passwords. */
    static MigrationSpec redact(MigrationSpec spec) {
        return new MigrationSpec(spec.name(), spec.source().withLogin(spec.source().adminLogin(), Optional.empty()),
                spec.target().withLogin(spec.target().adminLogin(), Optional.empty()), spec.databases(),
                spec.option(), spec.mode(), spec.settings());
    }
}
