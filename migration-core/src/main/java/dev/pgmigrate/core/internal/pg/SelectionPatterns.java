package dev.pgmigrate.core.internal.pg;

import dev.pgmigrate.api.NamePattern;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs each pattern's query on the source, as pg_dump does (a query per pattern, PostgreSQL's regular expressions,
 * the database's default collation from 12 on), keeps what is among the user's objects, and notes a pattern that
 * matched none of them.
 */
record SelectionPatterns(Connection c, boolean collate, Set<Long> relations, Set<String> userSchemas,
        List<SourceSelection.Unmatched> unmatched, List<Matched> matched) {
    /** What one include table pattern matched among the user's relations. */
    record Matched(String field, String pattern, Set<Long> relations) {
    }

    Set<String> schemas(String field, List<NamePattern> patterns, boolean include) throws SQLException {
        Set<String> found = new HashSet<>();
        for (int i = 0; i < patterns.size(); i++) {
            NamePattern p = patterns.get(i);
            List<String[]> names = p.anyName() ? Sql.rows(c, "SELECT n.nspname FROM pg_catalog.pg_namespace n")
                    : Sql.rows(c, "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname "
                            + "OPERATOR(pg_catalog.~) " + regex(), p.nameRegex());
            names.stream().map(r -> r[0]).filter(userSchemas::contains).forEach(found::add);
            if (names.stream().map(r -> r[0]).noneMatch(userSchemas::contains)) {
                unmatched.add(new SourceSelection.Unmatched("settings.selection." + field + "[" + i + "]",
                        p.pattern(), include));
            }
        }
        return found;
    }

    Set<Long> tables(String field, List<NamePattern> patterns, boolean include) throws SQLException {
        Set<Long> found = new HashSet<>();
        for (int i = 0; i < patterns.size(); i++) {
            NamePattern p = patterns.get(i);
            StringBuilder sql = new StringBuilder("SELECT c.oid FROM pg_catalog.pg_class c JOIN "
                    + "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " + SourceSelection.KINDS);
            List<String> params = new ArrayList<>();
            if (!p.anyName()) {
                sql.append(" AND c.relname OPERATOR(pg_catalog.~) ").append(regex());
                params.add(p.nameRegex());
            }
            if (p.schemaRegex().isPresent() && !p.anySchema()) {
                sql.append(" AND n.nspname OPERATOR(pg_catalog.~) ").append(regex());
                params.add(p.schemaRegex().get());
            } else if (p.schemaRegex().isEmpty()) {
                sql.append(" AND pg_catalog.pg_table_is_visible(c.oid)");
            }
            Set<Long> mine = new HashSet<>();
            for (String[] r : Sql.rows(c, sql.toString(), params.toArray(String[]::new))) {
                long oid = Long.parseLong(r[0]);
                if (relations.contains(oid)) {
                    mine.add(oid);
                }
            }
            found.addAll(mine);
            String where = "settings.selection." + field + "[" + i + "]";
            if (mine.isEmpty()) {
                unmatched.add(new SourceSelection.Unmatched(where, p.pattern(), include));
            } else if (include) {
                matched.add(new Matched(where, p.pattern(), mine));
            }
        }
        return found;
    }

    /** The pattern's parameter; with the database's default collation where the server has collatable names. */
    private String regex() {
        return collate ? "(?::pg_catalog.text COLLATE pg_catalog.default)" : "?::pg_catalog.text";
    }
}
