package dev.pgmigrate.core.internal.schema;

import dev.pgmigrate.core.internal.pg.SourceCatalog.KeyConstraint;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How post-data entries are scheduled: per-table index builds and constraints, then the rest in order. */
public record PostDataPlan(Map<Long, List<Entry>> indexes, Map<Long, List<Entry>> constraints,
        Map<Long, List<Entry>> statistics, List<Entry> rest) {
    /**
     * @param deferRowSecurity leave out the {@code ROW SECURITY} entries of the catalog's tables, which
     *     {@code enableRowSecurity} runs after the verification (a target admin that is no superuser)
     */
    public static PostDataPlan of(List<Entry> entries, SourceCatalog catalog, boolean deferRowSecurity) {
        Map<Long, List<Entry>> indexes = new HashMap<>();
        Map<Long, List<Entry>> constraints = new HashMap<>();
        Map<Long, List<Entry>> statistics = new HashMap<>();
        List<Entry> rest = new ArrayList<>();
        List<Entry> eventTriggers = new ArrayList<>();
        Map<String, Table> tablesByName = new HashMap<>();
        for (Table t : catalog.tables.values()) {
            tablesByName.put(SourceCatalog.key(t.schema(), t.name()), t);
        }
        for (Entry entry : entries) {
            if (deferRowSecurity && entry.type().equals("ROW SECURITY") && entry.statements().size() == 1
                    && tablesByName.containsKey(SourceCatalog.key(entry.schema(), entry.tag()))) {
                continue; // enabled from the catalog once the copy is verified (enableRowSecurity)
            }
            if (entry.type().equals("INDEX")) {
                Long owner = catalog.indexOwners.get(SourceCatalog.key(entry.schema(), entry.tag()));
                Table table = owner == null ? null : catalog.tables.get(owner);
                if (table != null && table.hasData()) {
                    indexes.computeIfAbsent(owner, k -> new ArrayList<>()).add(entry);
                    continue;
                }
            } else if (entry.type().equals("STATISTICS")) {
                // Extended statistics go before their table's ANALYZE, which fills them in.
                Long owner = catalog.statisticsOwners.get(SourceCatalog.key(entry.schema(), entry.tag()));
                Table table = owner == null ? null : catalog.tables.get(owner);
                if (table != null && table.hasData()) {
                    statistics.computeIfAbsent(owner, k -> new ArrayList<>()).add(entry);
                    continue;
                }
            } else if (entry.type().equals("CONSTRAINT")) {
                Table table = constraintTable(entry, catalog, tablesByName);
                if (table != null && table.hasData()) {
                    String conname = entry.tag().substring(table.name().length() + 1);
                    KeyConstraint key = catalog.keyConstraints.get(SourceCatalog.key(table.schema(), table.name(),
                            conname));
                    if (key != null && entry.statements().size() == 1) {
                        indexes.computeIfAbsent(table.oid(), k -> new ArrayList<>()).add(entry.withStatements(
                                List.of(key.indexDefinition())));
                        constraints.computeIfAbsent(table.oid(), k -> new ArrayList<>()).add(entry.withStatements(
                                List.of("ALTER TABLE ONLY " + Sql.qualified(table.schema(), table.name())
                                        + " ADD CONSTRAINT " + Sql.ident(conname)
                                        + (key.type() == 'p' ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX "
                                        + Sql.ident(conname) + (key.deferrable() ? " DEFERRABLE" : "")
                                        + (key.deferred() ? " INITIALLY DEFERRED" : ""))));
                    } else {
                        constraints.computeIfAbsent(table.oid(), k -> new ArrayList<>()).add(entry);
                    }
                    continue;
                }
            } else if (entry.type().equals("EVENT TRIGGER")) {
                eventTriggers.add(entry);
                continue;
            }
            rest.add(entry);
        }
        // pg_dump puts event triggers just before the materialized views' refreshes, which then fire them: a
        // trigger that logs DDL would log each REFRESH on the target, rows the source never had. Last, they
        // fire on nothing the migration does.
        rest.addAll(eventTriggers);
        return new PostDataPlan(indexes, constraints, statistics, rest);
    }

    /**
     * Whether a step after the table-bound ones runs user code that may write tables: a materialized view's
     * refresh runs its query's functions, whatever they do. A table compared before such a step may differ
     * after it, so the verification of such a database waits for the end.
     */
    public boolean mayWriteTablesLate() {
        return rest.stream().anyMatch(e -> e.type().equals("MATERIALIZED VIEW DATA"));
    }

    /**
     * The table of a "table constraint" tag ({@code "table constraint"}, where either name may hold spaces): the
     * longest table name of the schema that prefixes it and has a constraint of the rest's name. A look-up per
     * space in the tag, not a scan of every table: 10,000 tables made that scan quadratic.
     */
    private static Table constraintTable(Entry entry, SourceCatalog catalog, Map<String, Table> tablesByName) {
        String tag = entry.tag();
        for (int space = tag.lastIndexOf(' '); space > 0; space = tag.lastIndexOf(' ', space - 1)) {
            String name = tag.substring(0, space);
            Table table = tablesByName.get(SourceCatalog.key(entry.schema(), name));
            if (table != null && catalog.constraintOwners.containsKey(SourceCatalog.key(entry.schema(), name,
                    tag.substring(space + 1)))) {
                return table;
            }
        }
        return null;
    }
}
