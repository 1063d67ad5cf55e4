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
 * old values, and changes that row only, as the source did.
 *
 * @param sql the statement, with {@code ?} for each parameter
 * @param parameters the parameters' text values, {@code null} for SQL NULL
 */
public record ApplyStatement(String sql, List<String> parameters) {
    public ApplyStatement {
        parameters = java.util.Collections.unmodifiableList(new ArrayList<>(parameters));
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
        return new ApplyStatement("INSERT INTO " + table(relation) + " (" + String.join(", ", names)
                + ") VALUES (" + String.join(", ", marks) + ")", parameters);
    }

    /** The statement for an updated row: only the columns that were sent are set. */
    public static ApplyStatement update(Relation relation, Optional<Tuple> oldRow, boolean oldIsWholeRow,
            Tuple newRow) {
        List<String> sets = new ArrayList<>();
        List<String> parameters = new ArrayList<>();
        for (int i = 0; i < relation.columns().size(); i++) {
            Value v = newRow.values().get(i);
            if (!(v instanceof Value.UnchangedToast)) {
                sets.add(Sql.ident(relation.columns().get(i).name()) + " = ?");
                parameters.add(text(v));
            }
        }
        StringBuilder sql = new StringBuilder("UPDATE ").append(table(relation)).append(" SET ")
                .append(String.join(", ", sets));
        where(sql, parameters, relation, oldRow.orElse(newRow), oldRow.isPresent() && oldIsWholeRow);
        return new ApplyStatement(sql.toString(), parameters);
    }

    /** The statement for a deleted row. */
    public static ApplyStatement delete(Relation relation, Tuple oldRow, boolean oldIsWholeRow) {
        StringBuilder sql = new StringBuilder("DELETE FROM ").append(table(relation));
        List<String> parameters = new ArrayList<>();
        where(sql, parameters, relation, oldRow, oldIsWholeRow);
        return new ApplyStatement(sql.toString(), parameters);
    }

    /** The statement for tables truncated together, with the options the source used. */
    public static ApplyStatement truncate(List<Relation> relations, boolean cascade, boolean restartIdentity) {
        List<String> tables = relations.stream().map(ApplyStatement::table).toList();
        return new ApplyStatement("TRUNCATE TABLE ONLY " + String.join(", ONLY ", tables)
                + (restartIdentity ? " RESTART IDENTITY" : "") + (cascade ? " CASCADE" : ""), List.of());
    }

    private static void where(StringBuilder sql, List<String> parameters, Relation relation, Tuple row,
            boolean wholeRow) {
        List<String> conditions = new ArrayList<>();
        for (int i = 0; i < relation.columns().size(); i++) {
            Column c = relation.columns().get(i);
            Value v = row.values().get(i);
            if (wholeRow) {
                if (v instanceof Value.UnchangedToast) {
                    continue; // not sent, so not comparable; the other columns still single the row out
                }
                // Text forms, so that columns of types without an equality operator (json, point) compare too.
                conditions.add(Sql.ident(c.name()) + "::text IS NOT DISTINCT FROM ?");
                parameters.add(text(v));
            } else if (c.key()) {
                conditions.add(Sql.ident(c.name()) + " = ?");
                parameters.add(text(v));
            }
        }
        if (conditions.isEmpty()) {
            throw new IllegalStateException("Table " + relation.schema() + "." + relation.table() + " has no "
                    + "replica identity to find a changed row by; give it a primary key or REPLICA IDENTITY FULL");
        }
        if (wholeRow) {
            // Several rows may be equal in every column: the source changed one of them, so must the target.
            sql.append(" WHERE ctid = (SELECT ctid FROM ").append(table(relation)).append(" WHERE ")
                    .append(String.join(" AND ", conditions)).append(" LIMIT 1)");
        } else {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
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
