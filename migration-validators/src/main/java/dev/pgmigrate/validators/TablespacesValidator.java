package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * I14: custom tablespaces used by the database. pg_dump places each object with {@code SET default_tablespace}, so
 * the target needs a tablespace of each name: one it lacks fails the restore part way (found by a review: the check
 * used to say the target would use its default tablespace). A target that has them all keeps the placement.
 */
public final class TablespacesValidator extends DatabaseValidator {
    public TablespacesValidator() {
        super("custom-tablespaces", "Custom tablespaces used by the database, which the target must have.", true);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        List<String[]> used = Sql.list(connection, "SELECT t.spcname, t.spcname || ' (database default)' FROM "
                + "pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = current_database()"
                + " AND t.spcname NOT IN ('pg_default', 'pg_global')"
                + " UNION ALL SELECT t.spcname, t.spcname || ' (' || count(*) || ' relations)' FROM pg_class c"
                + " JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE t.spcname NOT IN ('pg_default', 'pg_global')"
                + Sql.moved(context, "c.oid") + " GROUP BY t.spcname ORDER BY 1",
                rs -> new String[] {rs.getString(1), rs.getString(2)});
        if (used.isEmpty()) {
            return List.of(context.succeeded("Everything is in the default tablespace."));
        }
        java.util.Set<String> onTarget = new java.util.HashSet<>();
        try (Connection target = InstanceValidator.maintenance(context.target())) {
            onTarget.addAll(Sql.strings(target, "SELECT spcname FROM pg_tablespace"));
        }
        List<String> missing = used.stream().filter(u -> !onTarget.contains(u[0])).map(u -> u[1]).toList();
        List<String> all = used.stream().map(u -> u[1]).toList();
        if (!missing.isEmpty()) {
            return List.of(context.failed("The database uses " + Text.counted(missing, "custom tablespace",
                    "custom tablespaces") + " the target lacks.", "pg_dump places each object with SET "
                    + "default_tablespace: on a target without a tablespace of that name the restore fails part "
                    + "way.", "Create each on the target (CREATE TABLESPACE name LOCATION '...'), or, where that is "
                    + "not possible (a managed service), move the objects to pg_default on the source first (ALTER "
                    + "TABLE ... SET TABLESPACE pg_default; ALTER DATABASE ... SET TABLESPACE pg_default).",
                    missing));
        }
        return List.of(context.warning("The database uses " + Text.counted(all, "custom tablespace",
                "custom tablespaces") + "; the target has each of them.", "The objects are placed in the target's "
                + "tablespaces of the same names, which must have room for them.", "Check the space of each on the "
                + "target.", all));
    }
}
