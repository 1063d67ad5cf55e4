package dev.pgmigrate.core.internal.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Small SQL helpers: quoting, one-line queries, and statements and errors shortened for notes. */
public final class Sql {
    private Sql() {
    }

    /** Quotes an identifier, doubling embedded quotes. */
    public static String ident(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an identifier cannot hold a NUL character");
        }
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** {@code "schema"."name"}. */
    public static String qualified(String schema, String name) {
        return ident(schema) + "." + ident(name);
    }

    /** Quotes a string literal the way the server reads it with standard_conforming_strings on or off. */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a string literal cannot hold a NUL character");
        }
        String doubled = value.replace("'", "''");
        return value.indexOf('\\') >= 0 ? "E'" + doubled.replace("\\", "\\\\") + "'" : "'" + doubled + "'";
    }

    public static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw located(c, e);
        }
    }

    /**
     * Runs {@code sql} as {@link #execute} does, and returns the warnings the server sent meanwhile, such as a
     * {@code GRANT} that granted nothing (SQLState 01007).
     */
    public static List<SQLWarning> executeForWarnings(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
            List<SQLWarning> warnings = new ArrayList<>();
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                warnings.add(w);
            }
            return warnings;
        } catch (SQLException e) {
            throw located(c, e);
        }
    }

    /** A statement's error, with the server and database it ran on: the driver's message names neither. */
    public static final class LocatedError extends SQLException {
        private static final long serialVersionUID = 1L;
        private final String where;
        private final boolean login;

        LocatedError(SQLException cause, String where) {
            this(cause, where, false);
        }

        private LocatedError(SQLException cause, String where, boolean login) {
            super(cause.getMessage() + " [on " + where + "]", cause.getSQLState(), cause.getErrorCode(), cause);
            this.where = where;
            this.login = login;
        }

        /** {@code host:port/database}. */
        public String where() {
            return where;
        }

        /** Whether the server refused or failed the login, before any statement. */
        public boolean login() {
            return login;
        }
    }

    /** {@code e}, from logging in to {@code where} ({@code host:port/database}), naming it. */
    static SQLException loginFailed(String where, SQLException e) {
        return new LocatedError(e, where, true);
    }

    /** {@code e}, naming the server and database of {@code c} (no secret: the URL holds none). */
    static SQLException located(Connection c, SQLException e) {
        if (e instanceof LocatedError) {
            return e;
        }
        try {
            String url = c instanceof org.postgresql.jdbc.PgConnection pg ? pg.getURL()
                    : c.getMetaData().getURL();
            String where = java.net.URLDecoder.decode(url.replaceFirst("^jdbc:postgresql://", "")
                    .replaceFirst("\\?.*$", ""), java.nio.charset.StandardCharsets.UTF_8);
            return new LocatedError(e, where);
        } catch (SQLException | RuntimeException unknown) {
            return e; // a closed connection no longer says where it went
        }
    }

    /** Every row of a query with string parameters, each row as strings. */
    public static List<String[]> rows(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                List<String[]> rows = new ArrayList<>();
                while (rs.next()) {
                    String[] row = new String[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = rs.getString(i + 1);
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw located(c, e);
        }
    }

    /** The first column of the first row, or {@code null}. */
    public static String one(Connection c, String sql, String... params) throws SQLException {
        List<String[]> rows = rows(c, sql, params);
        return rows.isEmpty() ? null : rows.get(0)[0];
    }

    /**
     * Whether {@code e} says the session itself is gone: its connection broke or was closed (SQLState class 08), or
     * the server ended it for a shutdown or restart, or refused it while starting up (57P01-57P03). The statement
     * may not have run; a new session may succeed.
     */
    public static boolean sessionLost(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") && !state.equals("08004") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03");
    }

    /** The first line of an error message, for a note: the lines after it (DETAIL, HINT) do not fit one. */
    public static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /**
     * A dump statement fit for a message: every quoted value of an {@code OPTIONS (...)} list (a user mapping's
     * password, a server's) and a subscription's {@code CONNECTION} string written {@code '***'}, on one line, cut
     * at 300 characters.
     */
    public static String shown(String sql) {
        return abbreviate(redacted(sql));
    }

    static String redacted(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        String upper = sql.toUpperCase(java.util.Locale.ROOT);
        int depth = 0; // parentheses open since OPTIONS
        boolean masking = false; // inside OPTIONS (...), or right after CONNECTION
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '"') { // a quoted name, copied as it is
                int end = i + 1;
                while (end < sql.length() && !(sql.charAt(end) == '"' && (end + 1 >= sql.length()
                        || sql.charAt(end + 1) != '"'))) {
                    end += sql.charAt(end) == '"' ? 2 : 1;
                }
                out.append(sql, i, Math.min(end + 1, sql.length()));
                i = end;
                continue;
            }
            if (c == '\'') {
                int end = i + 1;
                while (end < sql.length() && !(sql.charAt(end) == '\'' && (end + 1 >= sql.length()
                        || sql.charAt(end + 1) != '\''))) {
                    end += sql.charAt(end) == '\'' ? 2 : 1;
                }
                out.append(masking ? "'***'" : sql.substring(i, Math.min(end + 1, sql.length())));
                i = end;
                if (masking && depth == 0) {
                    masking = false; // CONNECTION's one literal
                }
                continue;
            }
            if (upper.startsWith("OPTIONS", i) || upper.startsWith("CONNECTION", i)) {
                masking = true;
                depth = 0;
            } else if (masking && c == '(') {
                depth++;
            } else if (masking && c == ')' && --depth <= 0) {
                masking = false;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** A statement on one line, cut at 300 characters, for a note or a log line. */
    public static String abbreviate(String sql) {
        String oneLine = sql.replaceAll("\\s+", " ");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }
}
