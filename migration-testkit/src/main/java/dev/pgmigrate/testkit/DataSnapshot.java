package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.TestServer;
import dev.pgmigrate.embedded.TestkitSqlException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every row of every table of a database, read through JDBC, so that two copies are compared row by row, apart
 * from pgmigrate's own verification: {@code assertThat(DataSnapshot.of(target, db).differences(DataSnapshot.of(
 * source, db))).isEmpty();}
 *
 * <p>Values are compared as the driver reads them, normalised only where server versions print the same value
 * differently: floating-point numbers by value (PostgreSQL 12 changed their text output), everything else by its
 * text under fixed session settings (ISO dates, UTC, hex bytea, C money). Rows are compared as multisets, so order
 * and physical layout do not count; columns are taken by name, so a different column order does not count either.
 * Meant for test databases: every row is held in memory.
 *
 * @since 0.2
 */
@Experimental
public final class DataSnapshot {
    private static final String USER_TABLES = "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON "
            + "n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm') AND c.relispopulated AND n.nspname NOT IN "
            + "('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE "
            + "'pg\\_temp\\_%' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')";

    private final Map<String, List<String>> rows;

    private DataSnapshot(Map<String, List<String>> rows) {
        this.rows = rows;
    }

    /** Reads every table of {@code database} on {@code server}, as its superuser. */
    public static DataSnapshot of(TestServer server, String database) {
        requireNonNull(server, "server must not be null");
        try (Connection c = server.connect(database)) {
            return of(c);
        } catch (SQLException e) {
            throw new TestkitSqlException("Cannot read the rows of " + database + " on " + server, e);
        }
    }

    /** Reads every table through an open connection. */
    public static DataSnapshot of(Connection c) throws SQLException {
        Map<String, List<String>> tables = new TreeMap<>();
        try (Statement s = c.createStatement()) {
            for (String set : List.of("SET extra_float_digits = 3", "SET DateStyle = ISO", "SET TimeZone = 'UTC'",
                    "SET IntervalStyle = postgres", "SET bytea_output = hex", "SET lc_monetary = 'C'")) {
                s.execute(set);
            }
            List<String[]> names = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(USER_TABLES)) {
                while (rs.next()) {
                    names.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] name : names) {
                String qualified = ident(name[0]) + "." + ident(name[1]);
                tables.put(name[0] + "." + name[1], rows(s, qualified));
            }
        }
        return new DataSnapshot(tables);
    }

    private static List<String> rows(Statement s, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT * FROM ONLY " + table)) {
            int columns = rs.getMetaData().getColumnCount();
            List<Integer> byName = new ArrayList<>();
            for (int i = 1; i <= columns; i++) {
                byName.add(i);
            }
            byName.sort((a, b) -> {
                try {
                    return rs.getMetaData().getColumnName(a).compareTo(rs.getMetaData().getColumnName(b));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i : byName) {
                    row.append(rs.getMetaData().getColumnName(i)).append('=').append(value(rs, i)).append('\u0001');
                }
                rows.add(row.toString());
            }
        }
        Collections.sort(rows);
        return rows;
    }

    private static String value(ResultSet rs, int column) throws SQLException {
        String text = rs.getString(column);
        if (text == null) {
            return "NULL";
        }
        String type = rs.getMetaData().getColumnTypeName(column);
        if (type.equals("float8") || type.equals("float4")) {
            // Parsed from text: 9.6's 17 digits and 12's shortest form read alike.
            return type.equals("float8") ? Double.toString(rs.getDouble(column)) : Float.toString(rs.getFloat(column));
        }
        return text;
    }

    private static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** Every table with its rows, each as {@code column=value} pairs by column name, sorted. */
    public Map<String, List<String>> rows() {
        return Collections.unmodifiableMap(rows);
    }

    /**
     * What differs from {@code expected}: a table missing or extra, or one line per table whose rows differ,
     * with the counts and the first row that differs.
     */
    public List<String> differences(DataSnapshot expected) {
        requireNonNull(expected, "expected must not be null");
        List<String> out = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>(rows.keySet());
        names.addAll(expected.rows.keySet());
        for (String name : names) {
            List<String> mine = rows.get(name);
            List<String> theirs = expected.rows.get(name);
            if (mine == null) {
                out.add("missing table " + name + " (" + theirs.size() + " rows)");
            } else if (theirs == null) {
                out.add("extra table " + name + " (" + mine.size() + " rows)");
            } else if (!mine.equals(theirs)) {
                out.add("rows of " + name + " differ: " + theirs.size() + " expected, " + mine.size() + " here; "
                        + firstDifference(theirs, mine));
            }
        }
        return out;
    }

    private static String firstDifference(List<String> expected, List<String> actual) {
        Map<String, Integer> counts = new java.util.HashMap<>();
        expected.forEach(r -> counts.merge(r, 1, Integer::sum));
        actual.forEach(r -> counts.merge(r, -1, Integer::sum));
        List<String> missing = counts.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .sorted().toList();
        List<String> extra = counts.entrySet().stream().filter(e -> e.getValue() < 0).map(Map.Entry::getKey)
                .sorted().toList();
        return (missing.isEmpty() ? "" : "missing <" + missing.get(0).replace('\u0001', ' ').strip() + ">")
                + (missing.isEmpty() || extra.isEmpty() ? "" : ", ")
                + (extra.isEmpty() ? "" : "extra <" + extra.get(0).replace('\u0001', ' ').strip() + ">");
    }
}
