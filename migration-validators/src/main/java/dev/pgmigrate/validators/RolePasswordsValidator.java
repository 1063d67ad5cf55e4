package dev.pgmigrate.validators;

import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * I26: login roles the migration creates (as {@code roles.scope} chooses them: {@link MigratedRoles}) keep their
 * passwords only when the source login reads the password hashes in {@code pg_authid}. A managed source (its
 * {@code type}: AWS_RDS, GCP_CloudSQL, PostgreSQLSingleServer, ...) has no superuser and hides them from every
 * login, so the fix there is to set the passwords afterwards; on a self-hosted source, a superuser login reads
 * them. A hash read is copied as it is: an md5 one, on a target that asks for scram-sha-256 at login, keeps the
 * role out there, and is a Warning.
 */
public final class RolePasswordsValidator extends InstanceValidator {
    public RolePasswordsValidator() {
        super("role-passwords", "Login roles created on the target keep their passwords (the source login reads "
                + "pg_authid, which a managed source hides).", Needs.BOTH);
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(MigratedRoles.DEPENDED_ON);
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
        List<String> md5 = List.of();
        MigratedRoles migrated;
        try (Connection connection = maintenance(context.source())) {
            migrated = MigratedRoles.of(context, connection);
            readable = Sql.bool(connection, "SELECT has_table_privilege('pg_catalog.pg_authid', 'SELECT')");
            String loginRoles = " WHERE rolcanlogin AND rolname !~ '^pg_' AND oid >= " + Sql.FIRST_USER_OID;
            logins = Sql.strings(connection, "SELECT rolname FROM pg_roles" + loginRoles + " ORDER BY 1").stream()
                    .filter(migrated::contains).toList();
            if (readable) {
                md5 = Sql.strings(connection, "SELECT rolname FROM pg_authid" + loginRoles
                        + " AND rolpassword LIKE 'md5%' ORDER BY 1").stream().filter(migrated::contains).toList();
            }
        }
        Set<String> existing = new HashSet<>();
        Optional<String> md5Refused;
        try (Connection connection = maintenance(context.target())) {
            existing.addAll(Sql.strings(connection, "SELECT rolname FROM pg_roles"));
            md5Refused = md5Refusal(connection);
        }
        List<String> created = logins.stream().filter(name -> !existing.contains(name)).toList();
        SourceServerType type = context.spec().source().type();
        if (created.isEmpty()) {
            return List.of(context.succeeded("No login role " + migrated.which() + " is missing from the target; "
                    + "the migration creates none, so no password needs copying."));
        }
        String those = " (" + (migrated.all() ? "roles.scope=all: those of the source" : "those the databases need")
                + ", absent from the target)";
        String candidates = "up to " + Text.counted(created, "login role", "login roles") + those;
        List<String> md5Created = md5.stream().filter(name -> !existing.contains(name)).toList();
        if (readable && !md5Created.isEmpty() && md5Refused.isPresent()) {
            return List.of(context.warning("The migration creates up to " + Text.counted(md5Created, "login role",
                    "login roles") + those + " with the md5 password hash they have on the source, and "
                    + md5Refused.get() + ".", "A scram-sha-256 rule in "
                    + "pg_hba.conf refuses a login whose hash is md5, so applications using these roles could not "
                    + "connect after the switch.", "Set their passwords again with password_encryption = "
                    + "scram-sha-256, on the source before the migration (the new hashes are copied) or on the target "
                    + "after it (ALTER ROLE <role> PASSWORD '...'); or have the target's pg_hba.conf use md5 for them, "
                    + "which accepts md5 and scram hashes alike.", md5Created));
        }
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

    /**
     * Why the target would refuse a login whose hash is md5, naming its setting and rules; empty when it would
     * accept one. A {@code pg_hba.conf} rule with {@code scram-sha-256} refuses it (an {@code md5} rule accepts both
     * kinds); the rules are read where the login may (a superuser, from 10), else {@code password_encryption}
     * tells: {@code scram-sha-256} (the default from 14, and a managed service's) goes with scram rules. The
     * migration decides the same way for its note.
     */
    static Optional<String> md5Refusal(Connection target) throws SQLException {
        String encryption = Sql.string(target, "SELECT current_setting('password_encryption')").orElse("");
        String setting = "the target's password_encryption is " + encryption;
        if (Sql.bool(target, "SELECT to_regclass('pg_catalog.pg_hba_file_rules') IS NOT NULL "
                + "AND has_table_privilege('pg_catalog.pg_hba_file_rules', 'SELECT')")) {
            return Sql.string(target, "SELECT CASE WHEN count(*) > 1 THEN 'lines ' ELSE 'line ' END || "
                    + "string_agg(line_number::text, ', ' ORDER BY line_number) FROM pg_catalog.pg_hba_file_rules "
                    + "WHERE error IS NULL AND auth_method = 'scram-sha-256'")
                    .map(lines -> setting + " and its pg_hba.conf asks for scram-sha-256 (" + lines + ")");
        }
        return "scram-sha-256".equals(encryption) ? Optional.of(setting + ", which goes with scram-sha-256 rules in "
                + "its pg_hba.conf (which the target login cannot read)") : Optional.empty();
    }
}
