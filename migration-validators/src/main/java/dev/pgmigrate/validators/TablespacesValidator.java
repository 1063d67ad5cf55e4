package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** I14: custom tablespaces used by the database; its objects land in the target's default tablespace. */
public final class TablespacesValidator extends DatabaseValidator {
    public TablespacesValidator() {
        super("custom-tablespaces", "Custom tablespaces used by the database.", false);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        List<String> used = Sql.strings(connection, "SELECT t.spcname || ' (database default)' FROM pg_database d"
                + " JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = current_database()"
                + " AND t.spcname NOT IN ('pg_default', 'pg_global')"
                + " UNION ALL SELECT t.spcname || ' (' || count(*) || ' relations)' FROM pg_class c"
                + " JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE t.spcname NOT IN ('pg_default', 'pg_global')"
                + " GROUP BY t.spcname ORDER BY 1");
        if (used.isEmpty()) {
            return List.of(context.succeeded("Everything is in the default tablespace."));
        }
        return List.of(context.warning("The database uses " + Text.counted(used, "custom tablespace",
                "custom tablespaces") + ".", "Tablespaces are directories of the source server: the target puts "
                + "these objects in its default tablespace.", "Nothing to do on a managed target; on your own "
                + "server create the tablespaces on the target and move the objects after the migration (ALTER "
                + "TABLE ... SET TABLESPACE).", used));
    }
}
