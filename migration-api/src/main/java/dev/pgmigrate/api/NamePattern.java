package dev.pgmigrate.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A name pattern as {@code pg_dump -n/-N/-t/-T} and psql's {@code \d} read it, turned into the regular expressions
 * PostgreSQL matches names with, as pg_dump turns it: {@code *} is any text and {@code ?} one character, unquoted
 * letters are lower-cased, double quotes keep case and make every character literal ({@code ""} is one quote), an
 * unquoted {@code .} separates schema from name, {@code $} is always literal, and other regular expression
 * characters outside quotes keep their meaning. Each expression is anchored, {@code ^(...)$}.
 *
 * <p>{@code NamePattern.table("app.Order*")} has the schema expression {@code ^(app)$} and the name expression
 * {@code ^(order.*)$}. A table pattern without a schema matches only tables visible on the login's default
 * {@code search_path}, as pg_dump's does.
 *
 * @param pattern the pattern as the user wrote it
 * @param schemaRegex the expression a schema name must match; for a table pattern, empty when it names no schema
 * @param nameRegex the expression the object's name must match; for a schema pattern, the schema's
 * @since 0.2
 */
@Experimental
public record NamePattern(String pattern, Optional<String> schemaRegex, String nameRegex) {
    /** What pg_dump's {@code *} becomes; a part that is only this matches every name. */
    public static final String ANY = "^(.*)$";

    public NamePattern {
        Objects.requireNonNull(pattern, "pattern must not be null");
        Objects.requireNonNull(schemaRegex, "schemaRegex must not be null");
        Objects.requireNonNull(nameRegex, "nameRegex must not be null");
    }

    /**
     * A table pattern ({@code -t}, {@code -T}): {@code name} or {@code schema.name}.
     *
     * @throws IllegalArgumentException saying what is wrong with it and how to write it
     */
    public static NamePattern table(String pattern) {
        List<String> parts = parts(pattern);
        if (parts.size() > 2) {
            throw new IllegalArgumentException("has " + (parts.size() - 1) + " unquoted dots; write name or "
                    + "schema.name (pgmigrate applies each pattern to every database it migrates, so a database "
                    + "name is left out), and quote a dot that is part of a name: \"my.table\"");
        }
        return parts.size() == 2 ? new NamePattern(pattern, Optional.of(parts.get(0)), parts.get(1))
                : new NamePattern(pattern, Optional.empty(), parts.get(0));
    }

    /**
     * A schema pattern ({@code -n}, {@code -N}).
     *
     * @throws IllegalArgumentException saying what is wrong with it and how to write it
     */
    public static NamePattern schema(String pattern) {
        List<String> parts = parts(pattern);
        if (parts.size() > 1) {
            throw new IllegalArgumentException("a schema pattern has no unquoted dot (pgmigrate applies each pattern "
                    + "to every database it migrates, so a database name is left out); quote a dot that is part of "
                    + "the name: \"my.schema\"");
        }
        return new NamePattern(pattern, Optional.empty(), parts.get(0));
    }

    /** Whether the name part matches every name, as {@code *} does. */
    public boolean anyName() {
        return nameRegex.equals(ANY);
    }

    /** Whether the schema part, when there is one, matches every schema, as {@code *.t} does. */
    public boolean anySchema() {
        return schemaRegex.map(ANY::equals).orElse(false);
    }

    /**
     * The pattern's parts between unquoted dots, each turned into an anchored regular expression as pg_dump's
     * {@code patternToSQLRegex} does.
     */
    private static List<String> parts(String pattern) {
        Objects.requireNonNull(pattern, "pattern must not be null");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("is empty; give a name, or a pattern such as app.* or \"Order\"");
        }
        if (pattern.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("holds a NUL character, which no name can hold");
        }
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder("^(");
        boolean quoted = false;
        int i = 0;
        while (i < pattern.length()) {
            int ch = pattern.codePointAt(i);
            int next = i + Character.charCount(ch) < pattern.length() ? pattern.codePointAt(i + Character.charCount(ch))
                    : -1;
            if (ch == '"') {
                if (quoted && next == '"') {
                    current.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (!quoted && ch >= 'A' && ch <= 'Z') {
                current.append((char) (ch + ('a' - 'A')));
            } else if (!quoted && ch == '*') {
                current.append(".*");
            } else if (!quoted && ch == '?') {
                current.append('.');
            } else if (!quoted && ch == '.') {
                parts.add(current.append(")$").toString());
                current = new StringBuilder("^(");
            } else if (ch == '$') {
                current.append("\\$");
            } else {
                if (quoted && ch < 128 && "|*+?()[]{}.^$\\".indexOf(ch) >= 0) {
                    current.append('\\');
                } else if (ch == '[' && next == ']') {
                    current.append('\\');
                }
                current.appendCodePoint(ch);
            }
            i += Character.charCount(ch);
        }
        if (quoted) {
            throw new IllegalArgumentException("has a double quote that is not closed; close it, or write \"\" for "
                    + "a quote inside a quoted name");
        }
        parts.add(current.append(")$").toString());
        return parts;
    }
}
