package dev.pgmigrate.core.internal.pg;

import dev.pgmigrate.api.spi.CopyColumn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the engine reads from a source database's catalogs, in a bounded number of queries whatever the number
 * of tables: tables with their columns and sizes, index and constraint owners, sequences, large objects.
 */
public final class SourceCatalog {
    /** Schemas that hold user objects, as a condition on {@code n.nspname}. */
    public static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') "
            + "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

    /**
     * A table with data, or a partitioned parent (which has none of its own).
     *
     * @param rowsLeftOut whether the selection leaves its rows on the source: it is created, keyed and compared
     *     empty, never copied
     */
    public record Table(long oid, String schema, String name, char relkind, long bytes, List<CopyColumn> columns,
            Optional<String> intKey, boolean rowsLeftOut) {
        public Table(long oid, String schema, String name, char relkind, long bytes, List<CopyColumn> columns,
                Optional<String> intKey) {
            this(oid, schema, name, relkind, bytes, columns, intKey, false);
        }

        public String qualifiedName() {
            return schema + "." + name;
        }

        /** Whether it holds rows of its own on the source (it is no partitioned parent). */
        public boolean hasData() {
            return relkind == 'r';
        }

        /** Whether its rows are copied: it holds rows and the selection takes them. */
        public boolean copiesRows() {
            return hasData() && !rowsLeftOut;
        }
    }

    /** A constraint backed by an index, and how to build that index first. */
    public record KeyConstraint(String schema, String table, String name, char type, String indexDefinition,
            boolean deferrable, boolean deferred) {
    }

    /** A sequence by schema and name. */
    public record Sequence(String schema, String name) {
    }

    public final Map<Long, Table> tables = new LinkedHashMap<>();
    /** (schema, index name) to table oid. */
    public final Map<String, Long> indexOwners = new HashMap<>();
    /** (schema, table, constraint) to its key constraint, for PRIMARY KEY and UNIQUE ones. */
    public final Map<String, KeyConstraint> keyConstraints = new HashMap<>();
    /** Every constraint's table, by schema and table name and constraint name. */
    public final Map<String, Long> constraintOwners = new HashMap<>();
    /** Each partition's partitioned parent (by OID), from 10 on. */
    public final Map<Long, Long> partitionParents = new HashMap<>();
    /** Tables with an index on an expression: ANALYZE gathers statistics on it only once the index exists. */
    public final Set<Long> expressionIndexed = new HashSet<>();
    /** (schema, extended statistics object) to its table oid. */
    public final Map<String, Long> statisticsOwners = new HashMap<>();
    public final List<Sequence> sequences = new ArrayList<>();
    public final List<Long> largeObjects = new ArrayList<>();
    /**
     * The tables with row-level security enabled (by OID). Enabled on the target only once the copy is verified:
     * the target's admin may be no superuser, and its comparison would see only the rows a policy lets it see.
     */
    public final Set<Long> rowSecurity = new LinkedHashSet<>();
    /**
     * Each table's stored generated columns (12 and later), by OID: the copy sends none, the target computes them,
     * and the verification compares them on both servers.
     */
    public final Map<Long, List<CopyColumn>> generatedColumns = new HashMap<>();
    /**
     * The tables with a column of an OID alias type ({@code regclass}, ...), whose values name objects by name in
     * text: copied once the whole schema is restored, so that every object they name exists.
     */
    public final Set<Long> namingObjects = new HashSet<>();
    /**
     * The extensions' configuration tables (by OID): the target's {@code CREATE EXTENSION} makes them, from its own
     * version of the extension, so their columns may differ from the source's.
     */
    public final Set<Long> extensionTables = new HashSet<>();
    public int versionNum;
    public int blockSize;
    /** What the spec's selection takes of this database; everything until {@link #retain} is called. */
    public SourceSelection selection = SourceSelection.everything();

    public static String key(String... parts) {
        return String.join("\u0000", parts);
    }

    /** Reads everything; {@code c} should be inside the migration's snapshot. */
    public static SourceCatalog read(Connection c) throws SQLException {
        SourceCatalog catalog = new SourceCatalog();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int, "
                    + "current_setting('block_size')::int")) {
                rs.next();
                catalog.versionNum = rs.getInt(1);
                catalog.blockSize = rs.getInt(2);
            }
            catalog.readTables(s);
            catalog.readColumns(s);
            catalog.readIndexesAndConstraints(s);
            try (ResultSet rs = s.executeQuery("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
                    + "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND " + USER_SCHEMAS + " AND " + notExtensionMember("c.oid", "pg_class")
                    + " ORDER BY 1, 2")) {
                while (rs.next()) {
                    catalog.sequences.add(new Sequence(rs.getString(1), rs.getString(2)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT oid FROM pg_largeobject_metadata ORDER BY oid")) {
                while (rs.next()) {
                    catalog.largeObjects.add(rs.getLong(1));
                }
            }
        }
        return catalog;
    }

    /**
     * Keeps only what {@code selected} moves: its tables (those whose rows stay behind marked so), its sequences
     * whose values move, large objects unless the schema alone moves, and row-level security of the tables kept.
     */
    public void retain(SourceSelection selected) {
        selection = selected;
        if (selected.isEverything()) {
            return;
        }
        tables.keySet().removeIf(oid -> !selected.moves(oid));
        tables.replaceAll((oid, t) -> new Table(t.oid(), t.schema(), t.name(), t.relkind(), t.bytes(), t.columns(),
                t.intKey(), selected.rowsLeftOut(oid)));
        rowSecurity.retainAll(tables.keySet());
        Set<String> valuesMoved = new HashSet<>();
        selected.moved().values().stream().filter(r -> r.relkind() == 'S' && !selected.rowsLeftOut(r.oid()))
                .forEach(r -> valuesMoved.add(key(r.schema(), r.name())));
        sequences.removeIf(seq -> !valuesMoved.contains(key(seq.schema(), seq.name())));
        if (selected.selection().content() == dev.pgmigrate.api.Selection.Content.SCHEMA_ONLY) {
            largeObjects.clear();
        }
    }

    private static String notExtensionMember(String oid, String catalog) {
        return "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" + catalog + "'::regclass AND d.objid = "
                + oid + " AND d.deptype = 'e')";
    }

    private void readTables(Statement s) throws SQLException {
        // Extension member tables are the extension's; only their configuration tables hold user data.
        boolean partitions = versionNum >= 100000;
        String sql = "SELECT c.oid, n.nspname, c.relname, c.relkind, pg_relation_size(c.oid), c.relrowsecurity, "
                + (partitions ? "i.inhparent" : "NULL") + ", NOT " + notExtensionMember("c.oid", "pg_class")
                + " FROM pg_class c "
                + (partitions ? "LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition " : "")
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' "
                + "AND " + USER_SCHEMAS + " AND (" + notExtensionMember("c.oid", "pg_class")
                + " OR c.oid IN (SELECT unnest(extconfig) FROM pg_extension WHERE extconfig IS NOT NULL)) "
                + "ORDER BY n.nspname, c.relname";
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                tables.put(rs.getLong(1), new Table(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getString(4).charAt(0), rs.getLong(5), List.of(), Optional.empty()));
                if (rs.getBoolean(6)) {
                    rowSecurity.add(rs.getLong(1));
                }
                long parent = rs.getLong(7);
                if (!rs.wasNull()) {
                    partitionParents.put(rs.getLong(1), parent);
                }
                if (rs.getBoolean(8)) {
                    extensionTables.add(rs.getLong(1));
                }
            }
        }
    }

    private void readColumns(Statement s) throws SQLException {
        Map<Long, TypeInfo> types = new HashMap<>();
        // A range's bounds are its subtype's binary forms, a multirange's its range's: read through like elements.
        String bounds = versionNum >= 140000 ? "coalesce(r.rngsubtype, m.rngtypid, 0)" : "coalesce(r.rngsubtype, 0)";
        try (ResultSet rs = s.executeQuery("SELECT t.oid, t.typtype, t.typelem, t.typbasetype, t.typsend <> 0, "
                + "t.typreceive <> 0, t.typlen, " + bounds + " FROM pg_type t LEFT JOIN pg_range r ON r.rngtypid = "
                + "t.oid" + (versionNum >= 140000 ? " LEFT JOIN pg_range m ON m.rngmultitypid = t.oid" : ""))) {
            while (rs.next()) {
                types.put(rs.getLong(1), new TypeInfo(rs.getString(2).charAt(0), rs.getLong(3), rs.getLong(4),
                        rs.getBoolean(5) && rs.getBoolean(6), rs.getInt(7), rs.getLong(8)));
            }
        }
        String generated = versionNum >= 120000 ? "a.attgenerated" : "''";
        Map<Long, List<CopyColumn>> columns = new HashMap<>();
        try (ResultSet rs = s.executeQuery("SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), "
                + "a.atttypid, " + generated + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND " + USER_SCHEMAS
                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum")) {
            Map<Long, Boolean> memo = new HashMap<>();
            while (rs.next()) {
                long rel = rs.getLong(1);
                String kind = rs.getString(5);
                if (tables.containsKey(rel) && (kind.isEmpty() || kind.equals("s"))) { // not 18's virtual ones
                    (kind.isEmpty() ? columns : generatedColumns).computeIfAbsent(rel, k -> new ArrayList<>())
                            .add(new CopyColumn(rs.getString(2), rs.getString(3),
                                    binarySafe(rs.getLong(4), types, memo, 0)));
                    if (kind.isEmpty() && namesObjects(rs.getLong(4), types, 0)) {
                        namingObjects.add(rel);
                    }
                }
            }
        }
        Map<Long, String> intKeys = new HashMap<>();
        // A single-column, not-null integer primary key or unique index splits a table when TID ranges cannot.
        try (ResultSet rs = s.executeQuery("SELECT i.indrelid, a.attname FROM pg_index i JOIN pg_attribute a "
                + "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indnatts = 1 AND i.indisunique "
                + "AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attnotnull AND a.atttypid IN "
                + "('int2'::regtype, 'int4'::regtype, 'int8'::regtype) ORDER BY i.indisprimary DESC")) {
            while (rs.next()) {
                intKeys.putIfAbsent(rs.getLong(1), rs.getString(2));
            }
        }
        tables.replaceAll((oid, t) -> new Table(t.oid(), t.schema(), t.name(), t.relkind(), t.bytes(),
                columns.getOrDefault(oid, List.of()), Optional.ofNullable(intKeys.get(oid)), t.rowsLeftOut()));
    }

    private record TypeInfo(char typtype, long elem, long base, boolean binaryIo, int typlen, long bounds) {
    }

    /**
     * The OID-alias types ({@code regclass}, {@code regtype}, ...): a value's binary form is an OID, which names
     * another object on the target, so they move as text, the object's name, as pg_dump moves them.
     */
    private static final Set<Long> OID_ALIASES = Set.of(24L, 2202L, 2203L, 2204L, 2205L, 2206L, 3734L, 3769L, 4089L,
            4096L, 4191L);

    /** Whether a value of the type names objects by an OID alias, itself or as an element, base or bound. */
    private static boolean namesObjects(long type, Map<Long, TypeInfo> types, int depth) {
        TypeInfo info = types.get(type);
        if (OID_ALIASES.contains(type)) {
            return true;
        }
        if (info == null || depth > 20) {
            return false;
        }
        return info.typtype() == 'd' && namesObjects(info.base(), types, depth + 1)
                || info.elem() != 0 && info.typlen() == -1 && namesObjects(info.elem(), types, depth + 1)
                || info.bounds() != 0 && namesObjects(info.bounds(), types, depth + 1);
    }

    /**
     * Whether a value of the type survives binary COPY between two servers: it needs binary I/O, and neither
     * an array of a user type nor a composite, whose binary forms carry type OIDs that differ on the target, nor
     * an OID alias, nor a range whose subtype (a multirange whose range) is not safe.
     */
    private static boolean binarySafe(long type, Map<Long, TypeInfo> types, Map<Long, Boolean> memo, int depth) {
        Boolean known = memo.get(type);
        if (known != null) {
            return known;
        }
        TypeInfo info = types.get(type);
        boolean safe;
        if (info == null || depth > 20 || OID_ALIASES.contains(type)) {
            safe = false;
        } else if (info.typtype() == 'c' || info.typtype() == 'p') {
            safe = false;
        } else if (info.bounds() != 0) {
            safe = info.binaryIo() && binarySafe(info.bounds(), types, memo, depth + 1);
        } else if (info.typtype() == 'd') {
            safe = binarySafe(info.base(), types, memo, depth + 1);
        } else if (info.elem() != 0 && info.typlen() == -1) {
            safe = info.elem() < 16384 && info.binaryIo() && binarySafe(info.elem(), types, memo, depth + 1);
        } else {
            safe = info.binaryIo();
        }
        memo.put(type, safe);
        return safe;
    }

    private void readIndexesAndConstraints(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT n.nspname, ci.relname, i.indrelid, i.indexprs IS NOT NULL "
                + "FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_namespace n ON n.oid = "
                + "ci.relnamespace WHERE " + USER_SCHEMAS)) {
            while (rs.next()) {
                indexOwners.put(key(rs.getString(1), rs.getString(2)), rs.getLong(3));
                if (rs.getBoolean(4)) {
                    expressionIndexed.add(rs.getLong(3));
                }
            }
        }
        if (versionNum >= 100000) {
            try (ResultSet rs = s.executeQuery("SELECT n.nspname, x.stxname, x.stxrelid FROM pg_statistic_ext x "
                    + "JOIN pg_namespace n ON n.oid = x.stxnamespace WHERE " + USER_SCHEMAS)) {
                while (rs.next()) {
                    statisticsOwners.put(key(rs.getString(1), rs.getString(2)), rs.getLong(3));
                }
            }
        }
        try (ResultSet rs = s.executeQuery("SELECT n.nspname, c.relname, con.conname, con.contype, con.conrelid, "
                + "CASE WHEN con.contype IN ('p', 'u') AND con.conindid <> 0 THEN pg_get_indexdef(con.conindid) END, "
                + "con.condeferrable, con.condeferred, (SELECT am.amname FROM pg_class ic JOIN pg_am am ON am.oid = "
                + "ic.relam WHERE ic.oid = con.conindid), (SELECT ix.indpred IS NULL AND ix.indexprs IS NULL FROM "
                + "pg_index ix WHERE ix.indexrelid = con.conindid) FROM pg_constraint con "
                + "JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                + USER_SCHEMAS)) {
            while (rs.next()) {
                String schema = rs.getString(1);
                String table = rs.getString(2);
                String name = rs.getString(3);
                char type = rs.getString(4).charAt(0);
                constraintOwners.put(key(schema, table, name), rs.getLong(5));
                String indexDef = rs.getString(6);
                if (indexDef != null && "btree".equals(rs.getString(9)) && rs.getBoolean(10)) {
                    keyConstraints.put(key(schema, table, name), new KeyConstraint(schema, table, name, type,
                            indexDef, rs.getBoolean(7), rs.getBoolean(8)));
                }
            }
        }
    }
}
