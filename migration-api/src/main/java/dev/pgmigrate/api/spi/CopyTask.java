package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Stable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One table, or one range of a table, for a {@link DataMover} to copy.
 *
 * <p>The statements it builds quote every identifier; the row filter is built by the engine from catalog
 * values, never from user text.
 *
 * @param database the database both connections are in
 * @param schema the table's schema, unquoted
 * @param table the table's name, unquoted
 * @param columns the columns to copy, in order; generated columns are left out
 * @param rowFilter a predicate selecting this range, such as {@code ctid >= '(0,0)' AND ctid < '(4096,0)'};
 *     empty for the whole table
 * @param part this range's number, from 1
 * @param parts how many ranges the table was split into; 1 when whole
 * @param estimatedBytes the source's estimate of this range's size, for progress
 * @param freeze whether the target table was created or truncated in the target connection's open
 *     transaction, so {@code COPY ... FREEZE} may be used
 * @since 0.1
 */
@Stable(since = "0.1")
public record CopyTask(String database, String schema, String table, List<CopyColumn> columns,
        Optional<String> rowFilter, int part, int parts, long estimatedBytes, boolean freeze) {

    public CopyTask {
        Objects.requireNonNull(database, "database must not be null");
        Objects.requireNonNull(schema, "schema must not be null");
        Objects.requireNonNull(table, "table must not be null");
        columns = List.copyOf(Objects.requireNonNull(columns, "columns must not be null"));
        Objects.requireNonNull(rowFilter, "rowFilter must not be null");
        if (part < 1 || part > parts) {
            throw new IllegalArgumentException("part " + part + " of " + parts + " is out of range");
        }
    }

    /** The table's name quoted for SQL: {@code "schema"."table"}. */
    public String qualifiedName() {
        return quote(schema) + "." + quote(table);
    }

    /** The quoted column list, such as {@code "id", "Name"}. */
    public String columnList() {
        return columns.stream().map(c -> quote(c.name())).collect(Collectors.joining(", "));
    }

    /** Whether every column may travel in binary COPY format. */
    public boolean binarySafe() {
        return columns.stream().allMatch(CopyColumn::binarySafe);
    }

    /**
     * The source statement: {@code COPY "s"."t" ("a", "b") TO STDOUT (options)} for a whole table, or
     * {@code COPY (SELECT ... WHERE filter) TO STDOUT (options)} for a range.
     *
     * @param options COPY options such as {@code "FORMAT binary"}; empty for text
     */
    public String copyOutSql(String options) {
        String with = options.isBlank() ? "" : " (" + options + ")";
        if (columns.isEmpty()) {
            // A table with no columns (all dropped, or none declared) still has rows; count them in text form.
            return "COPY (SELECT FROM ONLY " + qualifiedName() + rowFilter.map(f -> " WHERE " + f).orElse("")
                    + ") TO STDOUT" + with;
        }
        if (rowFilter.isEmpty()) {
            return "COPY " + qualifiedName() + " (" + columnList() + ") TO STDOUT" + with;
        }
        return "COPY (SELECT " + columnList() + " FROM ONLY " + qualifiedName() + " WHERE " + rowFilter.get()
                + ") TO STDOUT" + with;
    }

    /**
     * The target statement: {@code COPY "s"."t" ("a", "b") FROM STDIN (options)}.
     *
     * @param options COPY options such as {@code "FORMAT binary, FREEZE"}; empty for text
     */
    public String copyInSql(String options) {
        String with = options.isBlank() ? "" : " (" + options + ")";
        return "COPY " + qualifiedName() + (columns.isEmpty() ? "" : " (" + columnList() + ")") + " FROM STDIN" + with;
    }

    /** {@code schema.table} or {@code schema.table (part 2/8)}, unquoted, for logs and messages. */
    public String displayName() {
        return schema + "." + table + (parts > 1 ? " (part " + part + "/" + parts + ")" : "");
    }

    /** Quotes an identifier for SQL, doubling embedded quotes. */
    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
