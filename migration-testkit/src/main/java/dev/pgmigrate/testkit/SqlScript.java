package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import java.io.StringReader;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A SQL script as {@code psql} would run it, without needing {@code psql}: plain-format {@code pg_dump} output and
 * hand-written fixtures.
 *
 * <p>Statements end at a {@code ;} outside quotes, comments and dollar-quoted bodies. A {@code COPY ... FROM stdin}
 * statement takes the lines after it, up to a line {@code \.}, as its data. Lines starting with a backslash where a
 * statement would begin are psql meta-commands ({@code \connect}, {@code \restrict}, ...) and are skipped.
 *
 * <p>{@code SqlScript.parse(text).execute(connection)}
 *
 * @since 0.1
 */
@Experimental
public final class SqlScript {
    private static final Pattern COPY_FROM_STDIN =
            Pattern.compile("(?is)^\\s*COPY\\s.+\\sFROM\\s+stdin\\b.*");

    /**
     * One statement of a script.
     *
     * @param sql the statement's text, without its terminating {@code ;}
     * @param copyData for {@code COPY ... FROM stdin}, the data lines up to (not including) {@code \.}, each ending
     *     in a newline; else empty
     * @since 0.1
     */
    public record Command(String sql, Optional<String> copyData) {
        public Command {
            requireNonNull(sql, "sql must not be null");
            requireNonNull(copyData, "copyData must not be null");
        }
    }

    private final List<Command> commands;

    private SqlScript(List<Command> commands) {
        this.commands = List.copyOf(commands);
    }

    /** The statements of a script, in order. */
    public List<Command> commands() {
        return commands;
    }

    /**
     * Runs every statement on {@code connection}, in order, in its current transaction mode, feeding
     * {@code COPY} data through the driver's copy API.
     *
     * @return the number of statements run
     * @throws SQLException of the first statement that fails; the message names the statement's start
     */
    public int execute(Connection connection) throws SQLException {
        requireNonNull(connection, "connection must not be null");
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        try (Statement statement = connection.createStatement()) {
            for (Command command : commands) {
                try {
                    if (command.copyData().isPresent()) {
                        copy.copyIn(command.sql(), new StringReader(command.copyData().get()));
                    } else {
                        statement.execute(command.sql());
                    }
                } catch (SQLException e) {
                    String head = command.sql().length() > 120 ? command.sql().substring(0, 120) + "..."
                            : command.sql();
                    throw new SQLException("Script statement failed: " + head + "\n" + e.getMessage(),
                            e.getSQLState(), e);
                } catch (IOException e) {
                    throw new SQLException("Cannot feed COPY data for: " + command.sql(), "58030", e);
                }
            }
        }
        return commands.size();
    }

    /**
     * Splits a script into statements.
     *
     * @throws IllegalArgumentException if a quote, comment, dollar-quoted body or COPY block is not closed
     */
    public static SqlScript parse(String script) {
        requireNonNull(script, "script must not be null");
        List<Command> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        int n = script.length();
        while (i < n) {
            char c = script.charAt(i);
            if (current.toString().isBlank() && c == '\\' && atLineStart(script, i)) {
                i = endOfLine(script, i); // a psql meta-command
                current.setLength(0);
                continue;
            }
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int end = endOfLine(script, i);
                if (!current.toString().isBlank()) {
                    current.append('\n');
                }
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                i = skipBlockComment(script, i);
                current.append(' ');
                continue;
            }
            if (c == '\'') {
                boolean escapes = i > 0 && (script.charAt(i - 1) == 'E' || script.charAt(i - 1) == 'e')
                        && (i < 2 || !Character.isLetterOrDigit(script.charAt(i - 2)) && script.charAt(i - 2) != '_');
                int end = skipQuoted(script, i, '\'', escapes);
                current.append(script, i, end);
                i = end;
                continue;
            }
            if (c == '"') {
                int end = skipQuoted(script, i, '"', false);
                current.append(script, i, end);
                i = end;
                continue;
            }
            if (c == '$') {
                String tag = dollarTag(script, i);
                if (tag != null) {
                    int close = script.indexOf(tag, i + tag.length());
                    if (close < 0) {
                        throw new IllegalArgumentException("Unclosed dollar quote " + tag + " at offset " + i);
                    }
                    int end = close + tag.length();
                    current.append(script, i, end);
                    i = end;
                    continue;
                }
            }
            if (c == ';') {
                String sql = current.toString().trim();
                current.setLength(0);
                i++;
                if (sql.isEmpty()) {
                    continue;
                }
                if (COPY_FROM_STDIN.matcher(sql).matches()) {
                    int dataStart = endOfLine(script, i);
                    dataStart = dataStart < n ? dataStart + 1 : n;
                    int terminator = findCopyEnd(script, dataStart);
                    if (terminator < 0) {
                        throw new IllegalArgumentException("COPY data without a closing \\. line: " + sql);
                    }
                    commands.add(new Command(sql, Optional.of(script.substring(dataStart, terminator))));
                    i = endOfLine(script, terminator);
                } else {
                    commands.add(new Command(sql, Optional.empty()));
                }
                continue;
            }
            current.append(c);
            i++;
        }
        if (!current.toString().isBlank()) {
            commands.add(new Command(current.toString().trim(), Optional.empty()));
        }
        return new SqlScript(commands);
    }

    private static boolean atLineStart(String s, int i) {
        int j = i - 1;
        while (j >= 0 && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
            j--;
        }
        return j < 0 || s.charAt(j) == '\n' || s.charAt(j) == '\r';
    }

    /** The index of the newline ending the line that holds {@code i}, or the script's length. */
    private static int endOfLine(String s, int i) {
        int nl = s.indexOf('\n', i);
        return nl < 0 ? s.length() : nl;
    }

    private static int findCopyEnd(String s, int from) {
        int lineStart = from;
        while (lineStart < s.length()) {
            int end = endOfLine(s, lineStart);
            String line = s.substring(lineStart, end);
            if (line.equals("\\.") || line.equals("\\.\r")) {
                return lineStart;
            }
            lineStart = end + 1;
        }
        return -1;
    }

    private static int skipBlockComment(String s, int i) {
        int depth = 0;
        int j = i;
        while (j < s.length()) {
            if (s.startsWith("/*", j)) {
                depth++;
                j += 2;
            } else if (s.startsWith("*/", j)) {
                depth--;
                j += 2;
                if (depth == 0) {
                    return j;
                }
            } else {
                j++;
            }
        }
        throw new IllegalArgumentException("Unclosed block comment at offset " + i);
    }

    private static int skipQuoted(String s, int i, char quote, boolean backslashEscapes) {
        int j = i + 1;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (backslashEscapes && c == '\\') {
                j += 2;
                continue;
            }
            if (c == quote) {
                if (j + 1 < s.length() && s.charAt(j + 1) == quote) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        throw new IllegalArgumentException("Unclosed " + quote + " quote at offset " + i);
    }

    /** The dollar-quote tag starting at {@code i}, such as {@code "$$"} or {@code "$body$"}, or null if none. */
    private static String dollarTag(String s, int i) {
        if (i > 0) {
            char before = s.charAt(i - 1);
            if (Character.isLetterOrDigit(before) || before == '_' || before == '$') {
                return null; // part of an identifier such as a$b
            }
        }
        int j = i + 1;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '$') {
                return s.substring(i, j + 1);
            }
            boolean ok = Character.isLetter(c) || c == '_' || (j > i + 1 && Character.isDigit(c));
            if (!ok) {
                return null; // $1 positional parameter, or a lone $
            }
            j++;
        }
        return null;
    }

    @Override
    public String toString() {
        return "SqlScript of " + commands.size() + " statements";
    }
}
