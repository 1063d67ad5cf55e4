package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** D30: ALTER DATABASE ... SET values the target does not know or the target login may not set. */
public final class DatabaseSettingsValidator extends DatabaseValidator {
    public DatabaseSettingsValidator() {
        super("database-settings", "Settings made with ALTER DATABASE ... SET exist on the target and may be set.",
                true);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        List<String> settings = Sql.strings(connection, "SELECT unnest(setconfig) FROM pg_db_role_setting"
                + " WHERE setrole = 0 AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " ORDER BY 1");
        if (settings.isEmpty()) {
            return List.of(context.succeeded("The database has no settings of its own (ALTER DATABASE ... SET)."));
        }
        Map<String, String> contexts = context.targetFact(TargetOffer.SETTING_CONTEXTS);
        boolean superuser = context.target().facts().orElseThrow().superuser();
        List<String> problems = new ArrayList<>();
        for (String setting : settings) {
            String name = setting.substring(0, Math.max(0, setting.indexOf('=')));
            String where = contexts.get(name);
            if (where == null && !name.contains(".")) {
                problems.add(setting + " (no such parameter on the target)");
            } else if (where != null && !superuser && (where.equals("superuser") || where.equals("postmaster")
                    || where.equals("sighup") || where.equals("internal") || where.equals("backend"))) {
                problems.add(setting + " (only a superuser may set it on the target)");
            }
        }
        if (problems.isEmpty()) {
            return List.of(context.succeeded(Text.counted(settings, "database setting", "database settings")
                    + ", all valid on the target."));
        }
        return List.of(context.warning(Text.counted(problems, "database setting", "database settings")
                + " cannot be applied on the target.", "ALTER DATABASE ... SET fails for these, so the database "
                + "behaves differently on the target.", "Drop them on the source (ALTER DATABASE ... RESET <name>), or "
                + "set an equivalent on the target after the migration.", problems));
    }
}
