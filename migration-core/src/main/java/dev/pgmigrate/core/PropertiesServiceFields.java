package dev.pgmigrate.core;

import static dev.pgmigrate.core.PropertiesFieldNames.ROOT;

import java.util.List;

/**
 * The managed service's fields that change nothing in a migration run from this machine: the runtime server's id,
 * the request to set up logical replication on the source (pgmigrate never changes the source's settings), and the
 * cutover and scheduling flags at the value that means "not now". They are read, checked and noted as ignored, so
 * the service's files work unchanged; a value that asks for what pgmigrate does not do, or not in a new
 * migration's file, is a problem that says what to do instead.
 */
final class PropertiesServiceFields {
    /** Why a new migration's file cannot trigger a cutover, and how it is triggered. */
    static final String CUTOVER_LATER = "a new migration has nothing to cut over yet: an Online migration copies, "
            + "then follows the source and waits (WaitingForUserAction / WaitingForCutoverTrigger); trigger the "
            + "cutover then, once writes to the source have stopped, with 'pgmigrate migration update --cutover "
            + "--name NAME', which cuts over every database of the migration at once";

    private final PropertiesFieldReader fields;
    private final List<String> notes;

    PropertiesServiceFields(PropertiesFieldReader fields, List<String> notes) {
        this.fields = fields;
        this.notes = notes;
    }

    /** Checks and notes the service-only fields of the {@code properties} object {@code p}. */
    void read(PropertiesObject p) {
        for (String name : List.of("migrationRuntimeResourceId", "migrationInstanceResourceId")) {
            if (fields.string(p, name) != null) {
                notes.add(ROOT + "." + name + " is ignored: pgmigrate runs the migration from this machine, so no "
                        + "runtime server takes part (this machine must reach both servers).");
            }
        }
        Boolean setup = fields.bool(p, ROOT, "setupLogicalReplicationOnSourceDbIfNeeded");
        if (setup != null) {
            notes.add(ROOT + ".setupLogicalReplicationOnSourceDbIfNeeded = " + setup + " is ignored: pgmigrate never "
                    + "changes or restarts the source. An Online migration needs wal_level = logical there, set by "
                    + "you; its validation checks wal_level and the replication settings, and says what to change.");
        }
        Boolean cutover = fields.bool(p, ROOT, "triggerCutover");
        if (Boolean.FALSE.equals(cutover)) {
            notes.add(ROOT + ".triggerCutover = false is ignored: an Online migration waits for its cutover, which "
                    + "'pgmigrate migration update --cutover --name NAME' triggers.");
        } else if (Boolean.TRUE.equals(cutover)) {
            fields.problem(ROOT + ".triggerCutover", "true", CUTOVER_LATER + ". Set it to false or remove it");
        }
        Boolean start = fields.bool(p, ROOT, "startDataMigration");
        if (Boolean.TRUE.equals(start)) {
            notes.add(ROOT + ".startDataMigration = true is ignored: pgmigrate always starts the data migration at "
                    + "once.");
        } else if (Boolean.FALSE.equals(start)) {
            fields.problem(ROOT + ".startDataMigration", "false", "pgmigrate starts the data migration at once and "
                    + "schedules nothing; remove it, and run the command when the migration should start");
        }
    }
}
