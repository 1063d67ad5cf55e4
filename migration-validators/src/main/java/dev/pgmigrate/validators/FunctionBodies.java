package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The system objects that the bodies of a database's PL/pgSQL functions, and of its SQL functions kept as strings
 * (not {@code BEGIN ATOMIC}), mention by name. PostgreSQL records nothing of what such a body uses, and pg_dump's
 * script turns {@code check_function_bodies} off, so a body naming what the target lacks restores, then fails when
 * it runs. A heuristic over the text: each word of the body, comments left out, that names a system function, type
 * or relation (an {@code information_schema} one written with its schema), or a column of a system relation the body
 * also names, unless the database has an object of its own of that name (a function standing in for a removed one).
 */
final class FunctionBodies {
    /** A system object a function's body mentions: {@code function} as PostgreSQL names it, the object as a probe. */
    record Mention(String function, SystemNames.Probe object) {
    }

    /** The function a word is in, always with its schema. */
    private static final String FUNCTION = "(SELECT i.identity FROM pg_identify_object('pg_proc'::regclass, w.oid, 0)"
            + " i)";

    private FunctionBodies() {
    }

    /** What the bodies of the functions that move mention, read on {@code connection} to the source database. */
    static List<Mention> read(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        String bodies = "SELECT p.oid, regexp_replace(regexp_replace(lower(p.prosrc), '/\\*.*?\\*/', ' ', 'g'),"
                + " '--[^\\n]*', ' ', 'g') AS src FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
                + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid >= " + Sql.FIRST_USER_OID
                + " AND l.lanname IN ('plpgsql', 'sql')" + (source.versionNum() < 140000 ? ""
                : " AND p.prosqlbody IS NULL") + " AND " + Sql.notExtensionMember("pg_proc", "p")
                + Sql.schemaMoved(context, "n.nspname");
        String system = "oid < " + Sql.FIRST_USER_OID;
        String own = "oid >= " + Sql.FIRST_USER_OID;
        String mentioned = "SELECT " + FUNCTION + ", 'function', 'pg_catalog', w.word, NULL::text FROM words w"
                + " WHERE EXISTS (SELECT 1 FROM pg_proc s WHERE s.proname = w.word::name AND s.pronamespace ="
                + " 'pg_catalog'::regnamespace AND s." + system + ") AND NOT EXISTS (SELECT 1 FROM pg_proc u WHERE"
                + " u.proname = w.word::name AND u." + own + ")"
                + " UNION ALL SELECT " + FUNCTION + ", 'type', 'pg_catalog', w.word, NULL FROM words w"
                + " WHERE EXISTS (SELECT 1 FROM pg_type s WHERE s.typname = w.word::name AND s.typnamespace ="
                + " 'pg_catalog'::regnamespace AND s." + system + ") AND NOT EXISTS (SELECT 1 FROM pg_type u WHERE"
                + " u.typname = w.word::name AND u." + own + ")"
                + " UNION ALL SELECT " + FUNCTION + ", 'relation', n.nspname, c.relname, NULL FROM words w"
                + " JOIN pg_namespace n ON n.nspname IN ('pg_catalog', 'information_schema') JOIN pg_class c ON"
                + " c.relnamespace = n.oid AND c." + system + " AND c.relname = CASE n.nspname WHEN 'pg_catalog'"
                + " THEN w.word ELSE substring(w.word FROM '^information_schema\\.(.*)$') END::name"
                + " WHERE NOT EXISTS (SELECT 1 FROM pg_class u WHERE u.relname = c.relname AND u." + own + ")"
                + " UNION ALL SELECT " + FUNCTION + ", 'column', 'pg_catalog', c.relname, a.attname FROM"
                + " words r JOIN pg_class c ON c.relname = r.word::name AND c.relnamespace = 'pg_catalog'::regnamespace"
                + " AND c." + system + " JOIN words w ON w.oid = r.oid JOIN pg_attribute a ON a.attrelid = c.oid AND"
                + " a.attname = w.word::name AND a.attnum > 0";
        String sql = "WITH bodies AS (" + bodies + "), words AS (SELECT DISTINCT b.oid, m[1] AS word FROM bodies b,"
                + " regexp_matches(b.src, '((?:information_schema\\.)?[a-z_][a-z0-9_$]*)', 'g') m) " + mentioned
                + " ORDER BY 1, 2, 3, 4, 5";
        return Sql.list(connection, sql, rs -> new Mention(rs.getString(1), new SystemNames.Probe(rs.getString(2),
                rs.getString(3), rs.getString(4), null, rs.getString(5))));
    }
}
