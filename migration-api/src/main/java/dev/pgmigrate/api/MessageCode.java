package dev.pgmigrate.api;

import java.util.Objects;

/**
 * The stable code of every failure, warning and note a migration records, beside its message. Exit codes, reports
 * and scripts read the code, never the prose, which may improve between versions. A code never changes meaning once
 * released; new codes arrive in minor versions, so readers treat one they do not know by its {@link #kind()}.
 *
 * <p>{@code record.errors().stream().anyMatch(e -> e.code() == MessageCode.SERVER_UNREACHABLE)}
 *
 * @since 0.2
 */
@Stable(since = "0.2")
public enum MessageCode implements Labeled {
    // Failures: why a migration, a resume or a cancel did not succeed.
    SPEC_INVALID(Kind.FAILURE, "A field or option of the spec has a bad value.",
            "Fix the field the message names. To check a spec without migrating, run it with the option Validate: "
                    + "'pgmigrate migration create --name NAME --properties FILE --migration-option Validate'."),
    SECRET_UNAVAILABLE(Kind.FAILURE, "A password reference (env:NAME or file:PATH) cannot be read.",
            "Set the environment variable or make the file readable by the user running pgmigrate."),
    PLUGIN_INVALID(Kind.FAILURE, "A validator or data mover plugin cannot be loaded or has a bad or duplicate id.",
            "Remove or fix the plugin jar the message names."),
    VALIDATION_FAILED(Kind.FAILURE, "One or more premigration checks failed; nothing was migrated.",
            "Run 'pgmigrate migration show --name NAME' for each finding and its remedy, fix them, then start "
                    + "again."),
    SERVER_UNREACHABLE(Kind.FAILURE, "A server could not be reached, or the connection to it broke (SQLState 08) "
            + "or was ended by its shutdown or restart (57P01-57P03).",
            "Check the host, port, firewall and that the server is up; then start again (or resume, if the process "
                    + "running the migration died)."),
    SERVER_NOT_ANSWERING(Kind.FAILURE, "A server did not answer within connection.socketTimeoutSeconds.",
            "Check the network and the server's load, or raise settings.options.connection.socketTimeoutSeconds."),
    LOGIN_FAILED(Kind.FAILURE, "A server refused the login (SQLState class 28), or asked for a password that "
            + "nothing gave (08004).",
            "Check the login, its password (or where it comes from: the file, PGPASSWORD, the password file) and "
            + "the server's pg_hba.conf entry for this machine."),
    PRIVILEGE_MISSING(Kind.FAILURE, "A login lacks a privilege a step needs (SQLState 42501).",
            "Grant the privilege the message names, or run the migration as a login that has it."),
    OUT_OF_RESOURCES(Kind.FAILURE, "A server ran out of disk, memory or connections (SQLState class 53).",
            "Free or add the resource the message names on that server, or lower the parallelism."),
    TARGET_CONFLICT(Kind.FAILURE, "A database this migration creates already exists on the target, or cannot be "
            + "replaced there, or something else created or changed one while the migration ran.",
            "Set overwriteDbsInTarget, drop or rename the target's database, or leave it out of dbsToMigrate, as the "
                    + "message says; if it appeared during the migration, find who else writes to the target."),
    MIGRATION_NOT_FOUND(Kind.FAILURE, "No stored migration has the name given.",
            "Check the name and the target; 'pgmigrate migration list' shows the migrations."),
    MIGRATION_NAME_IN_USE(Kind.FAILURE, "A migration of this name already exists on the target: in progress, "
            + "interrupted, or ended.", "Choose another name; to start an ended one again, replace it (pgmigrate: "
                    + "--replace), which keeps its record in the history."),
    MIGRATION_STATE_CONFLICT(Kind.FAILURE, "The migration is in a state that does not allow what was asked.",
            "Read the migration's status with 'pgmigrate migration show --name NAME'; wait for it, or cancel it "
                    + "first ('pgmigrate migration cancel --name NAME')."),
    STATE_STORE_UNUSABLE(Kind.FAILURE, "The state directory or a record in it cannot be used.",
            "Fix the directory's ownership or permissions, or point --state-dir elsewhere."),
    RESUME_REFUSED(Kind.FAILURE, "A resume was refused because what was done can no longer be trusted.",
            "Cancel the migration and start it again."),
    SOURCE_NOT_CONSISTENT(Kind.FAILURE, "The source could not be read as one snapshot (a lock was held too long).",
            "End the session holding the lock, or raise settings.options.source.lockTimeoutSeconds."),
    DUMP_FAILED(Kind.FAILURE, "pg_dump failed or no pg_dump fits the source.",
            "Read pg_dump's error in the message; install the pg_dump the message names if it is missing."),
    OBJECT_NOT_CREATED(Kind.FAILURE, "An object (a role, a schema object, a database privilege) could not be made "
            + "on the target.", "Make what the message names possible on the target (an extension, a role, a "
                    + "privilege), or exclude it."),
    STATEMENT_FAILED(Kind.FAILURE, "A statement failed on a server; the message says in which phase, server and "
            + "database.", "Read the server's error and SQLState in the message and fix its cause."),
    COPY_FAILED(Kind.FAILURE, "A table's rows could not be copied.",
            "Read the data mover's error in the message; exclude the table or choose another mover."),
    VERIFICATION_MISMATCH(Kind.FAILURE, "The target differs from the source after the copy; it was rolled back.",
            "Find who wrote to the source or target during the migration (the report lists the tables), "
                    + "then start again."),
    CANCELED(Kind.FAILURE, "The migration was canceled.", "Start it again when ready."),
    SOURCE_SCHEMA_CHANGED(Kind.FAILURE, "During an online migration a replicated table's columns changed on the "
            + "source, or a table it takes appeared there; logical replication does not carry schema changes.",
            "Do not change the schema during an online migration: the migration was rolled back; make the change, "
                    + "then start it again."),
    REPLICATION_FAILED(Kind.FAILURE, "An online migration's stream of source changes broke or could not be "
            + "applied on the target.", "Read the message; resume the migration, which continues from the last "
                    + "change the target committed."),
    REPLICATION_SLOT_LOST(Kind.FAILURE, "The source removed WAL an online migration's replication slot still "
            + "needed (its wal_status became lost, past max_slot_wal_keep_size): the target can no longer receive "
            + "every change exactly once; the migration was rolled back.", "Start it again; keep the target "
                    + "reachable while it follows, or raise max_slot_wal_keep_size on the source."),
    PROCESS_DIED(Kind.FAILURE, "The process running the migration died before it ended.",
            "Resume it, or cancel it to roll back what it left on the target."),
    ROLLBACK_INCOMPLETE(Kind.FAILURE, "Some of what the migration made on the target could not be removed.",
            "Run 'pgmigrate migration cancel --name NAME' again once the target is reachable; it retries what is "
                    + "left."),
    RECORD_NOT_WRITTEN(Kind.FAILURE, "The migration's record could not be written to the state directory.",
            "Free space or fix permissions in the state directory, then cancel the migration to roll back."),
    INTERNAL(Kind.FAILURE, "An unexpected error inside pgmigrate or a plugin.",
            "Report it with the message and the log; resume or cancel the migration."),
    UNCLASSIFIED(Kind.FAILURE, "A failure recorded without a code: by a version before codes, or by a plugin.",
            "Read the message."),

    // Warnings: the migration goes on, but something may need a look.
    SERVER_SILENT(Kind.WARNING, "A server has not answered the watch's probe for a while.",
            "Check the server and the network; the migration waits for it."),
    SOURCE_WAL_RETAINED(Kind.WARNING, "An online migration's stream broke (a server out of reach) and is retried; "
            + "meanwhile its replication slot keeps the source's WAL. The note and the database's activity say how "
            + "much, and how close the slot is to the source's max_slot_wal_keep_size.", "Bring the server back; "
                    + "watch the source's disk, or cancel the migration to drop the slot at once."),
    CUTOVER_STOPPED(Kind.WARNING, "The cutover found the source still written when its wait "
            + "(online.cutoverWaitSeconds) ended; the note names the sessions. The migration follows the source "
            + "again, waiting for the cutover trigger.", "Stop the sessions the note names, then trigger the "
                    + "cutover again ('pgmigrate migration update --name NAME --cutover')."),
    SOURCE_WRITTEN_DURING_COPY(Kind.WARNING, "Tables were written on the source while they were copied.",
            "Stop writers on the source before the migration, or migrate online."),
    LARGE_OBJECTS_NOT_REPLICATED(Kind.WARNING, "Large objects were copied from the snapshot; logical replication "
            + "does not carry their later changes.", "Do not change large objects during an online migration, or "
                    + "migrate offline."),
    SOURCE_NOT_LOCKED(Kind.WARNING, "The source's tables were not locked against schema changes during the dump.",
            "Make sure nothing changes the schema on the source during the migration."),

    // Notes: what was done that the user should know.
    SERVER_ANSWERS_AGAIN(Kind.NOTE, "A server that had stopped answering answers again.", "None."),
    SOURCE_LOCK_WAIT(Kind.NOTE, "The migration waits for a lock on the source; the note names who holds it.",
            "End or let finish the session the note names."),
    RESUMED(Kind.NOTE, "A resume kept work that was done and verified.", "None."),
    ROLES_CREATED(Kind.NOTE, "Roles were created on the target.", "None."),
    ROLES_KEPT(Kind.NOTE, "Roles that already exist on the target were left as they are.",
            "Check that their attributes and memberships suit the migrated databases."),
    ROLES_RESERVED(Kind.NOTE, "Roles whose names start with pg_ were not created.",
            "Rename those roles on the source if the target needs them."),
    ROLES_NOT_MIGRATED(Kind.NOTE, "Roles were not migrated: the target login may not create roles.",
            "Create the roles on the target, or migrate as a login with CREATEROLE."),
    ROLE_ATTRIBUTES_DROPPED(Kind.NOTE, "Roles were created without attributes the target login may not grant.",
            "Grant those attributes on the target if they are needed."),
    ROLE_PASSWORDS_NOT_COPIED(Kind.NOTE, "Login roles were created without their passwords.",
            "Set the passwords on the target (ALTER ROLE ... PASSWORD)."),
    ROLE_PASSWORDS_NOT_SCRAM(Kind.WARNING, "Login roles were created with md5 password hashes, which a target whose "
            + "pg_hba.conf asks for scram-sha-256 refuses at login.",
            "Set their passwords again on the target (ALTER ROLE ... PASSWORD, hashed with scram-sha-256), or have "
            + "its pg_hba.conf use md5 for them, which accepts both kinds of hash."),
    ROLE_SETTINGS_NOT_APPLIED(Kind.NOTE, "Some role settings or memberships could not be applied on the target.",
            "Apply them by hand as a login allowed to."),
    OWNER_REMAPPED(Kind.NOTE, "Objects whose owner does not exist on the target were given to the target login.",
            "Create the owner roles and reassign ownership, or migrate roles."),
    PRIVILEGES_NOT_GRANTED(Kind.NOTE, "Privileges of roles that do not exist on the target were not granted.",
            "Create the roles and grant the privileges, or migrate roles."),
    GRANTOR_CHANGED(Kind.NOTE, "Privileges a role granted on the source through its grant option were granted "
            + "on the target by the object's owner, as the target lacks that role or its login cannot act as it.",
            "Create the role the note names and grant them again as it, if revoking its grant option is to take "
            + "them away too."),
    PRIVILEGES_NOT_APPLIED(Kind.WARNING, "The target did not carry out some of the source's GRANT or REVOKE "
            + "statements: its login does not own the objects, which were there before the restore (an extension's "
            + "belonging to the bootstrap superuser, the public schema before 15).",
            "Have the objects' owner or a superuser on the target run the statements the warning names; until then a "
            + "privilege the source revokes is still held there."),
    DEFAULT_PRIVILEGES_NOT_SET(Kind.WARNING, "Default privileges the source sets for a role that the target has "
            + "were not set there: the target login cannot act as that role.",
            "Have that role or a superuser run the ALTER DEFAULT PRIVILEGES statements the warning names; until then "
            + "what the role creates gets PostgreSQL's defaults (EXECUTE for PUBLIC on functions)."),
    OBJECT_SKIPPED(Kind.NOTE, "A schema object the target cannot have was skipped.",
            "Check the note: install what it needs on the target if you want the object."),
    MATERIALIZED_VIEW_SEARCH_PATH(Kind.NOTE, "A materialized view was refreshed with a search_path it needs.",
            "None; schema-qualify the names in its query to avoid it."),
    DATABASE_OWNER_CHANGED(Kind.NOTE, "A database is owned by the target login, not the source's owner.",
            "ALTER DATABASE ... OWNER TO the intended role on the target."),
    DATABASE_SET_ASIDE(Kind.NOTE, "An existing target database was renamed aside to be replaced.", "None."),
    ORIGINAL_DROPPED(Kind.NOTE, "A target database set aside was dropped once the migration succeeded.", "None."),
    ORIGINAL_KEPT(Kind.NOTE, "A target database set aside is still on the target.",
            "Drop it when it is no longer needed."),
    DATABASE_SETTINGS_NOT_APPLIED(Kind.NOTE, "Some database-level settings could not be applied on the target.",
            "Apply them by hand as a login allowed to."),
    TABLE_NOT_SPLIT(Kind.NOTE, "A large table was copied by one worker: this source cannot split it.",
            "None; a source of version 14 or later, or a single-column integer key, lets it split."),
    LARGE_OBJECTS_COPIED(Kind.NOTE, "Large objects were copied.", "None."),
    STATISTICS_LEFT_TO_AUTOVACUUM(Kind.NOTE, "The target's tables were not analyzed (settings.skipAnalyze): their "
            + "statistics are left to autovacuum.", "Run 'vacuumdb --analyze-only' on the database before the "
            + "applications move, or at least ANALYZE the partitioned tables the note names: autovacuum never "
            + "analyzes those, nor a table with few changed rows."),
    SELECTION_APPLIED(Kind.NOTE, "The selection (schemas, tables, rows, schema or data only) left objects out.",
            "None; the note names what stayed on the source. Migrate it separately if the target needs it."),
    EXTENSION_SCHEMA_CREATED(Kind.NOTE, "A schema the selection leaves out was created empty on the target, as the "
            + "container of an extension that moves.", "None; the note names the schema and its extensions. Select "
            + "the schema too if its other objects should move."),
    PARAMETERS_NOT_COMPARED(Kind.NOTE, "Server parameters could not be compared.",
            "Compare them by hand, or grant pg_read_all_settings to the logins."),
    PARAMETERS_COMPARED(Kind.NOTE, "Server parameters set on the source were compared with the target's.",
            "Review the differences the note lists; set serverParameters to apply them."),
    PARAMETERS_APPLIED(Kind.NOTE, "Server parameters were applied on the target.", "None."),
    PARAMETERS_NOT_APPLIED(Kind.NOTE, "Server parameters could not be applied, or need a restart of the target.",
            "Apply them by hand, or restart the target."),
    REPLICATION_STARTED(Kind.NOTE, "An online migration's database was copied and now follows the source's "
            + "changes.", "Trigger the cutover ('pgmigrate migration update --name NAME --cutover') once writes to "
                    + "the source have stopped."),
    REPLICA_IDENTITY_SET(Kind.NOTE, "Tables without a primary key got REPLICA IDENTITY FULL on the source so that "
            + "their updates and deletes replicate; a rollback sets them back.", "None."),
    CUTOVER_COMPLETED(Kind.NOTE, "The cutover applied the source's last changes, set the sequences and verified "
            + "the target; the note states the downtime.", "Point the applications at the target."),
    CUTOVER_WRITES_CONTINUED(Kind.NOTE, "The source was written during the cutover, after the point the target had "
            + "reached; the streams followed its changes again and the cutover started over.", "Stop the applications "
            + "that write to the source's databases."),
    SOURCE_CLEANED_UP(Kind.NOTE, "The replication slots and publications an online migration made on the source "
            + "were dropped.", "None."),
    ROLLED_BACK(Kind.NOTE, "A later cancel finished an incomplete rollback: nothing of the migration is left on "
            + "the target.", "None."),
    PAST_POINT_OF_NO_RETURN(Kind.WARNING, "A cancel or a failure came after the migration's point of no return "
            + "(every database in place and verified): it was completed, not rolled back.", "None: the databases on "
            + "the target are the migrated ones. To go back, restore the target's databases from a backup.");

    /** How a code bears on the migration. */
    public enum Kind implements Labeled {
        /** The migration, resume or cancel did not succeed. */
        FAILURE("Failure"),
        /** It goes on, but something may need a look. */
        WARNING("Warning"),
        /** Something the user should know. */
        NOTE("Note");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }
    }

    private final Kind kind;
    private final String meaning;
    private final String remedy;

    MessageCode(Kind kind, String meaning, String remedy) {
        this.kind = Objects.requireNonNull(kind);
        this.meaning = Objects.requireNonNull(meaning);
        this.remedy = Objects.requireNonNull(remedy);
    }

    /** The code as written in records, reports and the README, such as {@code "PGM-ROLLBACK-INCOMPLETE"}. */
    @Override
    public String label() {
        return "PGM-" + name().replace('_', '-');
    }

    /** Whether it is a failure, a warning or a note. */
    public Kind kind() {
        return kind;
    }

    /** What the code means, in one sentence. */
    public String meaning() {
        return meaning;
    }

    /** What to do about it, in one sentence. */
    public String remedy() {
        return remedy;
    }

    /** Parses a label such as {@code "PGM-ROLLBACK-INCOMPLETE"}, ignoring case. */
    public static MessageCode fromLabel(String label) {
        return Labeled.fromLabel(MessageCode.class, label);
    }
}
