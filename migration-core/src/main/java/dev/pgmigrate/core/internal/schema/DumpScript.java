package dev.pgmigrate.core.internal.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain-format {@code pg_dump} script split into its header settings and its entries, each entry into
 * statements. {@link SqlLexer} finds where statements end, so a function body, a rule's several actions or a
 * {@code BEGIN ATOMIC} body is never cut; an entry starts at pg_dump's header comment ({@code -- Name: ...; Type:
 * ...}) found between two statements, never inside one.
 */
public final class DumpScript {
    private static final Pattern HEADER = Pattern.compile(
            "(?m)^--\\r?\\n-- Name: (.*); Type: (.*); Schema: (.*); Owner: (.*)\\r?\\n--$");

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

    /** The same header with other entries. */
    public DumpScript withEntries(List<Entry> newEntries) {
        return new DumpScript(header, newEntries);
    }

    public static DumpScript parse(String script) {
        List<String> header = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        String[] current = null;
        List<String> statements = new ArrayList<>();
        for (SqlLexer.Statement statement : SqlLexer.split(script)) {
            Matcher m = HEADER.matcher(statement.leading());
            String[] found = null;
            while (m.find()) {
                found = new String[] {m.group(1), m.group(2), m.group(3), m.group(4)};
            }
            if (found != null) {
                finish(current, statements, header, entries);
                current = found;
                statements = new ArrayList<>();
            }
            statements.add(statement.text());
        }
        finish(current, statements, header, entries);
        return new DumpScript(header, entries);
    }

    private static void finish(String[] current, List<String> statements, List<String> header, List<Entry> entries) {
        if (current == null) {
            header.addAll(statements);
        } else if (!statements.isEmpty()) {
            entries.add(new Entry(current[0], current[1], current[2], current[3], statements));
        }
    }

    /** Splits SQL text into statements, each without its semicolon; comments and blank space before each dropped. */
    public static List<String> statements(String sql) {
        return SqlLexer.split(sql).stream().map(SqlLexer.Statement::text).toList();
    }
}
