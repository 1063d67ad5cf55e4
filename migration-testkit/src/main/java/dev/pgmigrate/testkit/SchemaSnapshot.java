package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.TestServer;
import dev.pgmigrate.embedded.TestkitSqlException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every user object of a database with its definition, read through the server's own {@code pg_get_*def}
 * functions and catalogs, normalised only where PostgreSQL versions print the same thing differently. Two
 * snapshots of a source and its copy are equal when the schema migrated exactly, whatever the two versions.
 *
 * <p>{@code assertThat(SchemaSnapshot.of(target, db).differences(SchemaSnapshot.of(source, db))).isEmpty();}
 *
 * @since 0.1
 */
@Experimental
public final class SchemaSnapshot {
    private static final String USER_NS = "n.nspname NOT IN ('pg_catalog', 'information_schema') "
            + "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
    private static final String NOT_EXTENSION = "NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = %s "
            + "AND dep.deptype = 'e')";

    private final Map<String, String> objects;

    private SchemaSnapshot(Map<String, String> objects) {
        this.objects = objects;
    }

    /** Reads the schema of {@code database} on {@code server}, as its superuser. */
    public static SchemaSnapshot of(TestServer server, String database) {
        requireNonNull(server, "server must not be null");
        try (Connection c = server.connect(database)) {
            return of(c);
        } catch (SQLException e) {
            throw new TestkitSqlException("Cannot read the schema of " + database + " on " + server, e);
        }
    }

    /** Reads the schema through an open connection. */
    public static SchemaSnapshot of(Connection c) throws SQLException {
        Map<String, String> objects = new TreeMap<>();
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path = pg_catalog");
            int version = Integer.parseInt(one(s, "SELECT current_setting('server_version_num')"));
            read(s, objects, "schema", "SELECT n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE "
                    + USER_NS + " AND " + NOT_EXTENSION.formatted("n.oid"));
            read(s, objects, "extension", "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n "
                    + "ON n.oid = e.extnamespace");
            read(s, objects, "relation", "SELECT n.nspname || '.' || c.relname, c.relkind::text || ' ' || c.relpersistence::text "
                    + "|| ' owner=' || pg_get_userbyid(c.relowner) || ' acl=' || coalesce(c.relacl, acldefault("
                    // No ACL means the default one: equal privileges compare equal however they are spelt.
                    + "CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner))::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN "
                    + "('r','p','v','m','S','f','c') AND " + USER_NS + " AND " + NOT_EXTENSION.formatted("c.oid"));
            String identity = version >= 100000 ? "a.attidentity::text" : "''";
            String generated = version >= 120000 ? "a.attgenerated::text" : "''";
            // Only a method set on the column counts, so that a source without methods compares with any target.
            String compression = version >= 140000 ? " || CASE a.attcompression WHEN '' THEN '' ELSE ' compression=' "
                    + "|| a.attcompression::text END" : "";
            read(s, objects, "column", "SELECT n.nspname || '.' || c.relname || '.' || a.attname, "
                    + "format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull || ' default=' || "
                    + "coalesce(pg_get_expr(ad.adbin, ad.adrelid), '') || ' identity=' || " + identity
                    + " || ' generated=' || " + generated + " || ' collation=' || coalesce((SELECT co.collname FROM "
                    + "pg_collation co WHERE co.oid = a.attcollation AND a.attcollation <> (SELECT t.typcollation FROM "
                    + "pg_type t WHERE t.oid = a.atttypid)), '') || ' position=' || (SELECT count(*) FROM pg_attribute "
                    + "b WHERE b.attrelid = a.attrelid AND b.attnum > 0 AND b.attnum <= a.attnum AND NOT b.attisdropped)"
                    + compression + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = "
                    + "c.relnamespace LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
                    + "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','v','m','f','c') AND "
                    + USER_NS + " AND " + NOT_EXTENSION.formatted("c.oid"));
            read(s, objects, "constraint", "SELECT n.nspname || '.' || coalesce(c.relname, t.typname) || '.' || "
                    + "con.conname, con.contype::text || ' ' || pg_get_constraintdef(con.oid) FROM pg_constraint con "
                    + "JOIN pg_namespace n ON n.oid = con.connamespace LEFT JOIN pg_class c ON c.oid = con.conrelid "
                    + "LEFT JOIN pg_type t ON t.oid = con.contypid WHERE con.contype <> 'n' AND " + USER_NS);
            read(s, objects, "index", "SELECT n.nspname || '.' || c.relname, pg_get_indexdef(c.oid) FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('i', 'I') AND " + USER_NS
                    + " AND " + NOT_EXTENSION.formatted("c.oid"));
            read(s, objects, "view", "SELECT n.nspname || '.' || c.relname, pg_get_viewdef(c.oid) FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND " + USER_NS
                    + " AND " + NOT_EXTENSION.formatted("c.oid"));
            String kind = version >= 110000 ? "p.prokind::text" : "CASE WHEN p.proisagg THEN 'a' ELSE 'f' END";
            read(s, objects, "function", "SELECT n.nspname || '.' || p.proname || '(' || "
                    + "pg_get_function_identity_arguments(p.oid) || ')', " + kind + " || ' returns ' || "
                    + "coalesce(pg_get_function_result(p.oid), '') || ' lang=' || l.lanname || ' volatile=' || "
                    + "p.provolatile::text || ' strict=' || p.proisstrict || ' secdef=' || p.prosecdef || ' owner=' || "
                    + "pg_get_userbyid(p.proowner) || ' src=' || p.prosrc" + (version >= 140000
                            ? " || coalesce(' body=' || pg_get_function_sqlbody(p.oid), '')" : "")
                    + " FROM pg_proc p JOIN pg_namespace n ON "
                    + "n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang WHERE " + USER_NS + " AND "
                    + NOT_EXTENSION.formatted("p.oid"));
            read(s, objects, "trigger", "SELECT n.nspname || '.' || c.relname || '.' || tg.tgname, "
                    + "pg_get_triggerdef(tg.oid) || ' enabled=' || tg.tgenabled::text FROM pg_trigger tg JOIN pg_class c "
                    + "ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT tg.tgisinternal");
            read(s, objects, "type", "SELECT n.nspname || '.' || t.typname, t.typtype::text || ' ' || coalesce((SELECT "
                    + "string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), "
                    + "'') || ' base=' || CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE "
                    + "'' END || ' owner=' || pg_get_userbyid(t.typowner) FROM pg_type t JOIN pg_namespace n ON n.oid = "
                    + "t.typnamespace WHERE t.typtype IN ('e', 'd', 'r') AND " + USER_NS + " AND "
                    + NOT_EXTENSION.formatted("t.oid"));
            read(s, objects, "policy", "SELECT n.nspname || '.' || c.relname || '.' || p.polname, p.polcmd::text || ' "
                    + "permissive=' || " + (version >= 100000 ? "p.polpermissive" : "true") + " || ' roles=' || "
                    + "(SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END, ',' ORDER BY 1) "
                    + "FROM unnest(p.polroles) r) || ' using=' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || "
                    + "' check=' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') FROM pg_policy p JOIN "
                    + "pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace");
            if (version >= 100000) {
                read(s, objects, "statistics", "SELECT n.nspname || '.' || x.stxname, pg_get_statisticsobjdef(x.oid) "
                        + "FROM pg_statistic_ext x JOIN pg_namespace n ON n.oid = x.stxnamespace WHERE " + USER_NS);
            }
            read(s, objects, "rls", "SELECT n.nspname || '.' || c.relname, c.relrowsecurity || ' ' || "
                    + "c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                    + "c.relrowsecurity AND " + USER_NS);
            read(s, objects, "comment", "SELECT d.classoid::regclass || ' ' || CASE d.classoid WHEN "
                    + "'pg_class'::regclass THEN (SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace "
                    + "n ON n.oid = c.relnamespace WHERE c.oid = d.objoid) WHEN 'pg_proc'::regclass THEN (SELECT "
                    + "p.proname FROM pg_proc p WHERE p.oid = d.objoid) WHEN 'pg_type'::regclass THEN (SELECT t.typname "
                    + "FROM pg_type t WHERE t.oid = d.objoid) WHEN 'pg_namespace'::regclass THEN (SELECT nspname FROM "
                    + "pg_namespace WHERE oid = d.objoid) ELSE d.objoid::text END || ' ' || d.objsubid, d.description "
                    + "FROM pg_description d WHERE d.objoid >= 16384 AND d.classoid IN ('pg_class'::regclass, "
                    + "'pg_proc'::regclass, 'pg_type'::regclass, 'pg_namespace'::regclass) AND "
                    + NOT_EXTENSION.formatted("d.objoid"));
            read(s, objects, "large object", "SELECT count(*)::text, '' FROM pg_largeobject_metadata");
            read(s, objects, "rule", "SELECT n.nspname || '.' || c.relname || '.' || r.rulename, pg_get_ruledef(r.oid) "
                    + "|| ' enabled=' || r.ev_enabled::text FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN "
                    + "pg_namespace n ON n.oid = c.relnamespace WHERE r.rulename <> '_RETURN' AND " + USER_NS);
            read(s, objects, "event trigger", "SELECT e.evtname, e.evtevent || ' ' || e.evtfoid::regproc::text || "
                    + "' enabled=' || e.evtenabled::text || ' tags=' || coalesce(array_to_string(e.evttags, ','), '') "
                    + "|| ' owner=' || pg_get_userbyid(e.evtowner) FROM pg_event_trigger e WHERE "
                    + NOT_EXTENSION.formatted("e.oid"));
            String collationLocale = version >= 170000 ? "coalesce(co.colllocale, co.collcollate)"
                    : version >= 150000 ? "coalesce(co.colliculocale, co.collcollate)" : "co.collcollate";
            read(s, objects, "collation", "SELECT n.nspname || '.' || co.collname, " + (version >= 100000
                    ? "co.collprovider::text" : "'c'") + " || ' ' || " + collationLocale + (version >= 120000
                    ? " || CASE WHEN co.collisdeterministic THEN '' ELSE ' nondeterministic' END" : "") + " FROM pg_collation co JOIN "
                    + "pg_namespace n ON n.oid = co.collnamespace WHERE " + USER_NS + " AND "
                    + NOT_EXTENSION.formatted("co.oid"));
            // The database itself: its privileges, comment and connection limit, and the settings in it.
            read(s, objects, "database", "SELECT 'current', 'acl=' || coalesce(d.datacl, acldefault('d'::\"char\", d.datdba))::text "
                    + "|| ' comment=' || coalesce(shobj_description(d.oid, 'pg_database'), '') || ' connlimit=' || d.datconnlimit FROM "
                    + "pg_database d WHERE d.datname = current_database()");
            read(s, objects, "database setting", "SELECT coalesce(r.rolname, '(all roles)'), "
                    + "array_to_string(s.setconfig, ';') FROM pg_db_role_setting s JOIN pg_database d ON d.oid = "
                    + "s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE d.datname = current_database()");
        }
        return new SchemaSnapshot(objects);
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void read(Statement s, Map<String, String> objects, String kind, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                String definition = normalize(Objects.toString(rs.getString(2), ""));
                if (kind.equals("view")) {
                    // PostgreSQL 16 stopped qualifying columns of single-table views; compare without qualifiers.
                    definition = definition.replaceAll("(\"[^\"]+\"|\\b[A-Za-z_][A-Za-z0-9_$]*)\\.", "");
                }
                String name = rs.getString(1);
                if (kind.equals("function")) {
                    // Procedures' identity arguments gained an explicit IN in PostgreSQL 14.
                    name = name.replace("(IN ", "(").replace(", IN ", ", ");
                }
                objects.put(kind + " " + name, definition);
            }
        }
    }

    /** Evens out what versions print differently for the same definition. */
    static String normalize(String definition) {
        return definition.replaceAll("\\s+", " ").trim()
                .replace("EXECUTE PROCEDURE", "EXECUTE FUNCTION")
                .replaceAll("\\(\\s+", "(").replaceAll("\\s+\\)", ")")
                // PostgreSQL 17 added MAINTAIN ('m'), which owners hold by default.
                .replace("arwdDxtm/", "arwdDxt/");
    }

    /** Every object by kind and name, with its normalised definition. */
    public Map<String, String> objects() {
        return objects;
    }

    /**
     * What differs from {@code expected}: one line per object missing, extra, or defined otherwise.
     */
    public List<String> differences(SchemaSnapshot expected) {
        List<String> out = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(objects.keySet());
        keys.addAll(expected.objects.keySet());
        for (String key : keys) {
            String mine = objects.get(key);
            String theirs = expected.objects.get(key);
            if (mine == null) {
                out.add("missing " + key + ": " + theirs);
            } else if (theirs == null) {
                out.add("extra " + key + ": " + mine);
            } else if (!mine.equals(theirs)) {
                out.add("differs " + key + ": expected <" + theirs + "> but was <" + mine + ">");
            }
        }
        return out;
    }
}
