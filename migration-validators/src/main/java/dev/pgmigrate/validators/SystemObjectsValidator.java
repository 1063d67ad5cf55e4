package dev.pgmigrate.validators;

import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * D35: every system function, operator, type and relation (those initdb made, OID below 16384) that the
 * database's definitions use exists on the target's major, found by name: a view on {@code
 * pg_current_xlog_location()} (renamed in 10) or a default calling {@code abstime} (removed in 12) fails the restore
 * on a newer target part way through the schema copy.
 *
 * <p>{@code pg_depend} records no dependency on pinned objects, which every built-in function and type is, so the
 * source's uses are read from the stored expression trees (views and rules, defaults, check constraints, index and
 * partition-key expressions, trigger WHEN clauses, policies, domain defaults, SQL-standard bodies, extended
 * statistics) and from the catalogs that name system objects directly (function signatures, aggregates, operators,
 * casts, triggers' functions, ranges, operator families, domains). A function counts as present when the target
 * has one of its name in its schema taking as many arguments, since the restore resolves calls by name and the
 * values' types (14 gave array_append and others anycompatible arguments, and views calling them restore). Column
 * types are {@code schema-compatibility}'s; bodies in strings (PL/pgSQL, SQL) record nothing and are not checked.
 */
public final class SystemObjectsValidator extends DatabaseValidator {
    /** Stored-tree fields holding a function's OID, an operator's, a type's, a relation's. */
    private static final String FUNCTION_FIELDS = "funcid|aggfnoid|winfnoid|opfuncid|elemfuncid|tsmhandler|"
            + "hashfuncid|negfuncid|startInRangeFunc|endInRangeFunc";
    private static final String OPERATOR_FIELDS = "opno|eqop|sortop";
    private static final String TYPE_FIELDS = "consttype|vartype|paramtype|funcresulttype|opresulttype|resulttype|"
            + "aggtype|wintype|minmaxtype|row_typeid|array_typeid|element_typeid|casetype|coalescetype|typeId|"
            + "refarraytype|refelemtype|refcontainertype|refrestype";
    private static final int EXAMPLES = 3;

    public SystemObjectsValidator() {
        super("system-objects", "Every system function, operator, type and relation the database's definitions use "
                + "exists on the target's major.", true);
    }

    /** A system object used on the source, with up to three of its users and how many there are. */
    private record Used(String kind, String display, String schema, String name, int arity, List<String> users,
            int userCount) {
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        ServerFacts target = context.target().facts().orElseThrow();
        if (source.sameMajorAs(target)) {
            return List.of(context.succeeded("Source and target are of one major: they have the same system objects."));
        }
        if (context.spec().settings().selection().content() == Selection.Content.DATA_ONLY) {
            return List.of(context.succeeded("Data only: no definition is created on the target."));
        }
        List<Used> used = Sql.list(connection, sourceQuery(context, source), rs -> new Used(rs.getString(1),
                rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                List.of((String[]) rs.getArray(6).getArray()), rs.getInt(7)));
        if (used.isEmpty()) {
            return List.of(context.succeeded("No definition here uses a system function, operator, type or relation."));
        }
        Map<Integer, Optional<String>> missing = missingOnTarget(context, target, used);
        String counted = Text.count(used.size(), "system function, operator, type or relation",
                "system functions, operators, types and relations") + " used by definitions here";
        if (missing.isEmpty()) {
            return List.of(context.succeeded(counted + "; PostgreSQL " + target.majorLabel() + " has all of them."));
        }
        List<String> names = new ArrayList<>();
        List<String> items = new ArrayList<>();
        missing.forEach((index, renamed) -> {
            Used u = used.get(index - 1);
            names.add(u.kind() + " " + u.display());
            String users = String.join(", ", u.users()) + (u.userCount() > u.users().size()
                    ? " and " + (u.userCount() - u.users().size()) + " more" : "");
            items.add(u.kind() + " " + u.display() + ", used by " + users
                    + renamed.map(name -> " (PostgreSQL " + target.majorLabel() + " has " + name + ")").orElse(""));
        });
        return List.of(context.failed("PostgreSQL " + target.majorLabel() + " lacks " + Text.counted(names,
                "system object that definitions here use", "system objects that definitions here use") + ".",
                "PostgreSQL removed or renamed them after " + source.majorLabel() + ", so creating the objects that "
                + "use them (each listed) fails on the target part way through the schema copy, and the migration "
                + "rolls back.", "Before migrating, rewrite each object listed on the source to use what PostgreSQL "
                + target.majorLabel() + " has (the name given in parentheses where the target has a renamed one, "
                + "such as pg_current_wal_lsn() for pg_current_xlog_location(); timestamptz, interval or tstzrange "
                + "for abstime, reltime and tinterval), or drop it and create it on the target after the migration, "
                + "or leave its table or view out of the selection (excludeTables).", items));
    }

    /**
     * The 1-based positions in {@code used} of the objects the target lacks, each with the name of the renamed
     * function the target has, if any: one query on its maintenance database, whose system objects every database
     * of the target has.
     */
    private static Map<Integer, Optional<String>> missingOnTarget(ValidationContext context, ServerFacts target,
            List<Used> used) throws SQLException {
        try (Connection connection = context.target().connect(target.maintenanceDatabase())) {
            // 10 renamed xlog to wal and location to lsn in every function name (pg_current_xlog_location()).
            String sql = "SELECT x.i, (SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid ="
                    + " p.pronamespace WHERE x.kind = 'function' AND x.name LIKE '%xlog%' AND n.nspname = x.schema AND"
                    + " p.proname = replace(replace(x.name, 'xlog', 'wal'), 'location', 'lsn') ORDER BY p.pronargs ="
                    + " x.arity DESC LIMIT 1) FROM unnest(?::text[], ?::text[], ?::text[], ?::int[]) WITH ORDINALITY"
                    + " AS x(kind, schema, name, arity, i) WHERE NOT CASE x.kind"
                    + " WHEN 'type' THEN EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid ="
                    + " t.typnamespace WHERE n.nspname = x.schema AND t.typname = x.name)"
                    + " WHEN 'relation' THEN EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid ="
                    + " c.relnamespace WHERE n.nspname = x.schema AND c.relname = x.name)"
                    + " WHEN 'operator' THEN EXISTS (SELECT 1 FROM pg_operator o JOIN pg_namespace n ON n.oid ="
                    + " o.oprnamespace WHERE n.nspname = x.schema AND o.oprname = x.name AND CASE o.oprkind"
                    + " WHEN 'b' THEN 2 WHEN 'l' THEN 1 ELSE -1 END = x.arity)"
                    + " ELSE EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE"
                    + " n.nspname = x.schema AND p.proname = x.name AND (x.arity BETWEEN p.pronargs -"
                    + " p.pronargdefaults AND p.pronargs OR p.provariadic <> 0 AND x.arity >= p.pronargs - 1)) END"
                    + " ORDER BY x.i";
            Map<Integer, Optional<String>> missing = new LinkedHashMap<>();
            Sql.list(connection, sql, rs -> missing.put(rs.getInt(1), Optional.ofNullable(rs.getString(2))),
                    Sql.textArray(connection, used.stream().map(Used::kind).toList()),
                    Sql.textArray(connection, used.stream().map(Used::schema).toList()),
                    Sql.textArray(connection, used.stream().map(Used::name).toList()),
                    connection.createArrayOf("int4", used.stream().map(Used::arity).toArray()));
            return missing;
        }
    }

    /**
     * One row per system object used by a definition that moves: its kind, how people write it, its schema, name
     * and arity (arguments of a function; 2, 1 or -1 for an infix, prefix or postfix operator), up to three users
     * and their number.
     */
    private static String sourceQuery(ValidationContext context, ServerFacts source) {
        int v = source.versionNum();
        // owner: the object whose extension membership and selection decide; described: what users read.
        String trees = "SELECT 'pg_class'::regclass AS owner_class, r.ev_class AS owner_id, r.ev_class AS relid, "
                + "CASE WHEN r.rulename = '_RETURN' THEN 'pg_class' ELSE 'pg_rewrite' END::regclass AS classid, "
                + "CASE WHEN r.rulename = '_RETURN' THEN r.ev_class ELSE r.oid END AS objid, "
                + "r.ev_action::text || coalesce(r.ev_qual::text, '') AS tree FROM pg_rewrite r WHERE r.oid >= 16384"
                + " UNION ALL SELECT 'pg_class', d.adrelid, d.adrelid, 'pg_attrdef', d.oid, d.adbin::text"
                + " FROM pg_attrdef d WHERE d.oid >= 16384"
                + " UNION ALL SELECT CASE WHEN c.conrelid = 0 THEN 'pg_type' ELSE 'pg_class' END::regclass,"
                + " CASE WHEN c.conrelid = 0 THEN c.contypid ELSE c.conrelid END, c.conrelid, 'pg_constraint', c.oid,"
                + " c.conbin::text FROM pg_constraint c WHERE c.oid >= 16384 AND c.conbin IS NOT NULL"
                + " UNION ALL SELECT 'pg_class', i.indrelid, i.indrelid, 'pg_class', i.indexrelid,"
                + " coalesce(i.indexprs::text, '') || coalesce(i.indpred::text, '') FROM pg_index i"
                + " WHERE i.indexrelid >= 16384 AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)"
                + " UNION ALL SELECT 'pg_class', g.tgrelid, g.tgrelid, 'pg_trigger', g.oid, g.tgqual::text"
                + " FROM pg_trigger g WHERE g.oid >= 16384 AND g.tgqual IS NOT NULL"
                + " UNION ALL SELECT 'pg_class', p.polrelid, p.polrelid, 'pg_policy', p.oid,"
                + " coalesce(p.polqual::text, '') || coalesce(p.polwithcheck::text, '') FROM pg_policy p"
                + " WHERE p.oid >= 16384"
                + " UNION ALL SELECT 'pg_type', t.oid, 0::oid, 'pg_type', t.oid, t.typdefaultbin::text FROM pg_type t"
                + " WHERE t.oid >= 16384 AND t.typdefaultbin IS NOT NULL"
                + (v < 100000 ? "" : " UNION ALL SELECT 'pg_class', p.partrelid, p.partrelid, 'pg_class',"
                        + " p.partrelid, p.partexprs::text FROM pg_partitioned_table p WHERE p.partexprs IS NOT NULL")
                + (v < 140000 ? "" : " UNION ALL SELECT 'pg_proc', p.oid, 0::oid, 'pg_proc', p.oid, p.prosqlbody::text"
                        + " FROM pg_proc p WHERE p.oid >= 16384 AND p.prosqlbody IS NOT NULL"
                        + " UNION ALL SELECT 'pg_class', s.stxrelid, s.stxrelid, 'pg_statistic_ext', s.oid,"
                        + " s.stxexprs::text FROM pg_statistic_ext s WHERE s.stxexprs IS NOT NULL");
        String aggregateFunctions = "a.aggtransfn::oid, a.aggfinalfn::oid, a.aggmtransfn::oid, a.aggminvtransfn::oid,"
                + " a.aggmfinalfn::oid" + (v < 90600 ? "" : ", a.aggcombinefn::oid, a.aggserialfn::oid,"
                + " a.aggdeserialfn::oid");
        // Catalogs naming system objects directly; each row: owner, relation, described object, kind, referenced.
        String named = "SELECT 'pg_proc'::regclass, p.oid, 0::oid, 'pg_proc'::regclass, p.oid, 'type', x"
                + " FROM pg_proc p, unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]) || p.prorettype) x"
                + " WHERE p.oid >= 16384"
                + " UNION ALL SELECT 'pg_proc', a.aggfnoid, 0::oid, 'pg_proc', a.aggfnoid, 'function', x"
                + " FROM pg_aggregate a, unnest(ARRAY[" + aggregateFunctions + "]) x WHERE a.aggfnoid >= 16384"
                + " UNION ALL SELECT 'pg_proc', a.aggfnoid, 0::oid, 'pg_proc', a.aggfnoid, 'type', x"
                + " FROM pg_aggregate a, unnest(ARRAY[a.aggtranstype, a.aggmtranstype]) x WHERE a.aggfnoid >= 16384"
                + " UNION ALL SELECT 'pg_proc', a.aggfnoid, 0::oid, 'pg_proc', a.aggfnoid, 'operator', a.aggsortop"
                + " FROM pg_aggregate a WHERE a.aggfnoid >= 16384"
                + " UNION ALL SELECT 'pg_operator', o.oid, 0::oid, 'pg_operator', o.oid, 'function', x"
                + " FROM pg_operator o, unnest(ARRAY[o.oprcode::oid, o.oprrest::oid, o.oprjoin::oid]) x"
                + " WHERE o.oid >= 16384"
                + " UNION ALL SELECT 'pg_operator', o.oid, 0::oid, 'pg_operator', o.oid, 'type', x"
                + " FROM pg_operator o, unnest(ARRAY[o.oprleft, o.oprright, o.oprresult]) x WHERE o.oid >= 16384"
                + " UNION ALL SELECT 'pg_cast', c.oid, 0::oid, 'pg_cast', c.oid, 'function', c.castfunc"
                + " FROM pg_cast c WHERE c.oid >= 16384"
                + " UNION ALL SELECT 'pg_cast', c.oid, 0::oid, 'pg_cast', c.oid, 'type', x FROM pg_cast c,"
                + " unnest(ARRAY[c.castsource, c.casttarget]) x WHERE c.oid >= 16384"
                + " UNION ALL SELECT 'pg_class', g.tgrelid, g.tgrelid, 'pg_trigger', g.oid, 'function', g.tgfoid"
                + " FROM pg_trigger g WHERE g.oid >= 16384 AND NOT g.tgisinternal"
                + " UNION ALL SELECT 'pg_type', r.rngtypid, 0::oid, 'pg_type', r.rngtypid, 'type', r.rngsubtype"
                + " FROM pg_range r WHERE r.rngtypid >= 16384"
                + " UNION ALL SELECT 'pg_type', r.rngtypid, 0::oid, 'pg_type', r.rngtypid, 'function', x"
                + " FROM pg_range r, unnest(ARRAY[r.rngcanonical::oid, r.rngsubdiff::oid]) x WHERE r.rngtypid >= 16384"
                + " UNION ALL SELECT 'pg_type', t.oid, 0::oid, 'pg_type', t.oid, 'type', t.typbasetype FROM pg_type t"
                + " WHERE t.oid >= 16384 AND t.typtype = 'd'"
                + " UNION ALL SELECT 'pg_opfamily', a.amopfamily, 0::oid, 'pg_amop', a.oid, 'operator', a.amopopr"
                + " FROM pg_amop a WHERE a.oid >= 16384"
                + " UNION ALL SELECT 'pg_opfamily', a.amprocfamily, 0::oid, 'pg_amproc', a.oid, 'function',"
                + " a.amproc::oid FROM pg_amproc a WHERE a.oid >= 16384";
        String uses = "SELECT t.owner_class, t.owner_id, t.relid, t.classid, t.objid, CASE"
                + " WHEN m[1] ~ '^(" + FUNCTION_FIELDS + ")$' THEN 'function'"
                + " WHEN m[1] ~ '^(" + OPERATOR_FIELDS + ")$' THEN 'operator'"
                + " WHEN m[1] = 'relid' THEN 'relation' ELSE 'type' END AS kind, m[2]::oid AS ref FROM (" + trees
                + ") t, regexp_matches(t.tree, ':(" + FUNCTION_FIELDS + "|" + OPERATOR_FIELDS + "|" + TYPE_FIELDS
                + "|relid) ([0-9]+)', 'g') m UNION ALL " + named;
        return "WITH used(owner_class, owner_id, relid, classid, objid, kind, ref) AS (" + uses + "),"
                + " kept AS (SELECT DISTINCT u.kind, u.ref, u.classid, u.objid FROM used u"
                + " WHERE u.ref > 0 AND u.ref < " + Sql.FIRST_USER_OID + Sql.moved(context, "u.relid")
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.deptype = 'e' AND e.classid = u.owner_class"
                + " AND e.objid = u.owner_id)),"
                + " numbered AS (SELECT k.*, row_number() OVER (PARTITION BY k.kind, k.ref ORDER BY k.classid,"
                + " k.objid) AS nth, count(*) OVER (PARTITION BY k.kind, k.ref) AS users FROM kept k)"
                + " SELECT k.kind, CASE k.kind WHEN 'function' THEN p.oid::regprocedure::text"
                + " WHEN 'operator' THEN o.oid::regoperator::text WHEN 'type' THEN format_type(t.oid, NULL)"
                + " ELSE c.oid::regclass::text END, n.nspname, coalesce(p.proname, o.oprname, t.typname, c.relname),"
                + " CASE k.kind WHEN 'function' THEN p.pronargs WHEN 'operator' THEN CASE o.oprkind WHEN 'b' THEN 2"
                + " WHEN 'l' THEN 1 ELSE -1 END ELSE 0 END, array_agg((SELECT i.type || ' ' || i.identity FROM"
                + " pg_identify_object(k.classid, k.objid, 0) i) ORDER BY k.nth), max(k.users) FROM numbered k"
                + " LEFT JOIN pg_proc p ON k.kind = 'function' AND p.oid = k.ref"
                + " LEFT JOIN pg_operator o ON k.kind = 'operator' AND o.oid = k.ref"
                + " LEFT JOIN pg_type t ON k.kind = 'type' AND t.oid = k.ref"
                + " LEFT JOIN pg_class c ON k.kind = 'relation' AND c.oid = k.ref"
                + " JOIN pg_namespace n ON n.oid = coalesce(p.pronamespace, o.oprnamespace, t.typnamespace,"
                + " c.relnamespace) WHERE k.nth <= " + EXAMPLES + " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2";
    }
}
