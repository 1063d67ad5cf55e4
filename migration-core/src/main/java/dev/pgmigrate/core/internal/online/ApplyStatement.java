package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.core.internal.online.Change.Column;
import dev.pgmigrate.core.internal.online.Change.Relation;
import dev.pgmigrate.core.internal.online.Change.Tuple;
import dev.pgmigrate.core.internal.online.Change.Value;
import dev.pgmigrate.core.internal.pg.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The statement that applies one decoded row change on the target, with its parameters in text form (bound as
 * type {@code unknown}, so the server reads each as its column's type, as it reads a literal).
 *
 * <p>The rules that keep the copy exact: generated columns are never in a relation ({@code pgoutput} does not
 * send them), so they are never written; an update writes only the columns that were sent, never an unchanged
 * TOAST value; a row is found by its replica identity's old values, or by its new key values when the key did not
 * change; a table with {@code REPLICA IDENTITY FULL} finds one row whose every column, NULLs included, equals the
 * old values, and changes that row only, as the source did. Updates and deletes take the table {@code ONLY}: an
 * inheritance parent's change is to its own row, never to a child's of the same key.
 *
 * @param sql the statement, with {@code ?} for each parameter
 * @param parameters the parameters' text values, {@code null} for SQL NULL
 * @param found how an update or delete finds its row, {@code null} for an insert or a truncate
 */
public record ApplyStatement(String sql, List<String> parameters, Found found) {
    private static final int SHOWN_VALUE_CHARS = 40;
    private static final int SHOWN_COLUMNS = 8;

    public ApplyStatement {
        parameters = java.util.Collections.unmodifiableList(new ArrayList<>(parameters));
    }

    ApplyStatement(String sql, List<String> parameters) {
        this(sql, parameters, null);
    }

    /**
     * How an update or delete finds its row, kept to name the row should it not be found: the table, the condition
     * (one parameter per column), the columns and where their values start among the statement's parameters.
     */
    record Found(String table, String condition, List<String> columns, int firstParameter) {
    }

    /**
     * The row an update or delete finds, named as PostgreSQL names a key ({@code ("id")=(7)}), each value
     * abbreviated; empty for an insert or a truncate.
     */
    public String row() {
        if (found == null) {
            return "";
        }
        int showing = Math.min(found.columns().size(), SHOWN_COLUMNS);
        String more = found.columns().size() > showing ? ", ..." : "";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < showing; i++) {
            values.add(shown(parameters.get(found.firstParameter() + i)));
        }
        return "(" + String.join(", ", found.columns().subList(0, showing)) + more + ")=(" + String.join(", ", values)
                + more + ")";
    }

    /** A query counting the rows the update or delete finds, its values written in; empty for the others. */
    public String finder() {
        return found == null ? "" : new ApplyStatement("SELECT count(*) FROM ONLY " + found.table() + " WHERE "
                + found.condition(), parameters.subList(found.firstParameter(), found.firstParameter()
                + found.columns().size())).inlined();
    }

    /** The statement for an inserted row. */
    public static ApplyStatement insert(Relation relation, Tuple row) {
        List<String> names = new ArrayList<>();
        List<String> marks = new ArrayList<>();
        List<String> parameters = new ArrayList<>();
        for (int i = 0; i < relation.columns().size(); i++) {
            names.add(Sql.ident(relation.columns().get(i).name()));
            marks.add("?");
            parameters.add(text(row.values().get(i)));
        }
        return new ApplyStatement("INSERT INTO " + table(relation) + " (" + String.join(", ", names) + ")"
                + overriding(relation) + " VALUES (" + String.join(", ", marks) + ")", parameters);
    }

    /** The source's identity values are kept: a column GENERATED ALWAYS takes one only when told so. */
    private static String overriding(Relation relation) {
        return relation.columns().stream().anyMatch(Column::alwaysIdentity) ? " OVERRIDING SYSTEM VALUE" : "";
    }

    /**
     * The statement for an updated row: only the columns that were sent are set. A column {@code GENERATED ALWAYS}
     * can only be set to DEFAULT, so it is left out while its value stays (no old row was sent, or the old one holds
     * the same value); a new value for it (the source's {@code SET id = DEFAULT}) moves the row as a delete and an
     * insert with {@code OVERRIDING SYSTEM VALUE} in one statement.
     */
    public static ApplyStatement update(Relation relation, Optional<Tuple> oldRow, boolean oldIsWholeRow,
            Tuple newRow) {
        List<String> sets = new ArrayList<>();
        List<String> parameters = new ArrayList<>();
        boolean identityChanged = false;
        for (int i = 0; i < relation.columns().size(); i++) {
            Value v = newRow.values().get(i);
            if (v instanceof Value.UnchangedToast) {
                continue;
            }
            Column c = relation.columns().get(i);
            if (c.alwaysIdentity()) {
                Value old = oldRow.isPresent() ? oldRow.get().values().get(i) : null;
                boolean oldKnown = old != null && (oldIsWholeRow || c.key());
                if (!oldKnown || java.util.Objects.equals(text(old), text(v))) {
                    continue;
                }
                identityChanged = true;
            }
            sets.add(Sql.ident(c.name()) + " = ?");
            parameters.add(text(v));
        }
        if (identityChanged && newRow.values().stream().noneMatch(v -> v instanceof Value.UnchangedToast)) {
            StringBuilder delete = new StringBuilder("DELETE FROM ONLY ").append(table(relation));
            List<String> moved = new ArrayList<>();
            Found row = where(delete, moved, relation, oldRow.orElseThrow(), oldIsWholeRow);
            List<String> values = new ArrayList<>();
            for (int i = 0; i < relation.columns().size(); i++) {
                values.add("?");
                moved.add(text(newRow.values().get(i)));
            }
            return new ApplyStatement("WITH moved AS (" + delete + " RETURNING 1) INSERT INTO " + table(relation)
                    + " (" + String.join(", ", relation.columns().stream().map(c -> Sql.ident(c.name())).toList())
                    + ") OVERRIDING SYSTEM VALUE SELECT " + String.join(", ", values) + " WHERE EXISTS (SELECT 1 FROM "
                    + "moved)", moved, row);
        }
        if (sets.isEmpty()) { // only a GENERATED ALWAYS column was sent, unchanged: find the row all the same
            String same = relation.columns().stream().filter(c -> !c.alwaysIdentity()).findFirst()
                    .orElse(relation.columns().get(0)).name();
            sets.add(Sql.ident(same) + " = " + Sql.ident(same));
        }
        StringBuilder sql = new StringBuilder("UPDATE ONLY ").append(table(relation)).append(" SET ")
                .append(String.join(", ", sets));
        Found row = where(sql, parameters, relation, oldRow.orElse(newRow), oldRow.isPresent() && oldIsWholeRow);
        return new ApplyStatement(sql.toString(), parameters, row);
    }

    /** The statement for a deleted row. */
    public static ApplyStatement delete(Relation relation, Tuple oldRow, boolean oldIsWholeRow) {
        StringBuilder sql = new StringBuilder("DELETE FROM ONLY ").append(table(relation));
        List<String> parameters = new ArrayList<>();
        Found row = where(sql, parameters, relation, oldRow, oldIsWholeRow);
        return new ApplyStatement(sql.toString(), parameters, row);
    }

    /** The statement for tables truncated together, with the options the source used. */
    public static ApplyStatement truncate(List<Relation> relations, boolean cascade, boolean restartIdentity) {
        List<String> tables = relations.stream().map(ApplyStatement::table).toList();
        return new ApplyStatement("TRUNCATE TABLE ONLY " + String.join(", ONLY ", tables)
                + (restartIdentity ? " RESTART IDENTITY" : "") + (cascade ? " CASCADE" : ""), List.of());
    }

    /** Appends the condition that finds {@code row}; returns how it finds it. */
    private static Found where(StringBuilder sql, List<String> parameters, Relation relation, Tuple row,
            boolean wholeRow) {
        List<String> conditions = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < relation.columns().size(); i++) {
            Column c = relation.columns().get(i);
            Value v = row.values().get(i);
            if (wholeRow) {
                if (v instanceof Value.UnchangedToast) {
                    continue; // not sent, so not comparable; the other columns still single the row out
                }
                // Text forms, so that columns of types without an equality operator (json, point) compare too:
                // the value sent read as the column's type and written out again, as the column is ('t' is true,
                // a char(n) loses its padding, an inet gains its /32).
                conditions.add(Sql.ident(c.name()) + "::text IS NOT DISTINCT FROM " + (c.targetType() == null ? "?"
                        : "(?::" + c.targetType() + ")::text"));
                parameters.add(text(v));
            } else if (c.key()) {
                conditions.add(Sql.ident(c.name()) + " = ?");
                parameters.add(text(v));
            } else {
                continue;
            }
            names.add(Sql.ident(c.name()));
        }
        if (conditions.isEmpty()) {
            throw new IllegalStateException("Table " + relation.schema() + "." + relation.table() + " has no "
                    + "replica identity to find a changed row by; give it a primary key or REPLICA IDENTITY FULL");
        }
        String table = table(relation);
        String condition = String.join(" AND ", conditions);
        if (wholeRow) {
            // Several rows may be equal in every column: the source changed one of them, so must the target.
            sql.append(" WHERE ctid = (SELECT ctid FROM ONLY ").append(table).append(" WHERE ").append(condition)
                    .append(" LIMIT 1)");
        } else {
            sql.append(" WHERE ").append(condition);
        }
        return new Found(table, condition, names, parameters.size() - conditions.size());
    }

    private static String shown(String value) {
        if (value == null) {
            return "null";
        }
        return value.length() <= SHOWN_VALUE_CHARS ? value : value.substring(0, SHOWN_VALUE_CHARS) + "...";
    }

    /**
     * The statement with each parameter written in as a literal (NULL, or a quoted string the server reads as its
     * column's type, as it reads an unknown-typed parameter), for sending many statements in one round trip.
     * A {@code ?} inside a quoted identifier is part of the name and stays.
     */
    public String inlined() {
        StringBuilder out = new StringBuilder(sql.length() + 16 * parameters.size());
        boolean quoted = false;
        int next = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '"') {
                quoted = !quoted; // a doubled quote inside a name toggles twice
            }
            if (c == '?' && !quoted) {
                String value = parameters.get(next++);
                out.append(value == null ? "NULL" : Sql.literal(value));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String table(Relation relation) {
        return Sql.qualified(relation.schema(), relation.table());
    }

    private static String text(Value v) {
        if (v instanceof Value.Text t) {
            return t.text();
        }
        if (v instanceof Value.Null) {
            return null;
        }
        throw new IllegalStateException("An unchanged TOAST value cannot be written");
    }
}
