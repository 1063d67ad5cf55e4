package dev.pgmigrate.validators;

import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * I26: login roles the migration creates keep their passwords only when the source login reads the password
 * hashes in {@code pg_authid}. A managed source (its {@code type}: AWS_RDS, GCP_CloudSQL, PostgreSQLSingleServer,
 * ...) has no superuser and hides them from every login, so the fix there is to set the passwords afterwards; on a
 * self-hosted source, a superuser login reads them.
 */
public final class RolePasswordsValidator extends InstanceValidator {
    public RolePasswordsValidator() {
        super("role-passwords", "Login roles created on the target keep their passwords (the source login reads "
                + "pg_authid, which a managed source hides).", Needs.BOTH);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        if (!context.spec().settings().migrateRoles()) {
            return List.of(context.succeeded("Roles are not migrated (migrateRoles is off), so no password is "
                    + "copied."));
        }
        ServerFacts source = facts(context.source());
        String login = source.currentUser();
        boolean readable;
        List<String> logins;
        try (Connection connection = maintenance(context.source())) {
            readable = Sql.bool(connection, "SELECT has_table_privilege('pg_catalog.pg_authid', 'SELECT')");
            logins = Sql.strings(connection, "SELECT rolname FROM pg_roles WHERE rolcanlogin AND rolname !~ '^pg_' "
                    + "AND oid >= " + Sql.FIRST_USER_OID + " ORDER BY 1");
        }
        Set<String> existing = new HashSet<>();
        try (Connection connection = maintenance(context.target())) {
            existing.addAll(Sql.strings(connection, "SELECT rolname FROM pg_roles"));
        }
        List<String> created = logins.stream().filter(name -> !existing.contains(name)).toList();
        SourceServerType type = context.spec().source().type();
        if (created.isEmpty()) {
            return List.of(context.succeeded("Every login role of the source exists on the target already; the "
                    + "migration creates none, so no password needs copying."));
        }
        String candidates = "up to " + Text.counted(created, "login role", "login roles")
                + " (those the databases need, absent from the target)";
        if (readable) {
            return List.of(context.succeeded(login + " reads pg_authid on the source: " + candidates
                    + " keep their password hashes" + (type.isManaged() ? "; the source is declared " + type.label()
                    + ", a managed service, yet its login reads the hashes: check its type" : "") + "."));
        }
        String why = "They could not log in on the target until their passwords are set there, so applications "
                + "that use them would fail after the switch.";
        if (type.isManaged()) {
            return List.of(context.warning("The migration creates " + candidates + " without a password: the "
                    + "source is " + type.label() + ", a managed service, which has no superuser and hides the "
                    + "password hashes (pg_authid) from every login.", why, "Set each password on the target after "
                    + "the migration (ALTER ROLE <role> PASSWORD '...'), or create the roles there with their "
                    + "passwords beforehand: roles that exist on the target are kept as they are.", created));
        }
        return List.of(context.warning("The migration creates " + candidates + " without a password: " + login
                + " cannot read the password hashes (pg_authid) on the source.", why, "Migrate as a superuser of "
                + "the source, which reads pg_authid, so the hashes are copied; or set each password on the target "
                + "afterwards (ALTER ROLE <role> PASSWORD '...'). If the source is a managed service, set its type "
                + "(sourceType) to say so.", created));
    }
}
