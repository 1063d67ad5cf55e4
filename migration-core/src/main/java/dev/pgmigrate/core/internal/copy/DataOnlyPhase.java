package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.core.internal.database.DatabaseRun;
import dev.pgmigrate.core.internal.database.WorkerSessions;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceCatalog.Table;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.JournalKind;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.run.WorkerPool;
import dev.pgmigrate.core.internal.verify.Verifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Data only ({@code --data-only}): the rows of each table the selection takes, copied into a database the target
 * already has, with its schema, as {@code pg_dump --data-only | psql} does; the sequences set. Nothing is created.
 * Each table must be there with the source's columns, and empty: checked before the first row moves. The tables
 * and their keys are the user's, so there is neither TRUNCATE nor COPY FREEZE, and they are filled referenced
 * tables first, as their foreign keys need (tables that reference each other are refused). What is filled, and
 * each sequence's value before it is set, are journaled first: a cancel or failure empties the tables and sets the
 * sequences back.
 */
public final class DataOnlyPhase {
    private final MigrationSettings settings;
    private final RecordKeeper keeper;
    private final Endpoint target;
    private final WorkerPool pool;
    private final CancelSignal cancel;
    private final WorkerSessions sessions;
    private final TableCopy tableCopy;

    public DataOnlyPhase(MigrationSettings settings, RecordKeeper keeper, Endpoint target, WorkerPool pool,
            CancelSignal cancel, WorkerSessions sessions, TableCopy tableCopy) {
        this.settings = settings;
        this.keeper = keeper;
        this.target = target;
        this.pool = pool;
        this.cancel = cancel;
        this.sessions = sessions;
        this.tableCopy = tableCopy;
    }

    /**
     * Reads what the selection takes of the source's catalog (in the snapshot), checks the target's database,
     * journals what it fills, and fills it level by level.
     */
    public void run(DatabaseRun db) throws Exception {
        db.catalog = SourceCatalog.read(db.snapshotConnection);
        db.catalog.retain(db.selection);
        List<Table> tables = db.catalog.tables.values().stream().filter(Table::copiesRows).toList();
        List<List<Table>> levels;
        try (Connection dst = target.connector().open(db.working)) {
            requireEmptyTables(db, dst, tables);
            levels = ForeignKeyLevels.of(dst, tables, db.name);
            List<String> names = levels.stream().flatMap(List::stream)
                    .map(t -> Sql.qualified(t.schema(), t.name())).toList();
            keeper.journal(JournalKind.FILL_TABLES, db.working, String.join("\n", names));
            List<String> sequences = new ArrayList<>();
            for (SourceCatalog.Sequence seq : db.catalog.sequences) {
                String qualified = Sql.qualified(seq.schema(), seq.name());
                String[] before = Sql.rows(dst, "SELECT last_value::text, is_called::text FROM " + qualified).get(0);
                sequences.add(qualified + "\t" + before[0] + "\t" + before[1]);
            }
            if (!sequences.isEmpty()) {
                keeper.journal(JournalKind.SET_SEQUENCES, db.working, String.join("\n", sequences));
            }
        }
        List<TableProgress> queued = new ArrayList<>();
        Map<Table, List<TableCopy.Part>> parts = new LinkedHashMap<>();
        long share = tables.stream().mapToLong(Table::bytes).sum() / settings.parallelism();
        for (List<Table> level : levels) {
            for (Table table : level) {
                List<TableCopy.Part> split = tableCopy.split(db, table, share);
                parts.put(table, split);
                queued.add(TableProgress.queued(table.schema(), table.name(), table.bytes(), split.size()));
            }
        }
        keeper.tablesQueued(db.name, queued);
        Map<Long, CopyCounters> counters = new ConcurrentHashMap<>();
        for (List<Table> level : levels) {
            // A level's tables reference only tables of the levels before it, which are in by now.
            TaskTracker tracker = new TaskTracker(pool, cancel, db.abort);
            for (Table table : level) {
                AtomicInteger remaining = new AtomicInteger(parts.get(table).size());
                for (TableCopy.Part part : parts.get(table)) {
                    tracker.submit(() -> {
                        CopyCounters c = counters.computeIfAbsent(table.oid(), k -> new CopyCounters());
                        tableCopy.copy(db, part, c);
                        if (remaining.decrementAndGet() == 0) {
                            tableCopy.copied(db, table, c);
                        }
                        return null;
                    }, part.estimatedBytes());
                }
            }
            tracker.await();
        }
        new SequencesAndLargeObjects(pool, cancel, keeper, settings.parallelism(), sessions::of).setSequences(db);
    }

    /** Fails, naming them, when a table to fill is missing, differs from the source's, or already holds rows. */
    private static void requireEmptyTables(DatabaseRun db, Connection dst, List<Table> tables) throws Exception {
        Map<Long, String> differences = Verifier.structuralDifferences(dst, tables);
        // A policy must not hide rows from the check: the rollback's TRUNCATE would take them too. With
        // row_security off, a table whose policy applies to this login fails the read instead (42501).
        Sql.execute(dst, "SET row_security = off");
        List<String> problems = new ArrayList<>();
        for (Table table : tables) {
            String difference = differences.get(table.oid());
            if (difference != null) {
                problems.add(table.qualifiedName() + ": " + difference);
                continue;
            }
            try {
                if (Sql.one(dst, "SELECT 1 FROM ONLY " + Sql.qualified(table.schema(), table.name())
                        + " LIMIT 1") != null) {
                    problems.add(table.qualifiedName() + ": it already holds rows");
                }
            } catch (SQLException e) {
                if (!"42501".equals(e.getSQLState())) {
                    throw e;
                }
                problems.add(table.qualifiedName() + ": a row-level security policy keeps the target login from "
                        + "reading every row (" + Sql.firstLine(e.getMessage()) + "), so it can neither check that "
                        + "the table is empty nor fill it; fill it as its owner without FORCE ROW LEVEL SECURITY, or "
                        + "as a role with BYPASSRLS");
            }
        }
        for (SourceCatalog.Sequence seq : db.catalog.sequences) {
            if (Sql.one(dst, "SELECT pg_catalog.to_regclass(?)::text", Sql.qualified(seq.schema(), seq.name()))
                    == null) {
                problems.add(seq.schema() + "." + seq.name() + ": the target has no such sequence");
            }
        }
        if (!problems.isEmpty()) {
            throw new MigrationException(MessageCode.TARGET_CONFLICT, "Data only cannot fill database " + db.name
                    + " on the target: " + String.join("; ", problems) + ". Data only copies rows into the empty "
                    + "tables of a database that has the source's schema: create what is missing (a migration with "
                    + "schemaOnly, or pg_dump --schema-only), empty the tables that hold rows (TRUNCATE), or leave "
                    + "them out of the selection. Nothing was changed.");
        }
    }

    /** The tables in the order their foreign keys on the target accept, as levels that fill at once. */
    static final class ForeignKeyLevels {
        private ForeignKeyLevels() {
        }

        static List<List<Table>> of(Connection dst, List<Table> tables, String database) throws Exception {
            Map<String, Table> byName = new HashMap<>();
            tables.forEach(t -> byName.put(SourceCatalog.key(t.schema(), t.name()), t));
            Map<String, List<String>> children = new HashMap<>(); // partitions and inheritance children
            for (String[] r : Sql.rows(dst, "SELECT pn.nspname, p.relname, cn.nspname, c.relname FROM "
                    + "pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent JOIN "
                    + "pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace JOIN pg_catalog.pg_class c ON c.oid = "
                    + "i.inhrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace")) {
                children.computeIfAbsent(SourceCatalog.key(r[0], r[1]), k -> new ArrayList<>())
                        .add(SourceCatalog.key(r[2], r[3]));
            }
            Map<Table, Set<Table>> needs = new HashMap<>();
            tables.forEach(t -> needs.put(t, ConcurrentHashMap.newKeySet()));
            for (String[] r : Sql.rows(dst, "SELECT cn.nspname, c.relname, pn.nspname, p.relname FROM "
                    + "pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid JOIN "
                    + "pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace JOIN pg_catalog.pg_class p ON p.oid = "
                    + "k.confrelid JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE k.contype = 'f' "
                    + "AND k.conrelid <> k.confrelid")) {
                List<Table> referencing = expand(SourceCatalog.key(r[0], r[1]), byName, children);
                List<Table> referenced = expand(SourceCatalog.key(r[2], r[3]), byName, children);
                for (Table child : referencing) {
                    referenced.stream().filter(parent -> parent != child).forEach(needs.get(child)::add);
                }
            }
            List<List<Table>> levels = new ArrayList<>();
            Set<Table> placed = ConcurrentHashMap.newKeySet();
            while (placed.size() < tables.size()) {
                List<Table> level = tables.stream().filter(t -> !placed.contains(t)
                        && placed.containsAll(needs.get(t))).toList();
                if (level.isEmpty()) {
                    throw new MigrationException(MessageCode.TARGET_CONFLICT, "Data only cannot fill database "
                            + database + ": the foreign keys of " + tables.stream().filter(t -> !placed.contains(t))
                            .map(Table::qualifiedName).toList() + " on the target reference each other, so no "
                            + "order of their rows satisfies them. Drop those foreign keys on the target and add "
                            + "them again after the migration, or migrate the schema and the data together. "
                            + "Nothing was changed.");
                }
                placed.addAll(level);
                levels.add(level);
            }
            return levels;
        }

        /** The tables to fill that are {@code key} or descend from it. */
        private static List<Table> expand(String key, Map<String, Table> byName, Map<String, List<String>> children) {
            List<Table> found = new ArrayList<>();
            List<String> todo = new ArrayList<>(List.of(key));
            Set<String> seen = new java.util.HashSet<>();
            while (!todo.isEmpty()) {
                String next = todo.remove(todo.size() - 1);
                if (!seen.add(next)) {
                    continue;
                }
                if (byName.containsKey(next)) {
                    found.add(byName.get(next));
                }
                todo.addAll(children.getOrDefault(next, List.of()));
            }
            return found;
        }
    }
}
