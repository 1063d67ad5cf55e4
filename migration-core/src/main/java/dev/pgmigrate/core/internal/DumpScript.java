package dev.pgmigrate.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain-format {@code pg_dump} script split into its header settings and its entries, each entry into
 * statements. The lexer knows quotes, dollar quotes and comments, so a function body can never be mistaken for
 * an entry header or a statement end. psql meta-commands ({@code \restrict}, {@code \connect}) are dropped.
 */
public final class DumpScript {
    private static final Pattern HEADER = Pattern.compile("^-- Name: (.*); Type: (.*); Schema: (.*); Owner: (.*)$");

    /**
     * One object of the dump.
     *
     * @param tag pg_dump's tag: the object's name, {@code "table constraint"} for constraints and triggers
     * @param type pg_dump's type, such as {@code "TABLE"}, {@code "INDEX"}, {@code "FK CONSTRAINT"}
     * @param schema the schema, or {@code "-"}
     * @param owner the owner, or empty
     * @param statements the SQL statements, each without its trailing semicolon
     */
    public record Entry(String tag, String type, String schema, String owner, List<String> statements) {
        public Entry {
            statements = List.copyOf(statements);
        }

        /** A copy with other statements. */
        public Entry withStatements(List<String> newStatements) {
            return new Entry(tag, type, schema, owner, newStatements);
        }
    }

    private final List<String> header;
    private final List<Entry> entries;

    private DumpScript(List<String> header, List<Entry> entries) {
        this.header = List.copyOf(header);
        this.entries = List.copyOf(entries);
    }

    /** The session settings before the first entry ({@code SET ...}, {@code SELECT pg_catalog.set_config(...)}). */
    public List<String> header() {
        return header;
    }

    public List<Entry> entries() {
        return entries;
    }

    public static DumpScript parse(String script) {
        boolean[] code = codeBefore(script);
        List<String> header = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        String[] current = null;
        StringBuilder sql = new StringBuilder();
        int pos = 0;
        while (pos < script.length()) {
            int end = script.indexOf('\n', pos);
            int next = end < 0 ? script.length() : end + 1;
            String line = script.substring(pos, end < 0 ? script.length() : end);
            if (code[pos]) {
                if (line.startsWith("\\")) {
                    pos = next;
                    continue; // a psql meta-command such as \restrict; not SQL
                }
                if (line.equals("--")) {
                    int line2End = script.indexOf('\n', next);
                    int line3End = line2End < 0 ? -1 : script.indexOf('\n', line2End + 1);
                    if (line2End > 0) {
                        String second = script.substring(next, line2End);
                        String third = script.substring(line2End + 1, line3End < 0 ? script.length() : line3End);
                        Matcher m = HEADER.matcher(second);
                        if (third.equals("--") && m.matches()) {
                            finish(current, sql, header, entries);
                            current = new String[] {m.group(1), m.group(2), m.group(3), m.group(4)};
                            sql.setLength(0);
                            pos = line3End < 0 ? script.length() : line3End + 1;
                            continue;
                        }
                    }
                }
            }
            sql.append(script, pos, next);
            pos = next;
        }
        finish(current, sql, header, entries);
        return new DumpScript(header, entries);
    }

    private static void finish(String[] current, StringBuilder sql, List<String> header, List<Entry> entries) {
        List<String> statements = statements(sql.toString());
        if (current == null) {
            header.addAll(statements);
        } else if (!statements.isEmpty()) {
            entries.add(new Entry(current[0], current[1], current[2], current[3], statements));
        }
    }

    /** Splits SQL text into statements at semicolons outside quotes and comments; drops comment-only pieces. */
    public static List<String> statements(String sql) {
        boolean[] code = codeBefore(sql);
        List<String> statements = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < sql.length(); i++) {
            if (code[i] && sql.charAt(i) == ';') {
                add(statements, sql.substring(start, i), code, start);
                start = i + 1;
            }
        }
        add(statements, sql.substring(start), code, start);
        return statements;
    }

    private static void add(List<String> statements, String piece, boolean[] code, int offset) {
        boolean hasCode = false;
        for (int i = 0; i < piece.length() && !hasCode; i++) {
            char c = piece.charAt(i);
            // A quote opens in code state; any non-blank code character or quote makes the piece real SQL.
            hasCode = code[offset + i] && !Character.isWhitespace(c) && !(c == '-' && i + 1 < piece.length()
                    && piece.charAt(i + 1) == '-') && !(c == '/' && i + 1 < piece.length() && piece.charAt(i + 1) == '*');
        }
        if (hasCode) {
            statements.add(stripLeadingComments(piece));
        }
    }

    private static String stripLeadingComments(String piece) {
        String s = piece.strip();
        while (s.startsWith("--")) {
            int nl = s.indexOf('\n');
            s = nl < 0 ? "" : s.substring(nl + 1).strip();
        }
        return s;
    }

    /**
     * For each position of {@code s}, whether the lexer is in plain code (not inside a string, quoted
     * identifier, dollar quote or comment) just before that character.
     */
    static boolean[] codeBefore(String s) {
        boolean[] code = new boolean[s.length() + 1];
        int i = 0;
        int state = 0; // 0 code, 1 'string', 2 E'string', 3 "ident", 4 $tag$, 5 -- comment, 6 /* comment */
        String tag = null;
        int depth = 0;
        while (i < s.length()) {
            code[i] = state == 0;
            char c = s.charAt(i);
            char next = i + 1 < s.length() ? s.charAt(i + 1) : '\0';
            int advance = 1;
            switch (state) {
                case 0 -> {
                    if (c == '\'') {
                        state = isEscapeStringStart(s, i) ? 2 : 1;
                    } else if (c == '"') {
                        state = 3;
                    } else if (c == '-' && next == '-') {
                        state = 5;
                        advance = 2;
                    } else if (c == '/' && next == '*') {
                        state = 6;
                        depth = 1;
                        advance = 2;
                    } else if (c == '$' && (i == 0 || !isIdentChar(s.charAt(i - 1)))) {
                        int end = i + 1;
                        while (end < s.length() && (Character.isLetter(s.charAt(end)) || s.charAt(end) == '_'
                                || (end > i + 1 && Character.isDigit(s.charAt(end))))) {
                            end++;
                        }
                        if (end < s.length() && s.charAt(end) == '$') {
                            tag = s.substring(i, end + 1);
                            state = 4;
                            advance = tag.length();
                        }
                    }
                }
                case 1, 3 -> {
                    char quote = state == 1 ? '\'' : '"';
                    if (c == quote) {
                        if (next == quote) {
                            advance = 2;
                        } else {
                            state = 0;
                        }
                    }
                }
                case 2 -> {
                    if (c == '\\') {
                        advance = 2;
                    } else if (c == '\'') {
                        if (next == '\'') {
                            advance = 2;
                        } else {
                            state = 0;
                        }
                    }
                }
                case 4 -> {
                    if (c == '$' && s.startsWith(tag, i)) {
                        state = 0;
                        advance = tag.length();
                    }
                }
                case 5 -> {
                    if (c == '\n') {
                        state = 0;
                    }
                }
                case 6 -> {
                    if (c == '/' && next == '*') {
                        depth++;
                        advance = 2;
                    } else if (c == '*' && next == '/') {
                        depth--;
                        advance = 2;
                        if (depth == 0) {
                            state = 0;
                        }
                    }
                }
                default -> throw new IllegalStateException("lexer state " + state);
            }
            for (int k = 1; k < advance && i + k < s.length(); k++) {
                code[i + k] = false;
            }
            i += advance;
        }
        code[s.length()] = state == 0;
        return code;
    }

    private static boolean isEscapeStringStart(String s, int quote) {
        if (quote == 0) {
            return false;
        }
        char prev = s.charAt(quote - 1);
        if (prev != 'E' && prev != 'e') {
            return false;
        }
        return quote < 2 || !isIdentChar(s.charAt(quote - 2));
    }

    private static boolean isIdentChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
}
