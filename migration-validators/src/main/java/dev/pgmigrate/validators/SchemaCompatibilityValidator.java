package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * D33: definitions the source's major accepts and the target's newer major rejects, which would fail the schema
 * copy after it has begun: generated columns of inheritance children whose parent's column is not generated (16
 * rejects them), postfix operators (removed in 14), aggregates and operators on the array functions 14 made
 * anycompatible (pg_upgrade's "incompatible polymorphics") and columns of the types abstime, reltime and tinterval
 * (removed in 12). Tables WITH OIDS have a check of their own ({@code tables-with-oids}).
 */
public final class SchemaCompatibilityValidator extends DatabaseValidator {
    public SchemaCompatibilityValidator() {
        super("schema-compatibility", "No definition the target's newer major rejects.", true);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        int from = source.versionNum();
        int to = context.target().facts().orElseThrow().versionNum();
        List<ValidationResult> results = new ArrayList<>();
        if (from >= 120000 && from < 160000 && to >= 160000) {
            List<String> columns = Sql.strings(connection, "SELECT DISTINCT c.oid::regclass::text || '.' || "
                    + "quote_ident(a.attname) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_inherits i ON i.inhrelid = c.oid"
                    + " JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname"
                    + " AND NOT pa.attisdropped WHERE a.attgenerated <> '' AND pa.attgenerated = ''"
                    + " AND NOT a.attisdropped AND " + Sql.USER_SCHEMA + " ORDER BY 1");
            if (!columns.isEmpty()) {
                results.add(context.failed(Text.counted(columns, "generated column of an inheritance child has",
                        "generated columns of inheritance children have") + " a parent column that is not "
                        + "generated.", "PostgreSQL 16 and later reject such a child (\"child column specifies "
                        + "generation expression\"), so creating its table fails in the middle of the migration.",
                        "On the source, make the child column plain (ALTER TABLE child ALTER COLUMN c DROP "
                        + "EXPRESSION keeps its values), or make the parent's column generated too, or drop the "
                        + "child if it is unused.", columns));
            }
        }
        if (from < 140000 && to >= 140000) {
            List<String> operators = Sql.strings(connection, "SELECT o.oid::regoperator::text FROM pg_operator o"
                    + " WHERE o.oprright = 0 AND o.oid >= " + Sql.FIRST_USER_OID + " AND "
                    + Sql.notExtensionMember("pg_operator", "o") + " ORDER BY 1");
            if (!operators.isEmpty()) {
                results.add(context.failed(Text.counted(operators, "postfix operator", "postfix operators") + ".",
                        "PostgreSQL 14 removed postfix operators: their definitions fail on the target.",
                        "Drop them on the source and use a function or a prefix operator instead.", operators));
            }
        }
        if (from < 140000 && to >= 140000) {
            // pg_upgrade's incompatible polymorphics: 14 gave these functions anycompatible arguments, so a user's
            // aggregate or operator that names them with anyarray/anyelement no longer finds them.
            String old = "ARRAY['array_append(anyarray,anyelement)', 'array_cat(anyarray,anyarray)', "
                    + "'array_prepend(anyelement,anyarray)', 'array_remove(anyarray,anyelement)', "
                    + "'array_replace(anyarray,anyelement,anyelement)', 'array_position(anyarray,anyelement)', "
                    + "'array_position(anyarray,anyelement,integer)', 'array_positions(anyarray,anyelement)', "
                    + "'width_bucket(anyelement,anyarray)']::regprocedure[]";
            String polymorphic = "ARRAY['anyarray', 'anyelement']::regtype[]";
            List<String> objects = Sql.strings(connection, "SELECT DISTINCT 'aggregate ' || p.oid::regprocedure::text"
                    + " FROM pg_proc p JOIN pg_aggregate a ON a.aggfnoid = p.oid WHERE p.oid >= " + Sql.FIRST_USER_OID
                    + " AND (a.aggtransfn = ANY (" + old + ") OR a.aggfinalfn = ANY (" + old + ")) AND a.aggtranstype"
                    + " = ANY (" + polymorphic + ") UNION SELECT 'operator ' || o.oid::regoperator::text FROM "
                    + "pg_operator o WHERE o.oid >= " + Sql.FIRST_USER_OID + " AND o.oprcode = ANY (" + old + ") AND "
                    + "o.oprleft = ANY (" + polymorphic + ") ORDER BY 1");
            if (!objects.isEmpty()) {
                results.add(context.failed(Text.counted(objects, "aggregate or operator uses", "aggregates and "
                        + "operators use") + " array functions with the polymorphic arguments PostgreSQL 14 "
                        + "changed.", "From 14 on array_append, array_cat, array_prepend, array_remove, "
                        + "array_replace, array_position(s) and width_bucket take anycompatible arguments, so these "
                        + "definitions fail on the target (pg_upgrade refuses them too).", "Drop them on the source "
                        + "and recreate them on the target after the migration with anycompatible / "
                        + "anycompatiblearray in place of anyelement / anyarray.", objects));
            }
        }
        if (from < 120000 && to >= 120000) {
            List<String> columns = Sql.strings(connection, "SELECT c.oid::regclass::text || '.' || "
                    + "quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
                    + " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE a.atttypid IN ('pg_catalog.abstime'::regtype, 'pg_catalog.reltime'::regtype,"
                    + " 'pg_catalog.tinterval'::regtype) AND a.attnum > 0 AND NOT a.attisdropped"
                    + " AND c.relkind IN ('r', 'p', 'm', 'v', 'f', 'c') AND " + Sql.USER_SCHEMA + " ORDER BY 1");
            if (!columns.isEmpty()) {
                results.add(context.failed(Text.counted(columns, "column has a type", "columns have types")
                        + " PostgreSQL 12 removed.", "abstime, reltime and tinterval do not exist on the target, so "
                        + "these definitions fail there.", "Change the columns on the source (ALTER TABLE ... ALTER "
                        + "COLUMN ... TYPE timestamptz, interval or tstzrange USING ...).", columns));
            }
        }
        if (results.isEmpty()) {
            results.add(context.succeeded(from / 10000 >= to / 10000 ? "Source and target are of one major."
                    : "No definition that PostgreSQL " + context.target().facts().orElseThrow().majorLabel()
                            + " rejects was found."));
        }
        return results;
    }
}
