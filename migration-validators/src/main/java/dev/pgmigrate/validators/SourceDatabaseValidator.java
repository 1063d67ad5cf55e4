package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/** D1, D2: the database exists on the source, is no template or provider database, and accepts the login. */
public final class SourceDatabaseValidator extends BuiltInValidator {
    /** Databases that managed services keep for themselves. */
    static final Set<String> PROVIDER_DATABASES = Set.of("rdsadmin", "azure_maintenance", "azure_sys",
            "cloudsqladmin", "alloydbadmin", "template0", "template1");




    public SourceDatabaseValidator() {
        super("source-database", ValidationScope.DATABASE,
                "The database exists on the source, is a user database and accepts the login.");
    }

    @Override
    public List<ValidationResult> validate(ValidationContext context) throws SQLException {
        String database = context.database().orElseThrow();
        ServerAccess source = context.source();
        if (source.facts().isEmpty()) {
            return List.of();
        }
        if (PROVIDER_DATABASES.contains(database)) {
            return List.of(context.failed(database + " is a template or a database the service keeps for itself.",
                    "It holds no user data, and the target has its own.", "Remove " + database
                    + " from the databases to migrate.", List.of(database)));
        }
        List<Boolean[]> rows;
        List<String> all;
        try (Connection connection = InstanceValidator.maintenance(source)) {
            rows = Sql.list(connection, "SELECT datallowconn, datistemplate FROM pg_database WHERE datname = ?",
                    rs -> new Boolean[] {rs.getBoolean(1), rs.getBoolean(2)}, database);
            all = Sql.strings(connection, "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1");
        }
        if (rows.isEmpty()) {
            return List.of(context.failed("Database " + database + " does not exist on the source; it has "
                    + Text.counted(all, "database", "databases") + ".", "Nothing can be migrated from it.",
                    "Correct the name (names are case-sensitive) or remove it from the databases to migrate.", all));
        }
        if (rows.get(0)[1] || !rows.get(0)[0]) {
            return List.of(context.failed("Database " + database + (rows.get(0)[1] ? " is a template" : "")
                    + (rows.get(0)[0] ? "" : " does not accept connections (datallowconn is false)") + ".",
                    "pgmigrate must connect to it to read its schema and data.", "Remove it from the databases to "
                    + "migrate, or ALTER DATABASE " + database + " ALLOW_CONNECTIONS true IS_TEMPLATE false.",
                    List.of(database)));
        }
        long start = System.nanoTime();
        String who = "source " + source.spec().address() + " as " + source.spec().adminLogin();
        try (Connection connection = source.connect(database)) {
            Sql.number(connection, "SELECT 1");
            return List.of(context.succeeded("Connected to " + database + " on the " + who + " in "
                    + ConnectivityCheck.elapsedMillis(start) + " ms."));
        } catch (SQLException e) {
            return List.of(ConnectivityCheck.describe(context, source, e, who, database,
                    ConnectivityCheck.elapsedMillis(start)));
        }
    }
}
