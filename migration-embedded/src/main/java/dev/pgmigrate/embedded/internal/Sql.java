package dev.pgmigrate.embedded.internal;

import dev.pgmigrate.embedded.TestkitSqlException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Small JDBC helpers shared by the server types and the datasets. Internal: promises nothing. */
public final class Sql {
    private Sql() {
    }

    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    public static void execute(ConnectionSource source, String where, String... statements) {
        try (Connection c = source.open(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw failure("execute SQL in " + where, e);
        }
    }

    public static List<List<String>> query(ConnectionSource source, String where, String sql) {
        try (Connection c = source.open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<List<String>> rows = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>(md.getColumnCount());
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                rows.add(Collections.unmodifiableList(row));
            }
            return Collections.unmodifiableList(rows);
        } catch (SQLException e) {
            throw failure("query " + where, e);
        }
    }

    public static String single(List<List<String>> rows, String sql) {
        if (rows.size() != 1 || rows.get(0).size() != 1) {
            throw new IllegalStateException("Expected one row of one column but got " + rows.size() + " rows from: "
                    + sql);
        }
        return rows.get(0).get(0);
    }

    public static TestkitSqlException failure(String what, SQLException e) {
        return new TestkitSqlException("Cannot " + what + ": " + e.getMessage() + " (SQLState " + e.getSQLState()
                + ")", e);
    }

    public static String quoteIdent(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    public static String quoteLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
