package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** D5: the source login can read every schema, table, sequence and large object of the database. */
public final class SourceReadPrivilegesValidator extends DatabaseValidator {
    public SourceReadPrivilegesValidator() {
        super("source-read-privileges", "The source login can read every schema, table, sequence and large object.",
                false);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        String login = source.currentUser();
        if (source.superuser()) {
            return List.of(context.succeeded(login + " is a superuser and reads everything."));
        }
        String from = " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + Sql.USER_SCHEMA
                + Sql.moved(context, "c.oid");
        String sql = "SELECT 'schema ' || quote_ident(n.nspname) FROM pg_namespace n WHERE " + Sql.USER_SCHEMA
                + " AND NOT has_schema_privilege(n.oid, 'USAGE')"
                + " UNION ALL SELECT CASE c.relkind WHEN 'S' THEN 'sequence ' ELSE 'table ' END || c.oid::regclass"
                + from + " AND c.relkind IN ('r', 'p', 'm', 'S') AND NOT has_table_privilege(c.oid, 'SELECT')"
                + " UNION ALL SELECT 'table ' || c.oid::regclass || ' (row-level security hides rows)'" + from
                + " AND c.relrowsecurity AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'MEMBER'))"
                + " AND NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user)"
                + " UNION ALL SELECT count(*) || ' large objects' FROM pg_largeobject_metadata l"
                + " WHERE current_setting('lo_compat_privileges') = 'off' AND NOT pg_has_role(l.lomowner, 'MEMBER')"
                + " AND NOT EXISTS (SELECT 1 FROM aclexplode(l.lomacl) a WHERE a.privilege_type = 'SELECT'"
                + " AND (a.grantee = 0 OR pg_has_role(a.grantee, 'MEMBER'))) HAVING count(*) > 0";
        List<String> unreadable = Sql.strings(connection, sql);
        if (unreadable.isEmpty()) {
            return List.of(context.succeeded(login + " can read every schema, table, sequence and large object."));
        }
        String grant = source.versionNum() >= 140000
                ? "GRANT pg_read_all_data TO " + login + "; (PostgreSQL 14 and later: every table, sequence and "
                        + "schema) and, for large objects, GRANT SELECT ON LARGE OBJECT <oid> or make the login a "
                        + "member of their owners"
                : "GRANT USAGE ON SCHEMA <schema> TO " + login + "; GRANT SELECT ON ALL TABLES IN SCHEMA <schema> TO "
                        + login + "; GRANT SELECT ON ALL SEQUENCES IN SCHEMA <schema> TO " + login + "; and for "
                        + "large objects GRANT SELECT ON LARGE OBJECT <oid> (pg_read_all_data needs 14 or later)";
        return List.of(context.failed(login + " cannot read " + Text.counted(unreadable, "object", "objects") + ".",
                "pg_dump and COPY stop at the first object they may not read, and row-level security would "
                        + "silently leave rows behind.", grant + "; for row-level security, ALTER ROLE " + login
                        + " BYPASSRLS or make it a member of the table owners. Or migrate as the owner.", unreadable));
    }
}
