package dev.pgmigrate.core;

import static dev.pgmigrate.core.PropertiesFieldNames.ROOT;

import java.util.List;

/**
 * The managed service's fields that change nothing in an offline migration run from this machine: the runtime
 * server's id, and the Online and scheduling flags at the value that means "not used". They are read, checked
 * and noted as ignored, so the service's files work unchanged; a value that asks for what pgmigrate does not do
 * is a problem.
 */
final class PropertiesServiceFields {
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
        for (String name : List.of("setupLogicalReplicationOnSourceDbIfNeeded", "triggerCutover")) {
            Boolean value = fields.bool(p, ROOT, name);
            if (Boolean.FALSE.equals(value)) {
                notes.add(ROOT + "." + name + " = false is ignored: it concerns Online migrations only.");
            } else if (Boolean.TRUE.equals(value)) {
                fields.problem(ROOT + "." + name, "true", "belongs to Online migrations, which pgmigrate does not "
                        + "do; set it to false or remove it");
            }
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
