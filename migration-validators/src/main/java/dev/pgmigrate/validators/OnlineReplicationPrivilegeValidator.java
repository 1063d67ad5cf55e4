package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * O4: the source login may open replication connections and create logical slots: a superuser, a role with
 * REPLICATION, or a member of a provider's role that grants it (AWS's {@code rds_replication}).
 */
public final class OnlineReplicationPrivilegeValidator extends OnlineInstanceValidator {
    /**
     * Providers' roles whose members may replicate without the REPLICATION attribute. Azure's
     * {@code azure_pg_admin} and Cloud SQL's {@code cloudsqlsuperuser} are not among them: there the login itself
     * needs REPLICATION, which their admins may grant.
     */
    static final List<String> PROVIDER_ROLES = List.of("rds_replication");

    public OnlineReplicationPrivilegeValidator() {
        super("online-replication-privilege", "Online: the source login may replicate (REPLICATION).", Needs.SOURCE);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        ServerFacts source = facts(context.source());
        String login = source.currentUser();
        if (source.superuser()) {
            return List.of(context.succeeded(login + " is a superuser on the source, so it may replicate."));
        }
        boolean replication;
        String role;
        List<String> granting;
        try (Connection connection = maintenance(context.source())) {
            replication = Sql.bool(connection, "SELECT rolreplication FROM pg_roles WHERE rolname = current_user");
            role = Sql.string(connection, "SELECT quote_ident(current_user)").orElse(login);
            // Only roles that exist are asked about: pg_has_role fails on a name it does not know.
            granting = Sql.strings(connection, "SELECT r.rolname FROM pg_roles r WHERE r.rolname = ANY (?)"
                    + " AND pg_has_role(current_user, r.oid, 'MEMBER') ORDER BY 1",
                    Sql.textArray(connection, PROVIDER_ROLES));
        }
        if (replication) {
            return List.of(context.succeeded(login + " has REPLICATION on the source."));
        }
        if (!granting.isEmpty()) {
            return List.of(context.succeeded(login + " may replicate as a member of " + Text.and(granting) + "."));
        }
        return List.of(context.failed(login + " is not a superuser on the source, has no REPLICATION and is not a "
                + "member of " + Text.and(PROVIDER_ROLES) + ".", "An Online migration creates a logical replication "
                + "slot and streams the source's changes from it over a replication connection, which only a "
                + "superuser or a role with REPLICATION may open.", "Run ALTER ROLE " + role
                + " REPLICATION on the source as a superuser (on Azure and Cloud SQL as the server's admin); on AWS "
                + "RDS and Aurora run GRANT rds_replication TO " + role + ".", List.of(login)));
    }
}
