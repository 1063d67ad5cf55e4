package dev.pgmigrate.core.internal.pg;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.SpecProblem;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a {@link SourceSelection} moves that needs something it leaves out: a view or materialized view reading a
 * relation left out, a foreign key referencing one, a table inheriting from one, a column default, check, trigger,
 * policy or index using a sequence, relation or function left out, a column or function whose type lives in a
 * schema left out. pg_dump would dump the dependent without what it needs, and the restore would fail once the rows
 * are copied; read here instead, in one catalog query (the normal dependencies of pg_depend, a view's recorded on
 * its {@code _RETURN} rule), before anything is made on the target.
 *
 * <p>What belongs to no schema (a cast, transform, event trigger, foreign-data wrapper or server, language, access
 * method, publication) moves with every selection, since pg_dump dumps it whatever its exclusions: one that needs a
 * function or type of a schema left out is found too.
 *
 * <p>Dependencies among objects left out, on system objects and of or on an extension's members are not followed:
 * what an extension needs is the extension's. A sequence owned by a moved table moves with it, so only one used by a
 * default but left out (owned by a table left out, or not matched by a table pattern) is found.
 */
public final class SelectionDependencies {
    /**
     * A moved object and one object left out that it needs, each as PostgreSQL names it ({@code pg_identify_object}).
     *
     * @param field the selection's field that left {@code dependency} out, such as
     *        {@code settings.selection.excludeTables}
     * @param remedy the two ways out: leave the dependent out too, or stop leaving the dependency out
     */
    public record Missing(String dependent, String dependency, String field, String remedy) {
        /** The pair as one line: "view public.v needs table public.t". */
        public String describe() {
            return dependent + " needs " + dependency;
        }
    }

    /**
     * The catalogs of objects that belong to no schema, which pg_dump dumps whatever its exclusions (pgmigrate gives
     * it no {@code -n} or {@code -t}), so they move with every selection. A publication's membership of a table or
     * schema is not here: pg_dump drops it with what it names ({@link SourceSelection#membershipsLeftOut()}).
     */
    private static final Set<String> NO_SCHEMA = Set.of("pg_cast", "pg_transform", "pg_event_trigger",
            "pg_foreign_data_wrapper", "pg_foreign_server", "pg_user_mapping", "pg_language", "pg_am",
            "pg_publication");
    private static final String CLASS = "'pg_catalog.pg_class'::pg_catalog.regclass";
    private static final String TYPE = "'pg_catalog.pg_type'::pg_catalog.regclass";
    private static final String REWRITE = "'pg_catalog.pg_rewrite'::pg_catalog.regclass";
    private static final String QUERY = "SELECT DISTINCT CASE WHEN x.classid = " + REWRITE + " AND (SELECT w.rulename "
            + "FROM pg_catalog.pg_rewrite w WHERE w.oid = x.objid) = '_RETURN' THEN " + named(CLASS, "x.dep_rel", "0")
            + " ELSE " + named("x.classid", "x.objid", "x.objsubid") + " END AS dependent, x.dep_rel, x.dep_schema, "
            + "CASE WHEN x.ref_rel IS NULL THEN " + named("x.refclassid", "x.refobjid", "0") + " ELSE "
            + named(CLASS, "x.ref_rel", "0") + " END AS dependency, x.ref_rel, x.ref_schema, "
            + "(SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) FROM "
            + "pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = "
            + "x.dep_rel), pg_catalog.quote_ident(x.ref_schema), (SELECT c.relname FROM pg_catalog.pg_class c WHERE "
            + "c.oid = x.classid) "
            // What each dependency needs is resolved once per row behind a fence (OFFSET 0), then only the rows
            // needing what is left out resolve their dependent; normal dependencies (what must exist first) between
            // user objects (16384 up) alone are followed.
            + "FROM (SELECT lo.*, dep.rel AS dep_rel, dep.schema AS dep_schema FROM (SELECT d.classid, d.objid, "
            + "d.objsubid, d.refclassid, d.refobjid, ref.rel AS ref_rel, ref.schema AS ref_schema FROM "
            + "pg_catalog.pg_depend d CROSS JOIN LATERAL " + side("d.refclassid", "d.refobjid") + " ref WHERE "
            + "d.deptype = 'n' AND d.objid >= 16384 AND d.refobjid >= 16384 OFFSET 0) lo CROSS JOIN LATERAL "
            + side("lo.classid", "lo.objid") + " dep WHERE (lo.ref_rel = ANY (?::pg_catalog.oid[]) OR lo.ref_rel IS "
            + "NULL AND lo.ref_schema = ANY (?::pg_catalog.text[])) OFFSET 0) x "
            + "WHERE NOT COALESCE(x.dep_rel = ANY (?::pg_catalog.oid[]) OR x.dep_schema = ANY "
            + "(?::pg_catalog.text[]), false) AND NOT (" + member("x.classid", "x.objid") + " OR "
            + member("x.refclassid", "x.refobjid") + " OR " + member(CLASS, "x.dep_rel") + " OR "
            + member(CLASS, "x.ref_rel") + " OR " + member(TYPE, element("x.classid", "x.objid")) + " OR "
            + member(TYPE, element("x.refclassid", "x.refobjid")) + ") ORDER BY 1, 4";

    private SelectionDependencies() {
    }

    /**
     * The objects {@code selection} moves that need one it leaves out, read on {@code c}, a connection to its source
     * database (inside the migration's snapshot when there is one); empty when everything moves or only rows do.
     */
    public static List<Missing> find(Connection c, SourceSelection selection) throws SQLException {
        // Data only restores no definition: the target's own tables already stand.
        if (selection.isEverything() || selection.selection().content() == Selection.Content.DATA_ONLY
                || selection.leftOut().isEmpty() && selection.schemasLeftOut().isEmpty()) {
            return List.of();
        }
        Set<Long> leftOut = new HashSet<>();
        selection.leftOut().forEach(r -> leftOut.add(r.oid()));
        String oids = "{" + String.join(",", leftOut.stream().map(String::valueOf).toList()) + "}";
        String schemas = textArray(selection.schemasLeftOut());
        List<Missing> missing = new ArrayList<>();
        for (String[] r : withoutJit(c, oids, schemas)) {
            long depRel = r[1] == null ? 0 : Long.parseLong(r[1]);
            long refRel = r[4] == null ? 0 : Long.parseLong(r[4]);
            boolean global = depRel == 0 && r[2] == null && NO_SCHEMA.contains(r[8]);
            boolean moves = depRel != 0 ? selection.moves(depRel) : global || r[2] != null && selection.schemas()
                    .contains(r[2]);
            boolean schemaLeftOut = selection.schemasLeftOut().contains(r[5]);
            boolean needed = refRel != 0 ? leftOut.contains(refRel) : schemaLeftOut;
            if (moves && needed) {
                String dependent = r[0];
                String leaveOut = depRel != 0 ? "Leave " + r[6] + " out too (excludeTables)"
                        : global ? "Drop " + dependent + " on the source and create it on the target after the "
                        + "migration (it belongs to no schema, so every selection moves it)"
                        : "Leave the schema of " + dependent + " out too (excludeSchemas)";
                String option = leftOutBy(selection.selection(), schemaLeftOut);
                String what = schemaLeftOut ? "schema " + r[7] : r[3];
                String undo = switch (option) {
                    case "excludeTables", "excludeSchemas" -> "take " + what + " out of " + option;
                    case "tables", "schemas" -> "add " + what + " to " + option;
                    default -> "stop leaving " + what + " out (" + option + ")";
                };
                missing.add(new Missing(dependent, r[3], "settings.selection." + option, leaveOut + ", or " + undo));
            }
        }
        return missing;
    }

    /**
     * The query's rows with JIT off: its many small subplans cost enough to trigger JIT compilation, which takes
     * longer than the query itself (1.3 s beside 0.13 s on 100,000 dependencies). The session's setting is restored.
     */
    private static List<String[]> withoutJit(Connection c, String oids, String schemas) throws SQLException {
        boolean jit = "on".equals(Sql.one(c, "SELECT pg_catalog.current_setting('jit', true)")); // 11 and later
        String local = String.valueOf(!c.getAutoCommit());
        if (jit) {
            Sql.one(c, "SELECT pg_catalog.set_config('jit', 'off', " + local + ")");
        }
        // On a failure the setting stays: the transaction is aborted, or the caller closes the session.
        List<String[]> rows = Sql.rows(c, QUERY, oids, schemas, oids, schemas);
        if (jit) {
            Sql.one(c, "SELECT pg_catalog.set_config('jit', 'on', " + local + ")");
        }
        return rows;
    }

    /**
     * Fails when {@code selection} moves an object that needs one it leaves out, naming both and the fix.
     *
     * @throws InvalidSpecException one problem per such pair, before anything is changed on the target
     */
    public static void require(Connection c, SourceSelection selection, String database) throws SQLException {
        List<SpecProblem> problems = find(c, selection).stream().map(m -> new SpecProblem(m.field(), m.dependency(),
                "leaves out what " + m.dependent() + " needs in database " + database + ": its restore would fail "
                + "once the rows are copied. " + m.remedy())).toList();
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
    }

    /** The option that left out an object, precise when the selection uses one of the two that could. */
    private static String leftOutBy(Selection s, boolean schemaLeftOut) {
        if (schemaLeftOut) {
            return s.schemas().isEmpty() ? "excludeSchemas" : s.excludeSchemas().isEmpty() ? "schemas"
                    : "schemas/excludeSchemas";
        }
        return s.tables().isEmpty() ? "excludeTables" : s.excludeTables().isEmpty() ? "tables"
                : "tables/excludeTables";
    }

    /** Whether the object is an extension's member. */
    private static String member(String classid, String objid) {
        return "EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = " + classid + " AND e.objid = " + objid
                + " AND e.deptype = 'e')";
    }

    /** The element type of an array type, whose extension membership is the element's; else null. */
    private static String element(String classid, String objid) {
        return "(SELECT t.typelem FROM pg_catalog.pg_type t WHERE " + classid + " = " + TYPE + " AND t.oid = " + objid
                + " AND t.typelem <> 0)";
    }

    /** "type identity" of an object, as {@code pg_identify_object} gives them: "view public.v". */
    private static String named(String classid, String objid, String subid) {
        return "(SELECT o.type || ' ' || o.identity FROM pg_catalog.pg_identify_object(" + classid + ", " + objid
                + ", " + subid + ") o)";
    }

    /**
     * One side of a dependency: {@code rel}, the relation of the selection it belongs to (a column, default,
     * constraint, trigger, policy, rule or index belongs to its table, a row type or its array to its relation), or
     * null; {@code schema}, that relation's schema or the object's own.
     */
    private static String side(String classid, String objid) {
        String owner = "CASE " + classid
                + " WHEN " + CLASS + " THEN (SELECT COALESCE(i.indrelid, c.oid) FROM pg_catalog.pg_class c LEFT JOIN "
                + "pg_catalog.pg_index i ON i.indexrelid = c.oid WHERE c.oid = " + objid + ")"
                + " WHEN " + TYPE + " THEN (SELECT COALESCE(e.typrelid, t.typrelid) FROM pg_catalog.pg_type t LEFT "
                + "JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND e.typarray = t.oid WHERE t.oid = " + objid + ")"
                + " WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN (SELECT a.adrelid FROM "
                + "pg_catalog.pg_attrdef a WHERE a.oid = " + objid + ")"
                + " WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN (SELECT k.conrelid FROM "
                + "pg_catalog.pg_constraint k WHERE k.oid = " + objid + ")"
                + " WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN (SELECT g.tgrelid FROM "
                + "pg_catalog.pg_trigger g WHERE g.oid = " + objid + ")"
                + " WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN (SELECT p.polrelid FROM "
                + "pg_catalog.pg_policy p WHERE p.oid = " + objid + ")"
                + " WHEN " + REWRITE + " THEN (SELECT w.ev_class FROM pg_catalog.pg_rewrite w WHERE w.oid = " + objid
                + ") END";
        String schema = "CASE " + classid
                + " WHEN " + CLASS + " THEN (SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace "
                + "n ON n.oid = c.relnamespace WHERE c.oid = " + objid + ")"
                + " WHEN " + TYPE + " THEN (SELECT n.nspname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n "
                + "ON n.oid = t.typnamespace WHERE t.oid = " + objid + ")"
                + " WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN (SELECT n.nspname FROM pg_catalog.pg_proc p "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = " + objid + ")"
                // Every object needs its schema: what is in one left out is left out, and that schema holds nothing.
                + " WHEN 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN NULL"
                + " ELSE (SELECT o.schema FROM pg_catalog.pg_identify_object(" + classid + ", " + objid + ", 0) o) END";
        return "(SELECT r.oid AS rel, COALESCE(rn.nspname, " + schema + ") AS schema FROM (SELECT " + owner
                + " AS owner) o LEFT JOIN pg_catalog.pg_class r ON r.oid = o.owner AND "
                + SourceSelection.KINDS.replace("c.relkind", "r.relkind") + " LEFT JOIN pg_catalog.pg_namespace rn ON "
                + "rn.oid = r.relnamespace)";
    }

    /** {@code values} as a PostgreSQL array literal, each element quoted. */
    private static String textArray(List<String> values) {
        return "{" + String.join(",", values.stream().map(v -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"").toList()) + "}";
    }
}
