package dev.pgmigrate.core.internal.schema;

import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * On resume: the post-data a dead process already built on the target (indexes, constraints, triggers, extended
 * statistics), read once, so that it is not built twice. Every lookup is a set's, whatever the number of tables.
 */
public final class BuiltBefore {
    /** Nothing built: a run that is not resumed. */
    public static final BuiltBefore NOTHING = new BuiltBefore(Set.of(), Set.of(), Set.of(), Set.of(), Set.of());

    /** {@code schema.index}. */
    private final Set<String> indexes;
    /** {@code schema.table.constraint}. */
    private final Set<String> constraints;
    /** {@code schema.table.trigger}. */
    private final Set<String> triggers;
    /** {@code schema.statistics}. */
    private final Set<String> statistics;
    /** The source catalog's tables, as {@link #tableKey}: what a dump entry's tag may begin with. */
    private final Set<String> tables;

    private BuiltBefore(Set<String> indexes, Set<String> constraints, Set<String> triggers, Set<String> statistics,
            Set<String> tables) {
        this.indexes = indexes;
        this.constraints = constraints;
        this.triggers = triggers;
        this.statistics = statistics;
        this.tables = tables;
    }

    /** What {@link #read} would have found; {@code tables} as {@code schema.table}, the rest as in the fields. */
    static BuiltBefore of(Set<String> indexes, Set<String> constraints, Set<String> triggers, Set<String> statistics,
            Set<String> tables) {
        Set<String> keys = new HashSet<>();
        tables.forEach(t -> keys.add(tableKey(t.substring(0, t.indexOf('.')), t.substring(t.indexOf('.') + 1))));
        return new BuiltBefore(indexes, constraints, triggers, statistics, keys);
    }

    /** Reads what exists in {@code db}'s working database on the target, only the user's schemas' objects. */
    public static BuiltBefore read(Endpoint target, DatabaseRun db) throws SQLException {
        try (Connection c = target.connector().open(db.working)) {
            String user = " AND " + SourceCatalog.USER_SCHEMAS;
            Set<String> indexes = set(Sql.rows(c, "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN "
                    + "pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('i', 'I')" + user));
            Set<String> constraints = set(Sql.rows(c, "SELECT n.nspname || '.' || c.relname || '.' || con.conname "
                    + "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = "
                    + "c.relnamespace WHERE true" + user));
            Set<String> triggers = set(Sql.rows(c, "SELECT n.nspname || '.' || c.relname || '.' || t.tgname FROM "
                    + "pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = "
                    + "c.relnamespace WHERE NOT t.tgisinternal"));
            Set<String> statistics = db.catalog.statisticsOwners.isEmpty() ? Set.of() : set(Sql.rows(c,
                    "SELECT n.nspname || '.' || x.stxname FROM pg_statistic_ext x JOIN pg_namespace n ON n.oid = "
                    + "x.stxnamespace"));
            Set<String> tables = new HashSet<>();
            for (Table t : db.catalog.tables.values()) {
                tables.add(tableKey(t.schema(), t.name()));
            }
            return new BuiltBefore(indexes, constraints, triggers, statistics, tables);
        }
    }

    /** How many indexes were found, for the resume's note. */
    public int indexCount() {
        return indexes.size();
    }

    /** How many constraints were found, for the resume's note. */
    public int constraintCount() {
        return constraints.size();
    }

    /** Whether {@code statement}, one of {@code entry}'s, built something that exists already. */
    boolean contains(Entry entry, String statement) {
        return switch (entry.type()) {
            case "INDEX" -> indexes.contains(entry.schema() + "." + entry.tag());
            case "STATISTICS" -> statistics.contains(entry.schema() + "." + entry.tag());
            case "CONSTRAINT", "FK CONSTRAINT" -> statement.startsWith("CREATE UNIQUE INDEX")
                    ? anySplit(entry, (table, name) -> indexes.contains(entry.schema() + "." + name))
                    : anySplit(entry, (table, name) -> constraints.contains(entry.schema() + "." + table + "." + name));
            case "TRIGGER" -> anySplit(entry, (table, name) -> triggers.contains(entry.schema() + "." + table + "."
                    + name));
            default -> false;
        };
    }

    /**
     * Whether a constraint's or trigger's tag, {@code table name}, splits at one of its spaces into a table of the
     * catalog, in the entry's schema, and a name that {@code built} has. A table's name may hold spaces, so each
     * space is tried: a few set lookups, where looking through every table for a prefix was quadratic in them.
     */
    private boolean anySplit(Entry entry, BiPredicate<String, String> built) {
        String tag = entry.tag();
        for (int space = tag.indexOf(' '); space >= 0; space = tag.indexOf(' ', space + 1)) {
            String table = tag.substring(0, space);
            if (tables.contains(tableKey(entry.schema(), table)) && built.test(table, tag.substring(space + 1))) {
                return true;
            }
        }
        return false;
    }

    private static String tableKey(String schema, String table) {
        return schema + '\0' + table;
    }

    private static Set<String> set(List<String[]> rows) {
        Set<String> out = new HashSet<>();
        rows.forEach(r -> out.add(r[0]));
        return out;
    }
}
