package dev.pgmigrate.validators;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small JDBC helpers shared by the validators: one prepared statement per call, always closed. */
final class Sql {
    /** Skips user-invisible schemas; use with a {@code pg_namespace} aliased {@code n}. */
    static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'";

    /** FirstNormalObjectId: objects with a smaller oid come with initdb. */
    static final int FIRST_USER_OID = 16384;

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private Sql() {
    }

    /** {@code NOT EXISTS} clause saying the object {@code alias.oid} of {@code catalog} is no extension member. */
    /** A string literal, as the server reads it with standard_conforming_strings on (the default since 9.1). */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    static String notExtensionMember(String catalog, String alias) {
        return "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" + catalog + "'::regclass AND d.objid = "
                + alias + ".oid AND d.deptype = 'e')";
    }

    static <T> List<T> list(Connection connection, String sql, RowMapper<T> mapper, Object... params)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
                return rows;
            }
        }
    }

    /** The first column of every row, as text. */
    static List<String> strings(Connection connection, String sql, Object... params) throws SQLException {
        return list(connection, sql, rs -> rs.getString(1), params);
    }

    /** The first column of the first row, as text; empty when there is no row or it is NULL. */
    static Optional<String> string(Connection connection, String sql, Object... params) throws SQLException {
        return strings(connection, sql, params).stream().filter(s -> s != null).findFirst();
    }

    /** The first column of the only row, as a number; 0 for NULL. */
    static long number(Connection connection, String sql, Object... params) throws SQLException {
        List<Long> values = list(connection, sql, rs -> rs.getLong(1), params);
        return values.isEmpty() ? 0 : values.get(0);
    }

    /** The first row's first column as a boolean. */
    static boolean bool(Connection connection, String sql, Object... params) throws SQLException {
        List<Boolean> values = list(connection, sql, rs -> rs.getBoolean(1), params);
        return !values.isEmpty() && values.get(0);
    }

    /** Two text columns as an ordered map, the first as key. */
    static Map<String, String> pairs(Connection connection, String sql, Object... params) throws SQLException {
        Map<String, String> map = new LinkedHashMap<>();
        for (String[] row : list(connection, sql, rs -> new String[] {rs.getString(1), rs.getString(2)}, params)) {
            map.put(row[0], row[1]);
        }
        return map;
    }

    /** A Java list as a PostgreSQL {@code text[]} parameter. */
    static java.sql.Array textArray(Connection connection, List<String> values) throws SQLException {
        return connection.createArrayOf("text", values.toArray());
    }
}
