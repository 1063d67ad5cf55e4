package dev.pgmigrate.core.internal.schema;

import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.util.ArrayList;
import java.util.List;

/**
 * Dump entries and the statements of each to run, gathered to be sent to the target in one round trip, which the
 * server runs as one transaction (see {@link SchemaRestore#preData}).
 */
final class StatementBatch {
    static final int MAX_STATEMENTS = 200;
    static final int MAX_CHARS = 256 * 1024;

    private final List<Entry> entries = new ArrayList<>();
    private final List<List<String>> statements = new ArrayList<>();
    private int count;
    private int chars;

    void add(Entry entry, List<String> runnable) {
        entries.add(entry);
        statements.add(runnable);
        count += runnable.size();
        for (String statement : runnable) {
            chars += statement.length();
        }
    }

    boolean full() {
        return count >= MAX_STATEMENTS || chars >= MAX_CHARS;
    }

    /** How many statements the batch holds. */
    int count() {
        return count;
    }

    /** How many entries the batch holds. */
    int size() {
        return entries.size();
    }

    Entry entry(int i) {
        return entries.get(i);
    }

    List<String> statements(int i) {
        return statements.get(i);
    }

    /** The statements as one script: a newline before each semicolon ends a comment a statement ends with. */
    String script() {
        List<String> all = new ArrayList<>(count);
        statements.forEach(all::addAll);
        return script(all);
    }

    /** {@code statements} as one script, as {@link #script()}. */
    static String script(List<String> statements) {
        return String.join("\n;\n", statements);
    }

    void clear() {
        entries.clear();
        statements.clear();
        count = 0;
        chars = 0;
    }
}
