package dev.pgmigrate.core.internal.pg;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.NamePattern;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.SpecProblem;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link Selection} resolved on one source database: the one place that decides which schemas and relations
 * (tables, partitioned tables, views, materialized views, sequences, foreign tables) move and whose rows stay
 * behind. PostgreSQL matches each pattern, as it does for pg_dump (the same regular expressions, the same
 * visibility rule for a table pattern without a schema, on the login's default {@code search_path}); pg_dump,
 * the copy, the verification and the validators then all follow the concrete lists resolved here. Read inside the
 * migration's snapshot, the lists are the snapshot's.
 *
 * <p>A relation moves when its schema does ({@code schemas}, else every schema; not {@code excludeSchemas}), when
 * {@code tables} is empty or matches it, and when {@code excludeTables} does not. A partition follows its
 * partitioned table (unless excluded itself); a sequence also moves with the table that owns it, and an identity
 * sequence exactly with its table, as pg_dump dumps them. A schema left out that holds an extension is still
 * created, empty, since the extension moves ({@link #extensionSchemas()}).
 *
 * <p>Longer than our usual classes: the resolution and what it finds wrong with a selection (patterns matching
 * nothing, a partition alone, a table pattern outside the schema selection) read the same rows, read once.
 */
public final class SourceSelection {
    private static final SourceSelection EVERYTHING = new SourceSelection(Selection.everything(), Map.of(),
            Set.of(), List.of(), Set.of(), List.of(), List.of(), List.of());
    /** The kinds of relation a table pattern matches, as pg_dump's {@code -t}. */
    static final String KINDS = "c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p')";

    /** A relation of the source database, by OID. */
    public record Relation(long oid, String schema, String name, char relkind) {
        public String qualifiedName() {
            return schema + "." + name;
        }
    }

    /** A pattern that matched nothing, with the field that holds it, such as {@code settings.selection.tables[0]}. */
    public record Unmatched(String field, String pattern, boolean include) {
    }

    private final Selection selection;
    private final Map<Long, Relation> moved;
    private final Set<Long> rowsLeftOut;
    private final List<Relation> leftOut;
    private final Set<String> schemas;
    private final List<String> schemasLeftOut;
    private final List<Unmatched> unmatched;
    private final List<String> userSchemas;
    /** Partitions a table pattern named whose partitioned table it did not: "schema.name\tparent". */
    private final List<String> partitionsAlone = new ArrayList<>();
    /** Schemas left out that hold an extension, which moves all the same, with its extensions' names. */
    private final Map<String, List<String>> extensionSchemas = new TreeMap<>();
    /** Publications' memberships of a table or schema left out, which pg_dump drops: "public.t in publication p". */
    private final List<String> membershipsLeftOut = new ArrayList<>();
    /** Table patterns whose every match is in a schema left out: "field = pattern (schema.name, ...)". */
    private final List<String> outsideSchemas = new ArrayList<>();

    private SourceSelection(Selection selection, Map<Long, Relation> moved, Set<Long> rowsLeftOut,
            List<Relation> leftOut, Set<String> schemas, List<String> schemasLeftOut, List<Unmatched> unmatched,
            List<String> userSchemas) {
        this.selection = selection;
        this.moved = moved;
        this.rowsLeftOut = rowsLeftOut;
        this.leftOut = leftOut;
        this.schemas = schemas;
        this.schemasLeftOut = schemasLeftOut;
        this.unmatched = unmatched;
        this.userSchemas = userSchemas;
    }

    /** The selection of every object, which reads nothing. */
    public static SourceSelection everything() {
        return EVERYTHING;
    }

    /**
     * Resolves {@code selection} on {@code c}, a connection to the source database (inside the migration's snapshot
     * when there is one). Leaves the session's {@code search_path} as it found it.
     */
    public static SourceSelection resolve(Connection c, Selection selection) throws SQLException {
        if (selection.takesEverything()) {
            return EVERYTHING;
        }
        String searchPath = Sql.one(c, "SELECT pg_catalog.current_setting('search_path')");
        String local = c.getAutoCommit() ? "" : "LOCAL ";
        int version = Integer.parseInt(Sql.one(c, "SELECT pg_catalog.current_setting('server_version_num')"));
        boolean collate = version >= 120000;
        Map<Long, Row> rows = new LinkedHashMap<>();
        for (String[] r : Sql.rows(c, "SELECT c.oid, n.nspname, c.relname, c.relkind, (SELECT i.inhparent FROM "
                + "pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = c.oid "
                + "AND p.relkind = 'p'), (SELECT d.refobjid FROM pg_catalog.pg_depend d WHERE d.classid = "
                + "'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.refclassid = "
                + "'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i') ORDER BY d.deptype DESC "
                + "LIMIT 1), EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = "
                + "'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'i') "
                + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " + KINDS
                + " AND c.relpersistence <> 't' AND " + SourceCatalog.USER_SCHEMAS + " AND (NOT EXISTS (SELECT 1 FROM "
                + "pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = "
                + "c.oid AND d.deptype = 'e') OR c.oid IN (SELECT pg_catalog.unnest(extconfig) FROM "
                + "pg_catalog.pg_extension WHERE extconfig IS NOT NULL)) ORDER BY n.nspname, c.relname")) {
            long oid = Long.parseLong(r[0]);
            rows.put(oid, new Row(new Relation(oid, r[1], r[2], r[3].charAt(0)),
                    r[4] == null ? 0 : Long.parseLong(r[4]), r[5] == null ? 0 : Long.parseLong(r[5]),
                    "t".equals(r[6])));
        }
        List<String> userSchemas = new ArrayList<>();
        Sql.rows(c, "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE " + SourceCatalog.USER_SCHEMAS
                + " ORDER BY 1").forEach(r -> userSchemas.add(r[0]));

        List<Unmatched> unmatched = new ArrayList<>();
        List<SelectionPatterns.Matched> matched = new ArrayList<>();
        SelectionPatterns m = new SelectionPatterns(c, collate, rows.keySet(), new HashSet<>(userSchemas), unmatched,
                matched);
        Set<String> schemasIn = selection.schemas().isEmpty() ? new HashSet<>(userSchemas)
                : m.schemas("schemas", selection.schemaPatterns(), true);
        Set<String> schemasOut = m.schemas("excludeSchemas", selection.excludeSchemaPatterns(), false);
        Set<Long> tablesIn;
        Set<Long> tablesOut;
        Set<Long> dataOut;
        // Visibility of an unqualified table pattern is pg_dump's: on the login's default search_path.
        Sql.execute(c, "SET " + local + "search_path TO DEFAULT");
        try {
            tablesIn = selection.tables().isEmpty() ? null : m.tables("tables", selection.tablePatterns(), true);
            tablesOut = m.tables("excludeTables", selection.excludeTablePatterns(), false);
            dataOut = m.tables("excludeTableData", selection.excludeTableDataPatterns(), false);
        } finally {
            Sql.rows(c, "SELECT pg_catalog.set_config('search_path', ?, " + !local.isEmpty() + ")", searchPath);
        }

        Set<String> schemas = new TreeSet<>(schemasIn);
        schemas.removeAll(schemasOut);
        Map<Long, Boolean> decided = new LinkedHashMap<>();
        for (Row row : rows.values()) {
            decide(row, rows, schemas, tablesIn, tablesOut, decided);
        }
        Map<Long, Relation> moved = new LinkedHashMap<>();
        List<Relation> leftOut = new ArrayList<>();
        Set<Long> rowsLeftOut = new HashSet<>();
        for (Row row : rows.values()) {
            boolean moves = decided.get(row.relation.oid());
            if (row.owner != 0 && row.relation.relkind() == 'S' && rows.containsKey(row.owner)) {
                boolean ownerMoves = decided.get(row.owner);
                moves = row.identity ? ownerMoves : moves || ownerMoves;
            }
            if (!moves) {
                leftOut.add(row.relation);
                continue;
            }
            moved.put(row.relation.oid(), row.relation);
            if (selection.content() == Selection.Content.SCHEMA_ONLY || rowsOut(row, rows, dataOut)) {
                rowsLeftOut.add(row.relation.oid());
            }
        }
        List<String> schemasLeftOut = userSchemas.stream().filter(s -> !schemas.contains(s)).toList();
        SourceSelection resolved = new SourceSelection(selection, moved, rowsLeftOut, leftOut, schemas,
                schemasLeftOut, unmatched, userSchemas);
        // pg_dump dumps every extension, as it belongs to no schema; the target has a public schema already.
        if (selection.content() != Selection.Content.DATA_ONLY) {
            for (String[] r : Sql.rows(c, "SELECT n.nspname, e.extname FROM pg_catalog.pg_extension e JOIN "
                    + "pg_catalog.pg_namespace n ON n.oid = e.extnamespace ORDER BY 1, 2")) {
                if (schemasLeftOut.contains(r[0]) && !r[0].equals("public")) {
                    resolved.extensionSchemas.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]);
                }
            }
        }
        if (selection.content() != Selection.Content.DATA_ONLY) {
            resolved.readMemberships(c, version);
        }
        // pg_dump's -t takes its tables whatever -n and -N say; here they must agree, or the pattern moves nothing.
        for (SelectionPatterns.Matched t : matched) {
            if (t.relations().stream().noneMatch(oid -> schemas.contains(rows.get(oid).relation.schema()))) {
                List<String> names = t.relations().stream().map(oid -> rows.get(oid).relation.qualifiedName())
                        .sorted().toList();
                resolved.outsideSchemas.add(t.field() + " = " + t.pattern() + " (" + String.join(", ", names.subList(0,
                        Math.min(5, names.size()))) + (names.size() > 5 ? " and " + (names.size() - 5) + " more" : "")
                        + ")");
            }
        }
        if (tablesIn != null) {
            for (long oid : tablesIn) {
                Row row = rows.get(oid);
                Row parent = row == null || row.partitionOf == 0 ? null : rows.get(row.partitionOf);
                if (parent != null && !decided.get(oid) && !decided.get(parent.relation.oid())
                        && !tablesOut.contains(oid)) {
                    resolved.partitionsAlone.add(row.relation.schema() + "." + row.relation.name() + "\t"
                            + parent.relation.schema() + "." + parent.relation.name());
                }
            }
        }
        return resolved;
    }

    private record Row(Relation relation, long partitionOf, long owner, boolean identity) {
    }

    /** The publications' memberships (of tables from 10, of schemas from 15) that pg_dump drops with what they name. */
    private void readMemberships(Connection c, int version) throws SQLException {
        if (version < 100000) {
            return;
        }
        Set<Long> out = new HashSet<>();
        leftOut.forEach(r -> out.add(r.oid()));
        String identity = "(SELECT o.identity FROM pg_catalog.pg_identify_object(p.tableoid, p.oid, 0) o)";
        for (String[] r : Sql.rows(c, "SELECT p.prrelid, " + identity + " FROM pg_catalog.pg_publication_rel p")) {
            if (out.contains(Long.parseLong(r[0]))) {
                membershipsLeftOut.add(r[1]);
            }
        }
        if (version >= 150000) {
            for (String[] r : Sql.rows(c, "SELECT n.nspname, " + identity + " FROM pg_catalog.pg_publication_namespace "
                    + "p JOIN pg_catalog.pg_namespace n ON n.oid = p.pnnspid")) {
                if (schemasLeftOut.contains(r[0])) {
                    membershipsLeftOut.add(r[1]);
                }
            }
        }
        Collections.sort(membershipsLeftOut);
    }

    private static boolean decide(Row row, Map<Long, Row> rows, Set<String> schemas, Set<Long> tablesIn,
            Set<Long> tablesOut, Map<Long, Boolean> decided) {
        Boolean known = decided.get(row.relation.oid());
        if (known != null) {
            return known;
        }
        decided.put(row.relation.oid(), false); // a cycle cannot happen, but must not recurse for ever
        boolean moves = schemas.contains(row.relation.schema()) && !tablesOut.contains(row.relation.oid());
        Row parent = row.partitionOf == 0 ? null : rows.get(row.partitionOf);
        if (moves && parent != null) {
            moves = decide(parent, rows, schemas, tablesIn, tablesOut, decided);
        } else if (moves && tablesIn != null) {
            moves = tablesIn.contains(row.relation.oid());
        }
        decided.put(row.relation.oid(), moves);
        return moves;
    }

    private static boolean rowsOut(Row row, Map<Long, Row> rows, Set<Long> dataOut) {
        for (Row r = row; r != null; r = r.partitionOf == 0 ? null : rows.get(r.partitionOf)) {
            if (dataOut.contains(r.relation.oid())) {
                return true;
            }
        }
        return false;
    }

    /** The selection as the spec gives it. */
    public Selection selection() {
        return selection;
    }

    /** Whether everything moves. */
    public boolean isEverything() {
        return selection.takesEverything();
    }

    /** Whether the relation {@code oid} moves; true for every relation when everything moves. */
    public boolean moves(long oid) {
        return isEverything() || moved.containsKey(oid);
    }

    /** Whether the rows of {@code oid} (a table's, or a sequence's value) stay on the source. */
    public boolean rowsLeftOut(long oid) {
        return rowsLeftOut.contains(oid);
    }

    /** The relations that move, by OID; empty when everything moves (nothing was read). */
    public Map<Long, Relation> moved() {
        return moved;
    }

    /** The relations left out, by schema and name. */
    public List<Relation> leftOut() {
        return leftOut;
    }

    /** The relations that move without their rows. */
    public List<Relation> rowsLeftOut() {
        return moved.values().stream().filter(r -> rowsLeftOut.contains(r.oid())).toList();
    }

    /** The user schemas that move; every one when everything moves (then empty: nothing was read). */
    public Set<String> schemas() {
        return schemas;
    }

    /** The user schemas left out, with every object in them. */
    public List<String> schemasLeftOut() {
        return schemasLeftOut;
    }

    /**
     * The schemas left out that the target gets all the same, empty, as the container of the extensions installed
     * in them (which move, belonging to no schema), with those extensions' names; sorted by schema.
     */
    public Map<String, List<String>> extensionSchemas() {
        return Collections.unmodifiableMap(extensionSchemas);
    }

    /**
     * The publications' memberships of a table or schema left out, as PostgreSQL names them ("public.t in publication
     * p"), sorted: pg_dump drops them with what they name, so each publication moves without it.
     */
    public List<String> membershipsLeftOut() {
        return Collections.unmodifiableList(membershipsLeftOut);
    }

    /** The user schemas of the database, as read. */
    List<String> userSchemas() {
        return userSchemas;
    }

    /**
     * Fails when a pattern that takes objects ({@code schemas}, {@code tables}) matched nothing in {@code database}:
     * the user asked for something that is not there; or when a table pattern took a partition without its
     * partitioned table, which would move nothing. pg_dump stops only when all its {@code -t} patterns together
     * match nothing (each one with {@code --strict-names}); here each must match.
     *
     * @throws InvalidSpecException naming each such pattern's field, before anything is changed on the target
     */
    public void requireMatches(String database) {
        List<SpecProblem> problems = unmatched.stream().filter(Unmatched::include).map(u -> new SpecProblem(
                u.field(), u.pattern(), "matches no " + (u.field().contains(".schemas[") ? "schema" : "table, view "
                + "or sequence") + " in database " + database + " on the source; fix the pattern (unquoted "
                + "letters are lower-cased: quote a name with capitals, \"Orders\"; a table without a schema is "
                + "looked for on the login's search_path), or leave it out")).collect(
                        java.util.stream.Collectors.toCollection(ArrayList::new));
        for (String alone : partitionsAlone) {
            String[] names = alone.split("\t", 2);
            problems.add(new SpecProblem("settings.selection.tables", names[0], "is a partition of " + names[1]
                    + ", which the selection does not take, in database " + database + ": a partition moves with its "
                    + "partitioned table. Select " + names[1] + " too (excludeTables leaves out the partitions not "
                    + "wanted)"));
        }
        for (String outside : outsideSchemas) {
            String[] parts = outside.split(" = ", 2);
            problems.add(new SpecProblem(parts[0], parts[1], "matches only tables in schemas the schema selection "
                    + "(schemas, excludeSchemas) leaves out, in database " + database + ", so it would move none "
                    + "(pg_dump's -t would take them whatever -n and -N say). Select their schemas too, or fix the "
                    + "pattern"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
    }

    /** The table patterns whose every match is in a schema left out, as "field = pattern (schema.name, ...)". */
    public List<String> outsideSchemas() {
        return outsideSchemas;
    }

    /** The partitions a table pattern took without their partitioned table, as "partition (of parent)". */
    public List<String> partitionsAlone() {
        return partitionsAlone.stream().map(a -> a.replace("\t", " (of ") + ")").toList();
    }

    /** The patterns that matched nothing in this database, include patterns and exclusions alike. */
    public List<Unmatched> unmatched() {
        return unmatched;
    }
}
