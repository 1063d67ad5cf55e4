package dev.pgmigrate.validators;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small JDBC helpers shared by the validators: one prepared statement per call, always closed. */
final class Sql {
    /** Skips user-invisible schemas; use with a {@code pg_namespace} aliased {@code n}. */
    static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'";

    /**
     * A relation's name with its schema, each quoted as needed, even when the schema is on the search path; use
     * with a {@code pg_class} aliased {@code c} and a {@code pg_namespace} aliased {@code n}.
     */
    static final String QUALIFIED = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)";

    /** FirstNormalObjectId: objects with a smaller oid come with initdb. */
    static final int FIRST_USER_OID = 16384;

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private Sql() {
    }

    /**
     * {@code " AND oid <> ALL ('{...}')"}: leaves out the relations the spec's selection leaves out of the database
     * being checked; empty when it takes everything.
     *
     * @param oid the expression of a relation's OID, such as {@code "c.oid"}
     */
    static String moved(ValidationContext context, String oid) {
        return notIn(oid, context.leftOut().relations());
    }

    /** As {@link #moved}, also leaving out the tables whose rows stay on the source: for checks about the copy. */
    static String rowsMoved(ValidationContext context, String oid) {
        Set<Long> out = new HashSet<>(context.leftOut().relations());
        out.addAll(context.leftOut().rows());
        return notIn(oid, out);
    }

    /**
     * {@code " AND name <> ALL (...)"}: leaves out the objects of the schemas the spec's selection leaves out of the
     * database being checked; empty when it leaves none out.
     *
     * @param name the expression of an object's schema name, such as {@code "n.nspname"}
     */
    static String schemaMoved(ValidationContext context, String name) {
        Set<String> out = context.leftOut().schemas();
        if (out.isEmpty()) {
            return "";
        }
        return " AND " + name + "::text <> ALL (ARRAY[" + out.stream().sorted().map(Sql::literal)
                .collect(Collectors.joining(", ")) + "]::text[])";
    }

    private static String notIn(String oid, Set<Long> oids) {
        if (oids.isEmpty()) {
            return "";
        }
        return " AND " + oid + " <> ALL ('{" + oids.stream().sorted().map(String::valueOf)
                .collect(Collectors.joining(",")) + "}'::oid[])";
    }

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
