package dev.pgmigrate.validators;

import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * D3, D4: the database is absent on the target or empty; with overwrite set, it will be dropped, which the
 * login must be allowed to do.
 */
public final class TargetDatabaseValidator extends DatabaseValidator {
    /** Counts what makes a database not empty: user relations, functions, types, schemas and extensions. */
    private static final String USER_OBJECTS = "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n"
            + " ON n.oid = c.relnamespace WHERE " + Sql.USER_SCHEMA + ")"
            + " + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE "
            + Sql.USER_SCHEMA + ")"
            + " + (SELECT count(*) FROM pg_namespace n WHERE " + Sql.USER_SCHEMA + " AND n.nspname <> 'public')"
            + " + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql')";

    public TargetDatabaseValidator() {
        super("target-database", "The database does not exist on the target, or is empty, unless overwrite is set.",
                true);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection ignored)
            throws SQLException {
        String database = context.database().orElseThrow();
        ServerFacts target = context.target().facts().orElseThrow();
        List<String[]> rows;
        try (Connection connection = InstanceValidator.maintenance(context.target())) {
            rows = Sql.list(connection, "SELECT pg_get_userbyid(datdba), datallowconn::text,"
                    + " (pg_has_role(datdba, 'MEMBER') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))"
                    + "::text FROM pg_database WHERE datname = ?",
                    rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, database);
        }
        if (context.spec().settings().selection().content() == Selection.Content.DATA_ONLY) {
            return dataOnly(context, database, !rows.isEmpty() && "true".equals(rows.get(0)[1]), ignored);
        }
        if (rows.isEmpty()) {
            return List.of(context.succeeded("Database " + database + " does not exist on the target yet."));
        }
        String owner = rows.get(0)[0];
        boolean overwrite = context.spec().settings().overwriteDbsInTarget();
        if (overwrite) {
            if (database.equals(target.maintenanceDatabase())) {
                // The engine keeps its own sessions out of the databases it replaces, unless no other one takes the
                // login: then the rename that sets this one aside would fail at the very end of the copy.
                return List.of(context.failed("Database " + database + " exists on the target and overwriteDbsInTarget "
                        + "is on, but it is the only database there that " + target.currentUser() + " can connect to "
                        + "besides those migrated.", "pgmigrate's own session has to sit in it, and PostgreSQL renames "
                        + "no database a session is in, so it could not be set aside.", "Let the login connect to "
                        + "template1 (ALTER DATABASE template1 ALLOW_CONNECTIONS true) or to another database of the "
                        + "target (an empty one will do), or leave " + database + " out of dbsToMigrate.",
                        List.of(database)));
            }
            if (!"true".equals(rows.get(0)[2])) {
                return List.of(context.failed("Database " + database + " exists on the target, owned by " + owner
                        + ", and overwriteDbsInTarget is on, but " + target.currentUser() + " may not drop it.",
                        "Only its owner, a member of the owner role, or a superuser can drop a database.",
                        "GRANT " + owner + " TO " + target.currentUser() + "; or drop it yourself, or turn "
                                + "overwriteDbsInTarget off and choose another target name.", List.of(owner)));
            }
            return List.of(context.warning("Database " + database + " exists on the target and overwriteDbsInTarget "
                    + "is on.", "It will be dropped, with everything in it, and recreated from the source; its "
                    + "sessions are ended first.", "Make sure nothing on the target's " + database + " is needed; "
                    + "otherwise turn overwriteDbsInTarget off.", List.of(database)));
        }
        long objects = 0;
        if ("true".equals(rows.get(0)[1])) {
            try (Connection connection = context.target().connect(database)) {
                objects = Sql.number(connection, USER_OBJECTS);
            }
        }
        if (objects == 0 && "true".equals(rows.get(0)[1])) {
            // The copy is made under a working name and takes its name at the end: a database of that name, empty
            // or not, would make it fail then, after the whole copy.
            return List.of(context.failed("Database " + database + " exists on the target, owned by " + owner
                    + ", and is empty; overwriteDbsInTarget is off.", "The migration copies into a database of its "
                    + "own and gives it this name at the end; with one of that name there, it would copy everything "
                    + "and then fail.", "Drop the target's empty " + database + ", or set overwriteDbsInTarget to "
                    + "have it set aside and dropped once the migration has succeeded.", List.of(database)));
        }
        return List.of(context.failed("Database " + database + " exists on the target, owned by " + owner + ", and "
                + ("true".equals(rows.get(0)[1]) ? "holds " + objects + " user objects" : "does not accept connections")
                + "; overwriteDbsInTarget is off.", "pgmigrate never mixes a migrated database with existing data.",
                "Drop or rename the target's " + database + ", or set overwriteDbsInTarget to have it dropped and "
                        + "recreated.", List.of(database)));
    }

    /**
     * Data only fills the tables of a database the target already has: it must exist, and each table whose rows
     * move must be there, empty.
     */
    private static List<ValidationResult> dataOnly(ValidationContext context, String database, boolean connectable,
            Connection source) throws SQLException {
        String schemaFirst = "Create it with its schema first: a pgmigrate migration with settings.selection."
                + "schemaOnly (or --schema-only), or pg_dump --schema-only piped to psql.";
        if (!connectable) {
            return List.of(context.failed("Database " + database + " does not exist on the target, or takes no "
                    + "connections, and the selection is data only.", "Data only copies rows into the tables of a "
                    + "database the target already has; it creates nothing.", schemaFirst, List.of(database)));
        }
        List<String> tables = Sql.strings(source, "SELECT pg_catalog.quote_ident(n.nspname) || '.' || "
                + "pg_catalog.quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND " + Sql.USER_SCHEMA + " AND "
                + Sql.notExtensionMember("pg_class", "c") + Sql.rowsMoved(context, "c.oid") + " ORDER BY 1");
        List<String> missing = new java.util.ArrayList<>();
        List<String> filled = new java.util.ArrayList<>();
        List<String> hidden = new java.util.ArrayList<>();
        List<String> triggered;
        try (Connection target = context.target().connect(database)) {
            // A policy must not hide rows from the check; with row_security off, one that applies fails the read.
            try (java.sql.Statement set = target.createStatement()) {
                set.execute("SET row_security = off");
            }
            for (String table : tables) {
                if (Sql.string(target, "SELECT pg_catalog.to_regclass(?)::text", table).isEmpty()) {
                    missing.add(table);
                    continue;
                }
                try {
                    if (Sql.number(target, "SELECT count(*) FROM (SELECT 1 FROM ONLY " + table + " LIMIT 1) x") > 0) {
                        filled.add(table);
                    }
                } catch (SQLException e) {
                    if (!"42501".equals(e.getSQLState())) {
                        throw e;
                    }
                    hidden.add(table);
                }
            }
            triggered = Sql.strings(target, "SELECT DISTINCT " + Sql.QUALIFIED + " || ' (' || t.tgname || ')' FROM "
                    + "pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND " + Sql.QUALIFIED + " = ANY (?) ORDER BY 1",
                    Sql.textArray(target, tables));
        }
        if (!hidden.isEmpty()) {
            return List.of(context.failed(Text.counted(hidden, "table", "tables") + " of the target's " + database
                    + " have row-level security policies that apply to the target login, and the selection is data "
                    + "only.", "The login can neither see whether they are empty nor copy into them (COPY FROM "
                    + "refuses tables under row-level security), and a rollback would empty rows it cannot see.",
                    "Fill them as their owner without FORCE ROW LEVEL SECURITY, or as a role with BYPASSRLS (a "
                    + "superuser), or leave them out of the selection.", hidden));
        }
        if (!missing.isEmpty()) {
            return List.of(context.failed(Text.counted(missing, "table is", "tables are") + " missing from the "
                    + "target's " + database + ", and the selection is data only.", "Data only copies rows into "
                    + "tables that exist; it creates none.", schemaFirst + " Or leave them out of the selection.",
                    missing));
        }
        if (!filled.isEmpty()) {
            return List.of(context.failed(Text.counted(filled, "table", "tables") + " of the target's " + database
                    + " already hold rows, and the selection is data only.", "pgmigrate never mixes migrated rows "
                    + "with rows already there, and a rollback empties the tables it filled.", "Empty them on the "
                    + "target (TRUNCATE), or leave them out of the selection (excludeTables, excludeTableData).",
                    filled));
        }
        if (!triggered.isEmpty()) {
            return List.of(context.warning(Text.counted(triggered, "trigger", "triggers") + " of the target's "
                    + database + " fire for every row data only copies into their tables.", "They run as for any "
                    + "insert, as they do in a pg_dump --data-only restore; a failed or canceled migration empties "
                    + "the tables it filled, but not what the triggers wrote elsewhere.", "If they write other "
                    + "tables (an audit log, counters), disable them for the fill (ALTER TABLE ... DISABLE TRIGGER "
                    + "...) and enable them after, or be ready to clean up what they wrote if the migration fails.",
                    triggered));
        }
        return List.of(context.succeeded("Database " + database + " exists on the target with the "
                + tables.size() + " table(s) data only fills, each empty."));
    }
}
