package dev.pgmigrate.core.internal.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits SQL text into statements where psql would: at a semicolon outside string constants ({@code '...'},
 * {@code E'...'}, {@code U&'...'}, and backslash escapes in plain strings while {@code standard_conforming_strings}
 * is off), quoted identifiers, dollar quotes with any tag, comments ({@code --} and nested {@code /* *}{@code /}),
 * parentheses (a rule's several actions) and the {@code BEGIN ATOMIC ... END} body of a SQL-standard function or
 * procedure, with {@code CASE ... END} inside. psql meta-commands ({@code \connect}, {@code \restrict}) are not SQL
 * and are dropped; the lines after {@code COPY ... FROM stdin}, up to a line {@code \.}, are its data. The one lexer
 * of the project: the engine splits pg_dump's scripts with it, the testkit its fixtures.
 */
public final class SqlLexer {
    private static final Pattern COPY_FROM_STDIN = Pattern.compile("(?is)^COPY\\s.+\\sFROM\\s+stdin\\b.*");
    private static final Pattern STANDARD_STRINGS = Pattern.compile("(?is)^set\\s+(?:session\\s+|local\\s+)?"
            + "standard_conforming_strings\\s*(?:=|to)\\s*'?(on|off|true|false|yes|no|1|0)'?$");

    /**
     * One statement.
     *
     * @param leading what came before it since the previous statement: blank space and comments (pg_dump's entry
     *     headers among them)
     * @param text the statement without its semicolon, leading comments and surrounding blank space
     * @param copyData for {@code COPY ... FROM stdin}, the data lines up to (not including) {@code \.}, each ending
     *     in a newline; else empty
     */
    public record Statement(String leading, String text, Optional<String> copyData) {
    }

    private final String s;
    private int i;
    private boolean standardStrings = true;
    private final List<Statement> statements = new ArrayList<>();
    private final StringBuilder leading = new StringBuilder();
    private final StringBuilder text = new StringBuilder();
    private boolean inStatement;
    private int parens;
    private int atomicDepth;
    /** The statement's first few words, lower case: to know a function or procedure definition. */
    private final List<String> firstWords = new ArrayList<>(4);
    private String previousWord = "";

    private SqlLexer(String s) {
        this.s = s;
    }

    /**
     * The statements of {@code sql}, in order; a last statement without a semicolon counts too.
     *
     * @throws IllegalArgumentException if a quote, comment, dollar quote or COPY block is not closed
     */
    public static List<Statement> split(String sql) {
        SqlLexer lexer = new SqlLexer(sql);
        lexer.run();
        return lexer.statements;
    }

    private void run() {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            char next = i + 1 < n ? s.charAt(i + 1) : '\0';
            if (Character.isWhitespace(c)) {
                take(i + 1, false);
            } else if (c == '-' && next == '-') {
                int end = s.indexOf('\n', i);
                take(end < 0 ? n : end, false);
            } else if (c == '/' && next == '*') {
                take(blockCommentEnd(), false);
            } else if (c == '\\') {
                // A psql meta-command runs to the end of its line.
                int end = s.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (c == ';' && parens == 0 && atomicDepth == 0) {
                i++;
                finishStatement();
            } else {
                token(c, next);
            }
        }
        finishStatement();
    }

    /** Appends {@code s[i, end)} to the statement or, before its first token, to what leads up to it. */
    private void take(int end, boolean code) {
        if (code) {
            inStatement = true;
        }
        (inStatement ? text : leading).append(s, i, end);
        i = end;
    }

    private void token(char c, char next) {
        if (c == '\'') {
            take(stringEnd(i, !standardStrings), true);
            previousWord = "";
        } else if (c == '"') {
            take(quotedEnd(i, '"'), true);
            previousWord = "";
        } else if (c == '$' && dollarTagEnd(i) > 0) {
            int tagEnd = dollarTagEnd(i);
            String tag = s.substring(i, tagEnd);
            int close = s.indexOf(tag, tagEnd);
            if (close < 0) {
                throw new IllegalArgumentException("Unclosed dollar quote " + tag + " at offset " + i);
            }
            take(close + tag.length(), true);
            previousWord = "";
        } else if (isIdentStart(c)) {
            word();
        } else {
            if (c == '(') {
                parens++;
            } else if (c == ')' && parens > 0) {
                parens--;
            }
            take(i + 1, true);
            previousWord = "";
        }
    }

    private void word() {
        int start = i;
        int end = start + 1;
        while (end < s.length() && isIdentPart(s.charAt(end))) {
            end++;
        }
        String word = s.substring(start, end);
        char after = end < s.length() ? s.charAt(end) : '\0';
        if (after == '\'' && word.length() == 1) {
            char prefix = Character.toLowerCase(word.charAt(0));
            if (prefix == 'e') {
                take(stringEnd(end, true), true); // E'...': backslash escapes whatever the setting
                previousWord = "";
                return;
            }
            if (prefix == 'b' || prefix == 'x' || prefix == 'n') {
                take(stringEnd(end, prefix == 'n' && !standardStrings), true);
                previousWord = "";
                return;
            }
        }
        if (word.equalsIgnoreCase("u") && after == '&' && end + 1 < s.length()
                && (s.charAt(end + 1) == '\'' || s.charAt(end + 1) == '"')) {
            // U&'...' and U&"...": escapes are the server's business; quotes double as usual.
            take(quotedEnd(end + 1, s.charAt(end + 1)), true);
            previousWord = "";
            return;
        }
        take(end, true);
        String lower = word.toLowerCase(Locale.ROOT);
        if (firstWords.size() < 4) {
            firstWords.add(lower);
        }
        if (parens == 0 && definesRoutine()) {
            if (lower.equals("atomic") && previousWord.equals("begin")) {
                atomicDepth++;
            } else if (atomicDepth > 0 && lower.equals("case")) {
                atomicDepth++;
            } else if (atomicDepth > 0 && lower.equals("end")) {
                atomicDepth--;
            }
        }
        previousWord = lower;
    }

    /** CREATE [OR REPLACE] FUNCTION or PROCEDURE: the statements that may hold a BEGIN ATOMIC body. */
    private boolean definesRoutine() {
        if (firstWords.size() < 2 || !firstWords.get(0).equals("create")) {
            return false;
        }
        String kind = firstWords.get(1).equals("or") && firstWords.size() >= 4 ? firstWords.get(3) : firstWords.get(1);
        return kind.equals("function") || kind.equals("procedure");
    }

    private void finishStatement() {
        if (inStatement) {
            String statement = text.toString().strip();
            Optional<String> data = Optional.empty();
            if (COPY_FROM_STDIN.matcher(statement).matches()) {
                data = Optional.of(copyData(statement));
            }
            statements.add(new Statement(leading.toString(), statement, data));
            Matcher m = STANDARD_STRINGS.matcher(statement);
            if (m.matches()) {
                String v = m.group(1).toLowerCase(Locale.ROOT);
                standardStrings = v.equals("on") || v.equals("true") || v.equals("yes") || v.equals("1");
            }
        }
        leading.setLength(0);
        text.setLength(0);
        inStatement = false;
        parens = 0;
        atomicDepth = 0;
        firstWords.clear();
        previousWord = "";
    }

    /** The lines from the next line up to a line {@code \.}, which ends them; moves past that line. */
    private String copyData(String statement) {
        int nl = s.indexOf('\n', i);
        int start = nl < 0 ? s.length() : nl + 1;
        int line = start;
        while (line < s.length()) {
            int end = s.indexOf('\n', line);
            String content = s.substring(line, end < 0 ? s.length() : end);
            if (content.equals("\\.") || content.equals("\\.\r")) {
                i = end < 0 ? s.length() : end + 1;
                return s.substring(start, line);
            }
            line = end < 0 ? s.length() : end + 1;
        }
        throw new IllegalArgumentException("COPY data without a closing \\. line: " + statement);
    }

    /** The end of a string constant whose quote is at {@code quote}; {@code escapes}: a backslash escapes. */
    private int stringEnd(int quote, boolean escapes) {
        int j = quote + 1;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (escapes && c == '\\') {
                j += 2;
            } else if (c == '\'') {
                if (j + 1 < s.length() && s.charAt(j + 1) == '\'') {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        throw new IllegalArgumentException("Unclosed ' quote at offset " + quote);
    }

    private int quotedEnd(int quote, char q) {
        int j = quote + 1;
        while (j < s.length()) {
            if (s.charAt(j) == q) {
                if (j + 1 < s.length() && s.charAt(j + 1) == q) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        throw new IllegalArgumentException("Unclosed " + q + " quote at offset " + quote);
    }

    private int blockCommentEnd() {
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

    /** The end of a dollar-quote tag ({@code $$}, {@code $body$}) starting at {@code at}, or -1. */
    private int dollarTagEnd(int at) {
        int j = at + 1;
        if (j < s.length() && s.charAt(j) == '$') {
            return j + 1;
        }
        if (j >= s.length() || !isIdentStart(s.charAt(j))) {
            return -1; // $1, a positional parameter, or a lone $
        }
        while (j < s.length() && (isIdentStart(s.charAt(j)) || Character.isDigit(s.charAt(j)))) {
            j++;
        }
        return j < s.length() && s.charAt(j) == '$' ? j + 1 : -1;
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
    }
}
