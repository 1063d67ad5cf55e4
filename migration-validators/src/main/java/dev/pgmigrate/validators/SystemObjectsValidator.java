package dev.pgmigrate.validators;

import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * D35: every system function, operator, type, relation and column of a system relation (those initdb made, OID below
 * 16384) that the database's definitions use exists on the target's major, found by name: a view on {@code
 * pg_current_xlog_location()} (renamed in 10) or on {@code pg_stat_replication.sent_location} (renamed in 10), or a
 * default calling {@code abstime} (removed in 12) fails the restore on a newer target part way through the schema
 * copy (Failed). What function bodies kept as strings mention of what the target lacks is a Warning
 * ({@link FunctionBodies}).
 *
 * <p>{@code pg_depend} records no dependency on pinned objects, which every built-in function and type is, so the
 * source's uses are read from the stored expression trees (views and rules, defaults, check constraints, index and
 * partition-key expressions, trigger WHEN clauses, policies, domain defaults, SQL-standard bodies, extended
 * statistics; the columns a query reads are in its range table) and from the catalogs that name system objects
 * directly (function signatures, aggregates, operators, casts, triggers' functions, ranges, operator families,
 * domains). A function counts as present when the target has one of its name in its schema taking as many
 * arguments, since the restore resolves calls by name and the values' types (14 gave array_append and others
 * anycompatible arguments, and views calling them restore). Column types are {@code schema-compatibility}'s.
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

    /**
     * A system object used on the source (a column: {@code name} its relation's, {@code column} its own), with up to
     * three of its users and how many there are.
     */
    private record Used(String kind, String display, String schema, String name, int arity, String column,
            List<String> users, int userCount) {
        SystemNames.Probe probe() {
            return new SystemNames.Probe(kind, schema, name, arity, column);
        }
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
                rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(8),
                List.of((String[]) rs.getArray(6).getArray()), rs.getInt(7)));
        List<FunctionBodies.Mention> mentions = FunctionBodies.read(context, source, connection);
        if (used.isEmpty() && mentions.isEmpty()) {
            return List.of(context.succeeded("No definition here uses a system function, operator, type or relation."));
        }
        List<SystemNames.Probe> probes = new ArrayList<>(used.stream().map(Used::probe).toList());
        mentions.stream().map(FunctionBodies.Mention::object).distinct().forEach(probes::add);
        Map<Integer, Optional<String>> missing = SystemNames.missing(context, target, probes);
        String has = " (PostgreSQL " + target.majorLabel() + " has ";
        List<String> names = new ArrayList<>();
        List<String> items = new ArrayList<>();
        Map<SystemNames.Probe, Optional<String>> lacked = new LinkedHashMap<>();
        missing.forEach((index, renamed) -> {
            if (index >= used.size()) {
                lacked.put(probes.get(index), renamed);
                return;
            }
            Used u = used.get(index);
            names.add(u.kind() + " " + u.display());
            String users = String.join(", ", u.users()) + (u.userCount() > u.users().size()
                    ? " and " + (u.userCount() - u.users().size()) + " more" : "");
            items.add(u.kind() + " " + u.display() + ", used by " + users + renamed.map(name -> has + name + ")")
                    .orElse(""));
        });
        List<ValidationResult> results = new ArrayList<>();
        if (!items.isEmpty()) {
            results.add(context.failed("PostgreSQL " + target.majorLabel() + " lacks " + Text.counted(names,
                    "system object that definitions here use", "system objects that definitions here use") + ".",
                    "PostgreSQL removed or renamed them after " + source.majorLabel() + ", so creating the objects "
                    + "that use them (each listed) fails on the target part way through the schema copy, and the "
                    + "migration rolls back.", "Before migrating, rewrite each object listed on the source to use what "
                    + "PostgreSQL " + target.majorLabel() + " has (the name given in parentheses where the target has "
                    + "a renamed one, such as pg_current_wal_lsn() for pg_current_xlog_location(), "
                    + "pg_stat_replication.sent_lsn for sent_location; timestamptz, interval or tstzrange for abstime, "
                    + "reltime and tinterval), or drop it and create it on the target after the migration, or leave "
                    + "its table or view out of the selection (excludeTables).", items));
        }
        List<String> mentioned = mentioned(mentions, lacked, has);
        if (!mentioned.isEmpty()) {
            long functions = mentions.stream().filter(m -> lacked.containsKey(m.object()))
                    .map(FunctionBodies.Mention::function).distinct().count();
            results.add(context.warning(Text.count(functions, "function's body here mentions", "functions' bodies "
                    + "here mention") + " " + Text.counted(lacked.keySet().stream().map(SystemObjectsValidator::named)
                    .distinct().toList(), "system object", "system objects") + ", which PostgreSQL "
                    + target.majorLabel() + " lacks.",
                    "A PL/pgSQL body, or an SQL one kept as a string, is text that PostgreSQL checks only when the "
                    + "function runs (pg_dump's script turns check_function_bodies off): such a function restores, "
                    + "then fails when called on the target. Found by reading the text, so a name in a string or "
                    + "used for something else counts too.", "Rewrite each function listed to use what PostgreSQL "
                    + target.majorLabel() + " has (the name given in parentheses where there is one), on the source "
                    + "before migrating or on the target after; nothing if it is never called there.", mentioned));
        }
        if (results.isEmpty()) {
            String counted = Text.count(used.size(), "system function, operator, type or relation",
                    "system functions, operators, types and relations") + " used by definitions here";
            return List.of(context.succeeded(counted + "; PostgreSQL " + target.majorLabel() + " has all of them."));
        }
        return results;
    }

    /**
     * "function f() mentions column pg_stat_replication.sent_location (PostgreSQL 15 has ...)" for each mention of
     * what the target lacks; a name that is several kinds of object is named once (a column, a relation, a type, a
     * function, in that order: abstime is a type and its cast function).
     */
    private static List<String> mentioned(List<FunctionBodies.Mention> mentions,
            Map<SystemNames.Probe, Optional<String>> lacked, String has) {
        Map<String, String> byName = new TreeMap<>();
        List<String> kinds = List.of("column", "relation", "type", "function");
        mentions.stream().filter(m -> lacked.containsKey(m.object()))
                .sorted(Comparator.comparing(m -> kinds.indexOf(m.object().kind())))
                .forEach(m -> {
                    String object = named(m.object()).substring(m.object().kind().length() + 1);
                    byName.putIfAbsent(m.function() + "\t" + object, "function " + m.function() + " mentions "
                            + named(m.object()) + lacked.get(m.object()).map(name -> has + name + ")").orElse(""));
                });
        return byName.values().stream().sorted().toList();
    }

    /** "column pg_stat_replication.sent_location", "relation information_schema.sql_languages". */
    private static String named(SystemNames.Probe o) {
        return o.kind() + " " + (o.schema().equals("pg_catalog") ? "" : o.schema() + ".") + o.name()
                + (o.column() == null ? "" : "." + o.column());
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
        // A relation's columns read, as bits offset by FirstLowInvalidHeapAttributeNumber (-8 before 12, then -7),
        // in its range table entry (up to 15) or in its permission entry (16 on): a system view's renamed column.
        int firstLow = v < 120000 ? -8 : -7;
        String uses = "SELECT t.owner_class, t.owner_id, t.relid, t.classid, t.objid, CASE"
                + " WHEN m[1] ~ '^(" + FUNCTION_FIELDS + ")$' THEN 'function'"
                + " WHEN m[1] ~ '^(" + OPERATOR_FIELDS + ")$' THEN 'operator'"
                + " WHEN m[1] = 'relid' THEN 'relation' ELSE 'type' END AS kind, m[2]::oid AS ref, 0 AS att"
                + " FROM trees t, regexp_matches(t.tree, ':(" + FUNCTION_FIELDS + "|" + OPERATOR_FIELDS + "|"
                + TYPE_FIELDS + "|relid) ([0-9]+)', 'g') m"
                + " UNION ALL SELECT t.owner_class, t.owner_id, t.relid, t.classid, t.objid, 'column', m[1]::oid,"
                + " b::int + (" + firstLow + ") FROM trees t, regexp_matches(t.tree, ':relid ([0-9]+) [^{}]*"
                + ":selectedCols \\(b([ 0-9]*)\\)', 'g') m, unnest(string_to_array(btrim(m[2]), ' ')) b"
                + " WHERE b <> '' AND b::int + (" + firstLow + ") > 0"
                + " UNION ALL SELECT nm.*, 0 FROM (" + named + ") nm";
        // The schema of an object that is not a relation's part, for the schemas the selection leaves out.
        String schema = "coalesce((SELECT s.nspname FROM pg_namespace s WHERE s.oid = CASE u.owner_class"
                + " WHEN 'pg_proc'::regclass THEN (SELECT p.pronamespace FROM pg_proc p WHERE p.oid = u.owner_id)"
                + " WHEN 'pg_type'::regclass THEN (SELECT t.typnamespace FROM pg_type t WHERE t.oid = u.owner_id)"
                + " WHEN 'pg_operator'::regclass THEN (SELECT o.oprnamespace FROM pg_operator o WHERE o.oid ="
                + " u.owner_id) WHEN 'pg_opfamily'::regclass THEN (SELECT f.opfnamespace FROM pg_opfamily f WHERE"
                + " f.oid = u.owner_id) END), '')";
        return "WITH trees(owner_class, owner_id, relid, classid, objid, tree) AS (" + trees + "),"
                + " used(owner_class, owner_id, relid, classid, objid, kind, ref, att) AS (" + uses + "),"
                + " kept AS (SELECT DISTINCT u.kind, u.ref, u.att, u.classid, u.objid FROM used u"
                + " WHERE u.ref > 0 AND u.ref < " + Sql.FIRST_USER_OID + Sql.moved(context, "u.relid")
                + Sql.schemaMoved(context, schema)
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.deptype = 'e' AND e.classid = u.owner_class"
                + " AND e.objid = u.owner_id)),"
                + " numbered AS (SELECT k.*, row_number() OVER (PARTITION BY k.kind, k.ref, k.att ORDER BY k.classid,"
                + " k.objid) AS nth, count(*) OVER (PARTITION BY k.kind, k.ref, k.att) AS users FROM kept k)"
                + " SELECT k.kind, CASE k.kind WHEN 'function' THEN p.oid::regprocedure::text"
                + " WHEN 'operator' THEN o.oid::regoperator::text WHEN 'type' THEN format_type(t.oid, NULL)"
                + " WHEN 'column' THEN c.oid::regclass::text || '.' || quote_ident(a.attname)"
                + " ELSE c.oid::regclass::text END, n.nspname, coalesce(p.proname, o.oprname, t.typname, c.relname),"
                + " CASE k.kind WHEN 'function' THEN p.pronargs WHEN 'operator' THEN CASE o.oprkind WHEN 'b' THEN 2"
                + " WHEN 'l' THEN 1 ELSE -1 END ELSE 0 END, array_agg((SELECT i.type || ' ' || i.identity FROM"
                + " pg_identify_object(k.classid, k.objid, 0) i) ORDER BY k.nth), max(k.users), a.attname::text"
                + " FROM numbered k"
                + " LEFT JOIN pg_proc p ON k.kind = 'function' AND p.oid = k.ref"
                + " LEFT JOIN pg_operator o ON k.kind = 'operator' AND o.oid = k.ref"
                + " LEFT JOIN pg_type t ON k.kind = 'type' AND t.oid = k.ref"
                + " LEFT JOIN pg_class c ON k.kind IN ('relation', 'column') AND c.oid = k.ref"
                + " LEFT JOIN pg_attribute a ON k.kind = 'column' AND a.attrelid = k.ref AND a.attnum = k.att"
                + " JOIN pg_namespace n ON n.oid = coalesce(p.pronamespace, o.oprnamespace, t.typnamespace,"
                + " c.relnamespace) WHERE k.nth <= " + EXAMPLES + " AND (k.kind <> 'column' OR a.attname IS NOT NULL)"
                + " GROUP BY 1, 2, 3, 4, 5, 8 ORDER BY 1, 2";
    }
}
