package dev.pgmigrate.core.internal.verify;

import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceSelection;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Objects counted per schema and kind on both servers, and each sequence's value, for a verification. */
public final class ObjectCounts {
    private static final String NOT_EXTENSION = " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = o.oid "
            + "AND d.deptype = 'e')";

    private static final String SEQUENCE = "sequence ";

    private ObjectCounts() {
    }

    /**
     * Both servers' object counts of {@code database}, read on {@code s} and {@code t}, and its sequences' values,
     * as far as the catalog's selection takes the database: the relations it moves with their indexes,
     * constraints, triggers, policies and statistics, the functions and types of the schemas it moves, the large
     * objects unless the schema alone moves. Data only counts no object (the target's schema is the user's), only
     * the sequences' values.
     */
    static List<ObjectCount> compare(Connection s, Connection t, String database, SourceCatalog catalog)
            throws SQLException {
        SourceSelection selection = catalog.selection;
        List<ObjectCount> result = new ArrayList<>();
        int sourceVersion = versionNum(s);
        int targetVersion = versionNum(t);
        if (selection.selection().content() != Selection.Content.DATA_ONLY) {
            Map<String, Long> sourceCounts = countMap(counts(s, selection));
            Map<String, Long> targetCounts = countMap(counts(t, selection));
            TreeSet<String> keys = new TreeSet<>(sourceCounts.keySet());
            keys.addAll(targetCounts.keySet());
            for (String key : keys) {
                String[] parts = key.split("\u0000", 2);
                result.add(new ObjectCount(database, parts[0], parts[1], sourceCounts.getOrDefault(key, 0L),
                        targetCounts.getOrDefault(key, 0L)));
            }
        }
        if (selection.selection().content() != Selection.Content.DATA_ONLY && selection.selection().largeObjects()) {
            largeObjectContents(s, sourceVersion, t, targetVersion, database).ifPresent(result::add);
        }
        result.addAll(sequences(s, sourceVersion, t, targetVersion, database, catalog));
        return result;
    }

    /** Each sequence's value in the catalog, read on {@code s} and on {@code t}. */
    public static List<ObjectCount> sequences(Connection s, Connection t, String database, SourceCatalog catalog)
            throws SQLException {
        return sequences(s, versionNum(s), t, versionNum(t), database, catalog);
    }

    private static List<ObjectCount> sequences(Connection s, int sourceVersion, Connection t, int targetVersion,
            String database, SourceCatalog catalog) throws SQLException {
        List<ObjectCount> result = new ArrayList<>();
        for (SourceCatalog.Sequence seq : catalog.sequences) {
            result.add(new ObjectCount(database, seq.schema(), SEQUENCE + seq.name(),
                    sequenceValue(s, sourceVersion, seq), sequenceValue(t, targetVersion, seq)));
        }
        return result;
    }

    /** Whether {@code count} is a sequence's value, as {@link #sequences} gives it, rather than a count. */
    public static boolean isSequence(ObjectCount count) {
        return count.kind().startsWith(SEQUENCE);
    }

    /**
     * The last value a sequence gave out, or would have: {@code last_value} once called, one increment before it
     * while {@code setval(..., false)} or a fresh start left it uncalled (0 for a fresh sequence that starts at 1).
     * So two states whose next value is the same compare alike, and 100 not yet called differs from a fresh one.
     */
    private static long sequenceValue(Connection c, int version, SourceCatalog.Sequence seq) throws SQLException {
        String name = Sql.qualified(seq.schema(), seq.name());
        String value = version >= 100000
                ? "SELECT CASE WHEN s.is_called THEN s.last_value::numeric ELSE s.last_value::numeric - p.seqincrement "
                        + "END FROM " + name + " s, pg_catalog.pg_sequence p WHERE p.seqrelid = "
                        + Sql.literal(name) + "::pg_catalog.regclass"
                : "SELECT CASE WHEN is_called THEN last_value::numeric ELSE last_value::numeric - increment_by END FROM "
                        + name;
        return new java.math.BigInteger(Sql.one(c, value)).longValue();
    }

    /**
     * The large objects' content, compared as a sum of a 64-bit hash of each object's bytes (the first 64 bits of
     * their md5), on both sides; their number is counted with the other objects. Only objects the login may read on
     * both servers are hashed (a superuser reads every one; lo_compat_privileges; its owner or a role granted
     * SELECT): reading another would fail the comparison's transaction. Empty when there are none.
     */
    private static java.util.Optional<ObjectCount> largeObjectContents(Connection s, int sourceVersion, Connection t,
            int targetVersion, String database) throws SQLException {
        String sourceReadable = readableLargeObjects(sourceVersion);
        String targetReadable = readableLargeObjects(targetVersion);
        String[] sourceCounts = Sql.rows(s, "SELECT count(*), count(*) FILTER (WHERE " + sourceReadable
                + ") FROM pg_catalog.pg_largeobject_metadata m").get(0);
        if (sourceCounts[0].equals("0")) {
            return java.util.Optional.empty();
        }
        String[] targetCounts = Sql.rows(t, "SELECT count(*), count(*) FILTER (WHERE " + targetReadable
                + ") FROM pg_catalog.pg_largeobject_metadata m").get(0);
        String sum = "SELECT coalesce(sum(('x' || substr(md5(pg_catalog.lo_get(m.oid)), 1, 16))::bit(64)::bigint), 0)"
                + "::text FROM pg_catalog.pg_largeobject_metadata m WHERE ";
        String sv;
        String tv;
        if (sourceCounts[0].equals(sourceCounts[1]) && targetCounts[0].equals(targetCounts[1])) {
            sv = Sql.one(s, sum + "true");
            tv = Sql.one(t, sum + "true");
        } else { // only the objects readable on both sides
            Set<Long> both = new java.util.HashSet<>(oids(s, sourceReadable));
            both.retainAll(oids(t, targetReadable));
            sv = sumOf(s, sum, both);
            tv = sumOf(t, sum, both);
        }
        return java.util.Optional.of(new ObjectCount(database, "-", "large objects' content (checksum)",
                new java.math.BigInteger(sv).longValue(), new java.math.BigInteger(tv).longValue()));
    }

    private static String readableLargeObjects(int version) {
        String byAcl = "CASE WHEN m.lomacl IS NULL THEN pg_catalog.pg_has_role(m.lomowner, 'USAGE') ELSE EXISTS (SELECT "
                + "1 FROM pg_catalog.aclexplode(m.lomacl) a WHERE a.privilege_type = 'SELECT' AND (a.grantee = 0 OR "
                + "pg_catalog.pg_has_role(a.grantee, 'USAGE'))) END";
        return "(" + (version >= 180000 ? "pg_catalog.has_largeobject_privilege(m.oid, 'SELECT')"
                : "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) OR "
                        + "pg_catalog.current_setting('lo_compat_privileges')::boolean OR " + byAcl) + ")";
    }

    private static List<Long> oids(Connection c, String readable) throws SQLException {
        return Sql.rows(c, "SELECT m.oid FROM pg_catalog.pg_largeobject_metadata m WHERE " + readable).stream()
                .map(r -> Long.parseLong(r[0])).toList();
    }

    private static String sumOf(Connection c, String sum, Set<Long> oids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sum + "m.oid = ANY (?::pg_catalog.oid[])")) {
            ps.setArray(1, c.createArrayOf("bigint", oids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static int versionNum(Connection c) throws SQLException {
        return Integer.parseInt(Sql.one(c, "SELECT current_setting('server_version_num')"));
    }

    /** The counts on one side: every user object, or only those the selection moves, named alike on both sides. */
    private static List<String[]> counts(Connection c, SourceSelection selection) throws SQLException {
        String query = objectCounts(c);
        if (selection.isEverything()) {
            return Sql.rows(c, query);
        }
        List<String> schemas = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (SourceSelection.Relation r : selection.moved().values()) {
            schemas.add(r.schema());
            names.add(r.name());
        }
        String selected = "SELECT k.ns, k.kind, k.rel FROM (" + query.substring(query.indexOf("SELECT o.relnamespace"),
                query.indexOf(") k JOIN")) + ") k JOIN pg_catalog.pg_namespace n ON n.oid = k.ns WHERE CASE WHEN "
                + "k.rel = 0 THEN n.nspname = ANY (?::pg_catalog.text[]) ELSE EXISTS (SELECT 1 FROM "
                + "pg_catalog.pg_class rc JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace JOIN ROWS FROM "
                + "(pg_catalog.unnest(?::pg_catalog.text[]), pg_catalog.unnest(?::pg_catalog.text[])) m(s, r) ON "
                + "m.s = rn.nspname AND m.r = rc.relname WHERE rc.oid = k.rel) END";
        String sql = "SELECT n.nspname, k.kind, count(*) FROM (" + selected + ") k JOIN pg_catalog.pg_namespace n "
                + "ON n.oid = k.ns WHERE " + SourceCatalog.USER_SCHEMAS + " GROUP BY 1, 2"
                + (selection.selection().largeObjects() ? " UNION ALL SELECT '-', 'large objects', count(*) FROM "
                        + "pg_largeobject_metadata" : "") + " ORDER BY 1, 2";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", selection.schemas().toArray()));
            ps.setArray(2, c.createArrayOf("text", schemas.toArray()));
            ps.setArray(3, c.createArrayOf("text", names.toArray()));
            List<String[]> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
            return rows;
        }
    }

    /**
     * Counts user objects per schema and kind; extended statistics where the server has them (10+). The inner
     * rows name the relation each object belongs to ({@code rel}, 0 for a function or type), which a selection
     * filters on.
     */
    private static String objectCounts(Connection c) throws SQLException {
        boolean statistics = versionNum(c) >= 100000;
        return "SELECT n.nspname, k.kind, count(*) FROM ("
                + "SELECT o.relnamespace AS ns, CASE o.relkind WHEN 'r' THEN 'tables' WHEN 'p' THEN 'tables' "
                + "WHEN 'i' THEN 'indexes' WHEN 'I' THEN 'indexes' WHEN 'v' THEN 'views' WHEN 'm' THEN "
                + "'materialized views' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'foreign tables' END AS kind, "
                + "CASE WHEN o.relkind IN ('i', 'I') THEN (SELECT x.indrelid FROM pg_index x WHERE x.indexrelid = "
                + "o.oid) ELSE o.oid END AS rel FROM "
                + "pg_class o WHERE o.relkind IN ('r','p','i','I','v','m','S','f')" + NOT_EXTENSION
                + " UNION ALL SELECT o.pronamespace, 'functions', 0 FROM pg_proc o WHERE true" + NOT_EXTENSION
                + " UNION ALL SELECT o.connamespace, 'constraints', o.conrelid FROM pg_constraint o WHERE o.contype IN "
                + "('p','u','f','c','x','t')" + NOT_EXTENSION
                + " UNION ALL SELECT c.relnamespace, 'triggers', o.tgrelid FROM pg_trigger o JOIN pg_class c ON c.oid "
                + "= o.tgrelid WHERE NOT o.tgisinternal"
                + " UNION ALL SELECT c.relnamespace, 'policies', o.polrelid FROM pg_policy o JOIN pg_class c ON c.oid "
                + "= o.polrelid"
                + (statistics ? " UNION ALL SELECT o.stxnamespace, 'extended statistics', o.stxrelid FROM "
                        + "pg_statistic_ext o WHERE true" + NOT_EXTENSION : "")
                + " UNION ALL SELECT o.typnamespace, 'types', 0 FROM pg_type o WHERE o.typtype IN ('e','c','d','r') "
                + "AND "
                + "(o.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = o.typrelid) = 'c')" + NOT_EXTENSION
                + ") k JOIN pg_namespace n ON n.oid = k.ns WHERE " + SourceCatalog.USER_SCHEMAS + " GROUP BY 1, 2 "
                + "UNION ALL SELECT '-', 'large objects', count(*) FROM pg_largeobject_metadata ORDER BY 1, 2";
    }

    private static Map<String, Long> countMap(List<String[]> rows) {
        Map<String, Long> map = new HashMap<>();
        for (String[] row : rows) {
            map.put(row[0] + "\u0000" + row[1], Long.parseLong(row[2]));
        }
        return map;
    }
}
