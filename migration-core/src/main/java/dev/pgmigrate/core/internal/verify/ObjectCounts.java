package dev.pgmigrate.core.internal.verify;

import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Objects counted per schema and kind on both servers, and each sequence's value, for a verification. */
public final class ObjectCounts {
    private static final String NOT_EXTENSION = " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = o.oid "
            + "AND d.deptype = 'e')";

    private ObjectCounts() {
    }

    /** Both servers' object counts of {@code database}, read on {@code s} and {@code t}, and its sequences' values. */
    static List<ObjectCount> compare(Connection s, Connection t, String database, SourceCatalog catalog)
            throws SQLException {
        Map<String, Long> sourceCounts = countMap(Sql.rows(s, objectCounts(s)));
        Map<String, Long> targetCounts = countMap(Sql.rows(t, objectCounts(t)));
        List<ObjectCount> result = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(sourceCounts.keySet());
        keys.addAll(targetCounts.keySet());
        for (String key : keys) {
            String[] parts = key.split("\u0000", 2);
            result.add(new ObjectCount(database, parts[0], parts[1], sourceCounts.getOrDefault(key, 0L),
                    targetCounts.getOrDefault(key, 0L)));
        }
        for (SourceCatalog.Sequence seq : catalog.sequences) {
            String q = "SELECT CASE WHEN is_called THEN last_value END FROM " + Sql.qualified(seq.schema(), seq.name());
            String sv = Sql.one(s, q);
            String tv = Sql.one(t, q);
            result.add(new ObjectCount(database, seq.schema(), "sequence " + seq.name(), sv == null ? 0
                    : Long.parseLong(sv), tv == null ? 0 : Long.parseLong(tv)));
        }
        return result;
    }

    /** Counts user objects per schema and kind; extended statistics where the server has them (10+). */
    private static String objectCounts(Connection c) throws SQLException {
        boolean statistics = Integer.parseInt(Sql.one(c, "SELECT current_setting('server_version_num')")) >= 100000;
        return "SELECT n.nspname, k.kind, count(*) FROM ("
                + "SELECT o.relnamespace AS ns, CASE o.relkind WHEN 'r' THEN 'tables' WHEN 'p' THEN 'tables' "
                + "WHEN 'i' THEN 'indexes' WHEN 'I' THEN 'indexes' WHEN 'v' THEN 'views' WHEN 'm' THEN "
                + "'materialized views' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'foreign tables' END AS kind FROM "
                + "pg_class o WHERE o.relkind IN ('r','p','i','I','v','m','S','f')" + NOT_EXTENSION
                + " UNION ALL SELECT o.pronamespace, 'functions' FROM pg_proc o WHERE true" + NOT_EXTENSION
                + " UNION ALL SELECT o.connamespace, 'constraints' FROM pg_constraint o WHERE o.contype IN "
                + "('p','u','f','c','x','t')" + NOT_EXTENSION
                + " UNION ALL SELECT c.relnamespace, 'triggers' FROM pg_trigger o JOIN pg_class c ON c.oid = o.tgrelid "
                + "WHERE NOT o.tgisinternal"
                + " UNION ALL SELECT c.relnamespace, 'policies' FROM pg_policy o JOIN pg_class c ON c.oid = o.polrelid"
                + (statistics ? " UNION ALL SELECT o.stxnamespace, 'extended statistics' FROM pg_statistic_ext o "
                        + "WHERE true" + NOT_EXTENSION : "")
                + " UNION ALL SELECT o.typnamespace, 'types' FROM pg_type o WHERE o.typtype IN ('e','c','d','r') AND "
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
