package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * O5: the source login may publish the database's tables: {@code CREATE PUBLICATION} needs CREATE on the database,
 * and {@code FOR TABLE} ownership of each table (a superuser needs neither).
 */
public final class OnlinePublicationPrivilegesValidator extends OnlineDatabaseValidator {
    public OnlinePublicationPrivilegesValidator() {
        super("online-publication-privileges", "Online: the source login may publish the database's tables.");
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        String login = source.currentUser();
        if (source.superuser()) {
            return List.of(context.succeeded(login + " is a superuser on the source, so it may publish every table."));
        }
        record Session(String role, String database, boolean create) { } // quoted for the remedies
        Session session = Sql.list(connection, "SELECT quote_ident(current_user), quote_ident(current_database()),"
                + " has_database_privilege(current_database(), 'CREATE')",
                rs -> new Session(rs.getString(1), rs.getString(2), rs.getBoolean(3))).get(0);
        String tables = " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
                + " AND c.relpersistence = 'p' AND " + Sql.USER_SCHEMA + Sql.rowsMoved(context, "c.oid");
        long total = Sql.number(connection, "SELECT count(*)" + tables);
        List<String> notOwned = Sql.strings(connection, "SELECT " + Sql.QUALIFIED + " || ' (owner ' ||"
                + " quote_ident(pg_get_userbyid(c.relowner)) || ')'" + tables
                + " AND NOT pg_has_role(current_user, c.relowner, 'USAGE') ORDER BY 1");
        List<ValidationResult> results = new ArrayList<>();
        if (!session.create()) {
            results.add(context.failed(login + " has no CREATE privilege on the source database.", "The migration "
                    + "creates a publication of the database's tables on the source, and CREATE PUBLICATION needs "
                    + "CREATE on the database.", "Run GRANT CREATE ON DATABASE " + session.database() + " TO " + session.role()
                    + " on the source, or migrate as a superuser.", List.of(login)));
        }
        if (!notOwned.isEmpty()) {
            String tablesOf = "the database's " + Text.count(total, "table", "tables");
            String found = notOwned.size() == total ? login + " owns none of " + tablesOf
                    : login + " does not own " + notOwned.size() + " of " + tablesOf;
            // Failed, not a warning: CREATE PUBLICATION refuses such a table, so the migration could not start.
            results.add(context.failed(found + ": " + Text.listed(notOwned) + ".", "CREATE PUBLICATION FOR TABLE "
                    + "needs ownership of each table (membership in the owner's role is enough); only a superuser "
                    + "may publish FOR ALL TABLES. Publishing these fails when the migration starts.", "Migrate as "
                    + "the tables' owner, or grant the owners' roles to the login (GRANT <owner> TO " + session.role()
                    + "), or migrate as a superuser.", notOwned));
        }
        if (results.isEmpty()) {
            results.add(context.succeeded(login + " has CREATE on the database and " + (total == 0
                    ? "it has no tables to publish." : "owns each of its " + Text.count(total, "table", "tables")
                    + ", so it may publish them.")));
        }
        return results;
    }
}
