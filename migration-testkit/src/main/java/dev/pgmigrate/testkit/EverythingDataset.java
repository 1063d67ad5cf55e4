package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.SqlScript;
import dev.pgmigrate.embedded.TestServer;
import dev.pgmigrate.embedded.TestkitSqlException;
import dev.pgmigrate.embedded.internal.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A deterministic database with one of almost everything PostgreSQL has, in the schema {@value #SCHEMA}: every
 * built-in type family, an enum, a composite type, domains, arrays of enums and of composites, identity and
 * generated columns, a partitioned table, inheritance, every kind of constraint, btree/gin/gist/brin/hash, partial
 * and expression indexes, views, a materialized view, SQL and PL/pgSQL functions, a procedure, triggers, row-level
 * security policies, comments, grants to the role {@value #READER_ROLE}, sequences, large objects, columns with
 * non-default collations, the extensions hstore, citext and pg_trgm, an unlogged table, an empty table, a table with
 * a dropped column, and a wide table of {@value #WIDE_ROWS} rows. Then what broke migrations before: a rule with
 * several actions, SQL-standard function and procedure bodies ({@code BEGIN ATOMIC}), the database's own privileges
 * ({@code REVOKE CONNECT ... FROM PUBLIC}), comment and settings, a role's comment and settings in the database, an
 * ICU collation with keywords, an event trigger that writes a table (created last), lz4 compression and generated
 * columns inherited by a child table.
 *
 * <p>It loads into 9.6 through 18; parts a version lacks are left out ({@link #expected(int)} says what is there):
 * identity columns and partitioning need 10, procedures and a partitioned primary key 11, generated columns 12,
 * SQL-standard bodies and column compression 14 (lz4 where the server was built with it, pglz otherwise); the
 * collation {@code ci} is ICU {@code und-u-ks-level2} where the server has ICU (nondeterministic from 12), libc
 * {@code C} otherwise. The event trigger needs the loading login to be a superuser.
 *
 * <pre>{@code
 * String db = server.createDatabase(TestDatabases.unique("everything"));
 * EverythingDataset.load(server, db);
 * EverythingDataset.Contents expected = EverythingDataset.expected(server.versionNum());
 * }</pre>
 *
 * <p>One file of almost 600 lines on purpose: the script and {@link #expected(int)} must change together, object
 * by object and version by version, and one place keeps them in step.
 *
 * @since 0.1
 */
@Experimental
public final class EverythingDataset {
    /** The schema that holds every object except the extensions. */
    public static final String SCHEMA = "everything";
    /** The role the dataset grants privileges to; created once per server, {@code NOLOGIN}. */
    public static final String READER_ROLE = "everything_reader";
    /** Rows of {@code all_types}: three written by hand (the last all NULLs) and 197 generated. */
    public static final long ALL_TYPES_ROWS = 200;
    /** Rows of the wide table. */
    public static final int WIDE_ROWS = 3000;
    /** Columns of the wide table, its key included. */
    public static final int WIDE_COLUMNS = 41;
    /** Large objects the dataset creates. */
    public static final int LARGE_OBJECTS = 3;

    private EverythingDataset() {
    }

    /**
     * What the dataset holds on a server of a version: names per kind of object, all in {@value #SCHEMA}.
     *
     * @param tables ordinary and partitioned tables, partitions included
     * @param views plain views
     * @param materializedViews materialized views
     * @param functions functions (not procedures, not trigger functions' callers)
     * @param procedures procedures
     * @param enums enum types
     * @param composites stand-alone composite types
     * @param domains domains
     * @param sequences sequences, serial and identity ones included
     * @param indexes indexes created by name (constraint indexes excluded)
     * @param constraints constraints created by name, each with its {@code pg_constraint.contype}
     * @param triggers triggers
     * @param policies row-level security policies
     * @param extensions extensions, in any schema
     * @param largeObjects large objects in the database
     * @param rowCounts rows of every table that holds any, by table name (a partitioned table counts its partitions)
     * @since 0.1
     */
    public record Contents(Set<String> tables, Set<String> views, Set<String> materializedViews,
            Set<String> functions, Set<String> procedures, Set<String> enums, Set<String> composites,
            Set<String> domains, Set<String> sequences, Set<String> indexes, Map<String, Character> constraints,
            Set<String> triggers, Set<String> policies, Set<String> extensions, int largeObjects,
            Map<String, Long> rowCounts) {
        public Contents {
            tables = Set.copyOf(requireNonNull(tables, "tables must not be null"));
            views = Set.copyOf(requireNonNull(views, "views must not be null"));
            materializedViews = Set.copyOf(requireNonNull(materializedViews, "materializedViews must not be null"));
            functions = Set.copyOf(requireNonNull(functions, "functions must not be null"));
            procedures = Set.copyOf(requireNonNull(procedures, "procedures must not be null"));
            enums = Set.copyOf(requireNonNull(enums, "enums must not be null"));
            composites = Set.copyOf(requireNonNull(composites, "composites must not be null"));
            domains = Set.copyOf(requireNonNull(domains, "domains must not be null"));
            sequences = Set.copyOf(requireNonNull(sequences, "sequences must not be null"));
            indexes = Set.copyOf(requireNonNull(indexes, "indexes must not be null"));
            constraints = Map.copyOf(requireNonNull(constraints, "constraints must not be null"));
            triggers = Set.copyOf(requireNonNull(triggers, "triggers must not be null"));
            policies = Set.copyOf(requireNonNull(policies, "policies must not be null"));
            extensions = Set.copyOf(requireNonNull(extensions, "extensions must not be null"));
            rowCounts = Map.copyOf(requireNonNull(rowCounts, "rowCounts must not be null"));
        }
    }

    /** What {@link #load} creates on a server whose {@code server_version_num} is {@code versionNum}. */
    public static Contents expected(int versionNum) {
        boolean v10 = versionNum >= 100000;
        boolean v11 = versionNum >= 110000;
        boolean v12 = versionNum >= 120000;
        boolean v14 = versionNum >= 140000;
        Set<String> tables = new LinkedHashSet<>(Set.of("all_types", "customers", "orders", "order_audit",
                "collated_names", "cities", "capitals", "reservations", "invoices", "documents", "session_cache",
                "empty_table", "with_dropped_column", "wide", "rule_source", "rule_log", "rule_ids", "ddl_log",
                "keyword_collated"));
        if (v12) {
            tables.addAll(Set.of("generated_parent", "generated_child"));
        }
        if (v14) {
            tables.add("compressed");
        }
        if (v10) {
            tables.addAll(Set.of("measurements", "measurements_2023", "measurements_2024"));
        }
        Set<String> indexes = new LinkedHashSet<>(Set.of("customers_lower_name_idx", "customers_active_idx",
                "customers_name_trgm_idx", "all_types_jsonb_idx", "all_types_box_idx", "orders_placed_brin_idx",
                "orders_customer_idx", "customer_stats_id_idx", "reservations_during_idx"));
        if (v10) {
            indexes.add("customers_name_hash_idx");
        }
        Map<String, Character> constraints = new LinkedHashMap<>();
        constraints.put("customers_pkey", 'p');
        constraints.put("customers_email_key", 'u');
        constraints.put("orders_customer_fk", 'f');
        constraints.put("orders_qty_positive", 'c');
        constraints.put("reservations_no_overlap", 'x');
        constraints.put("positive_int_check", 'c');
        if (v11) {
            constraints.put("measurements_pkey", 'p');
        }
        Set<String> functions = new LinkedHashSet<>(Set.of("order_total", "mood_score", "touch_updated_at",
                "audit_order", "log_ddl"));
        if (v14) {
            functions.addAll(Set.of("order_count", "mood_label"));
        }
        Set<String> procedures = new LinkedHashSet<>();
        if (v11) {
            procedures.add("add_customer");
        }
        if (v14) {
            procedures.add("log_ids");
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        rows.put("all_types", ALL_TYPES_ROWS);
        rows.put("customers", 50L);
        rows.put("orders", 150L);
        rows.put("order_audit", 150L);
        rows.put("collated_names", 6L);
        rows.put("cities", 5L); // 3 cities + 2 capitals, which inherit
        rows.put("capitals", 2L);
        rows.put("reservations", 3L);
        rows.put("invoices", 20L);
        rows.put("documents", (long) LARGE_OBJECTS);
        rows.put("session_cache", 10L);
        rows.put("with_dropped_column", 4L);
        rows.put("wide", (long) WIDE_ROWS);
        rows.put("rule_source", 2L);
        rows.put("rule_log", 1L);
        rows.put("rule_ids", v14 ? 3L : 1L); // the rule's row, and two from the procedure
        rows.put("ddl_log", 1L); // the refresh at the end of the script
        rows.put("keyword_collated", 4L);
        if (v12) {
            rows.put("generated_parent", 2L); // with its child's row
            rows.put("generated_child", 1L);
        }
        if (v14) {
            rows.put("compressed", 20L);
        }
        if (v10) {
            rows.put("measurements", 731L);
            rows.put("measurements_2023", 365L);
            rows.put("measurements_2024", 366L);
        }
        return new Contents(tables, Set.of("active_customers", "order_totals"), Set.of("customer_stats"),
                functions, procedures, Set.of("mood"), Set.of("address"),
                Set.of("positive_int", "email"), Set.of("customers_id_seq", "orders_id_seq", "invoice_no_seq", "ddl_log_id_seq"),
                indexes, constraints, Set.of("customers_touch", "orders_audit"),
                Set.of("customers_reader", "customers_everyone"), Set.of("hstore", "citext", "pg_trgm"),
                LARGE_OBJECTS, rows);
    }

    /**
     * Creates the dataset in {@code database} as the superuser. The database should be empty; the role
     * {@value #READER_ROLE} is created if the server lacks it.
     *
     * @throws TestkitSqlException if a statement fails
     */
    public static void load(TestServer server, String database) {
        requireNonNull(server, "server must not be null");
        requireNonNull(database, "database must not be null");
        String script = script(server.versionNum());
        try (Connection c = server.connect(database)) {
            SqlScript.parse(script).execute(c);
        } catch (SQLException e) {
            throw Sql.failure("load the everything dataset into " + database + " on " + server, e);
        }
    }

    /** The SQL script {@link #load} runs on a server of {@code versionNum}. */
    public static String script(int versionNum) {
        boolean v10 = versionNum >= 100000;
        boolean v11 = versionNum >= 110000;
        boolean v12 = versionNum >= 120000;
        StringBuilder sql = new StringBuilder();
        sql.append("""
                SET client_min_messages = warning;
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'everything_reader') THEN
                    CREATE ROLE everything_reader NOLOGIN;
                  END IF;
                END $$;
                CREATE EXTENSION IF NOT EXISTS hstore;
                CREATE EXTENSION IF NOT EXISTS citext;
                CREATE EXTENSION IF NOT EXISTS pg_trgm;
                CREATE SCHEMA everything;
                COMMENT ON SCHEMA everything IS 'pgmigrate testkit: one of everything';
                SET search_path = everything, public;

                CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
                COMMENT ON TYPE mood IS 'how a customer feels';
                CREATE TYPE address AS (street text, city text, zip varchar(10));
                CREATE DOMAIN positive_int AS integer CONSTRAINT positive_int_check CHECK (VALUE > 0);
                CREATE DOMAIN email AS citext CHECK (VALUE ~ '^[^@]+@[^@]+$');

                CREATE TABLE all_types (
                  id integer PRIMARY KEY,
                  c_smallint smallint, c_integer integer, c_bigint bigint, c_numeric numeric(20,6), c_numeric_free numeric,
                  c_real real, c_double double precision, c_money money,
                  c_text text, c_varchar varchar(50), c_char char(5), c_bytea bytea,
                  c_date date, c_time time, c_timetz timetz, c_timestamp timestamp, c_timestamptz timestamptz,
                  c_interval interval, c_json json, c_jsonb jsonb,
                  c_int_array integer[], c_text_array text[], c_2d_array integer[][],
                  c_int4range int4range, c_int8range int8range, c_numrange numrange, c_daterange daterange,
                  c_tsrange tsrange, c_tstzrange tstzrange,
                  c_inet inet, c_cidr cidr, c_macaddr macaddr,
                  c_point point, c_line line, c_lseg lseg, c_box box, c_path path, c_polygon polygon, c_circle circle,
                  c_uuid uuid, c_bit bit(8), c_varbit bit varying(16), c_xml xml, c_tsvector tsvector, c_tsquery tsquery,
                  c_bool boolean, c_mood mood, c_address address, c_positive positive_int, c_hstore hstore,
                  c_citext citext, c_mood_array mood[], c_address_array address[], c_oid oid
                );
                INSERT INTO all_types VALUES
                (1, -32768, -2147483648, -9223372036854775808, -99999999999999.999999, 'NaN',
                 '-Infinity', 'Infinity', '-92233720368547758.08',
                 '', '', '', '\\x'::bytea,
                 '4713-01-01 BC', '00:00:00', '00:00:00+14', '-infinity', 'infinity',
                 '-178000000 years', '[]', '{}',
                 '{}', '{}', '{}',
                 'empty', '[-9223372036854775808,9223372036854775807)', '(,)', '[2000-01-01,infinity)',
                 '[,)', '(,]',
                 '::1', '0.0.0.0/0', '00:00:00:00:00:00',
                 '(0,0)', '{1,-1,0}', '[(0,0),(0,0)]', '(0,0),(0,0)', '[(0,0)]', '((0,0))', '<(0,0),0>',
                 '00000000-0000-0000-0000-000000000000', B'00000000', B'', '<empty/>', '', 'a',
                 false, 'sad', ROW(NULL, NULL, NULL), 1, '', '', '{}', '{}', 0),
                (2, 32767, 2147483647, 9223372036854775807, 12345678901234.123456, 3.14159265358979323846264338327950288,
                 3.4e38, 1.7976931348623157e308, '92233720368547758.07',
                 E'Gr\\u00fc\\u00dfe, \\u4e16\\u754c, tab\\t, newline\\n, quote'' backslash\\\\', 'caf\u00e9', 'abc',
                 '\\x00ff10deadbeef'::bytea,
                 '5874897-12-31', '24:00:00', '23:59:59.999999-12', '2024-02-29 12:34:56.789012',
                 '2024-02-29 12:34:56.789012+05:30',
                 '1 year 2 mons 3 days 04:05:06.789', '{"a": [1, 2.5, "x", null, true], "b": {"c": "\\u00fc"}}',
                 '{"k": "v", "n": 1.50, "arr": [1, {"x": null}], "uni": "\\u4e16"}',
                 '{1,NULL,3}', '{"with space","quote\\"d","back\\\\slash",NULL,"NULL"}', '{{1,2},{3,4}}',
                 '[1,10)', '(5,100]', '[1.5,2.5]', '[2024-01-01,2024-12-31]',
                 '[2024-01-01 00:00,2024-01-02 00:00)', '[2024-01-01 00:00+00,2024-01-02 00:00+00)',
                 '2001:db8::1/64', '192.168.0.0/24', '08:00:2b:01:02:03',
                 '(1.5,-2.5)', '{1,2,3}', '[(1,2),(3,4)]', '(3,4),(1,2)', '((0,0),(1,1),(2,0))',
                 '((0,0),(1,1),(2,0))', '<(1,1),5>',
                 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', B'10101010', B'1100', '<doc a="1"><b>text &amp; more</b></doc>',
                 'the quick brown fox', 'fox & !dog',
                 true, 'happy', ROW('Main St 1', 'Z\u00fcrich', '8000'), 2147483647, 'a=>1, b=>NULL', 'MiXeD',
                 '{happy,ok,NULL}', ARRAY[ROW('a', 'b', 'c')::address, NULL], 4294967295),
                (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                 NULL, NULL, NULL);
                INSERT INTO all_types (id, c_smallint, c_integer, c_bigint, c_numeric, c_numeric_free, c_real, c_double,
                  c_money, c_text, c_varchar, c_char, c_bytea, c_date, c_time, c_timetz, c_timestamp, c_timestamptz,
                  c_interval, c_json, c_jsonb, c_int_array, c_text_array, c_int4range, c_tstzrange, c_inet, c_cidr,
                  c_macaddr, c_point, c_box, c_circle, c_uuid, c_bit, c_varbit, c_xml, c_tsvector, c_tsquery, c_bool,
                  c_mood, c_address, c_positive, c_hstore, c_citext, c_mood_array, c_address_array, c_oid)
                SELECT i, (i % 100)::smallint, i * 7, i::bigint * 1000003, i * 1.5, i / 7.0, i / 3.0, i / 7.0,
                  (i * 1.25)::numeric::money, 'text ' || i, 'v' || i, 'c' || (i % 10), decode(md5(i::text), 'hex'),
                  date '2020-01-01' + i, time '00:00' + i * interval '1 minute', timetz '12:00:00+02',
                  timestamp '2024-01-01 00:00' + i * interval '1 hour',
                  timestamptz '2024-01-01 00:00+00' + i * interval '90 minutes', i * interval '1 day 2 hours',
                  json_build_object('i', i), jsonb_build_object('i', i, 'tags', jsonb_build_array('a', i)),
                  ARRAY[i, i + 1, NULL], ARRAY['x', i::text], int4range(i, i + 10),
                  tstzrange(timestamptz '2024-01-01 00:00+00' + i * interval '1 day',
                            timestamptz '2024-01-02 00:00+00' + i * interval '1 day'),
                  ('10.0.' || (i / 256) || '.' || (i % 256))::inet, ('10.' || (i % 256) || '.0.0/16')::cidr,
                  ('08:00:2b:01:02:' || lpad(to_hex(i % 256), 2, '0'))::macaddr, point(i, -i),
                  box(point(0, 0), point(i, i)), circle(point(i, i), i), md5(i::text)::uuid, (i % 256)::bit(8),
                  i::bit(16)::bit varying(16), xmlelement(name item, xmlattributes(i AS id), 'value ' || i),
                  to_tsvector('english', 'row number ' || i || ' jumps'), to_tsquery('english', 'row & jump'),
                  i % 2 = 0, (ARRAY['sad', 'ok', 'happy']::mood[])[i % 3 + 1],
                  ROW('Street ' || i, 'City', lpad(i::text, 5, '0'))::address, i, hstore('k', i::text),
                  ('Name' || i)::citext, ARRAY['ok', 'happy']::mood[], ARRAY[ROW('a' || i, 'b', 'c')::address],
                  i::oid
                FROM generate_series(4, 200) AS i;
                COMMENT ON TABLE all_types IS 'one column per built-in type family';
                COMMENT ON COLUMN all_types.c_money IS 'money depends on lc_monetary';

                CREATE TABLE customers (
                  id serial CONSTRAINT customers_pkey PRIMARY KEY,
                  email email CONSTRAINT customers_email_key UNIQUE,
                  name text NOT NULL,
                  mood mood NOT NULL DEFAULT 'ok',
                  active boolean NOT NULL DEFAULT true,
                  tags text[] NOT NULL DEFAULT '{}',
                  home address,
                  updated_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00+00'
                );
                COMMENT ON TABLE customers IS 'people who order';
                COMMENT ON COLUMN customers.email IS 'case-insensitive, via citext';
                INSERT INTO customers (email, name, mood, active, tags, home)
                SELECT 'User' || i || '@Example.com', 'Customer ' || i, (ARRAY['sad', 'ok', 'happy']::mood[])[i % 3 + 1],
                  i % 5 <> 0, ARRAY['tag' || (i % 4)], ROW('Road ' || i, 'Town', '1000' || (i % 10))::address
                FROM generate_series(1, 50) AS i;
                CREATE INDEX customers_lower_name_idx ON customers (lower(name));
                CREATE INDEX customers_active_idx ON customers (id) WHERE active;
                CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops);
                CREATE INDEX all_types_jsonb_idx ON all_types USING gin (c_jsonb);
                CREATE INDEX all_types_box_idx ON all_types USING gist (c_box);

                CREATE TABLE order_audit (order_id bigint NOT NULL, action text NOT NULL);
                """);
        if (v10) {
            sql.append("""
                    CREATE TABLE orders (
                      id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    """);
        } else {
            sql.append("""
                    CREATE TABLE orders (
                      id bigserial PRIMARY KEY,
                    """);
        }
        sql.append("""
                  customer_id integer NOT NULL CONSTRAINT orders_customer_fk REFERENCES customers (id),
                  qty integer NOT NULL CONSTRAINT orders_qty_positive CHECK (qty > 0),
                  price numeric(10,2) NOT NULL,
                  placed_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00+00'
                """);
        sql.append(v12 ? ",\n  total numeric(12,2) GENERATED ALWAYS AS (qty * price) STORED\n);\n" : ");\n");
        sql.append("""
                CREATE INDEX orders_placed_brin_idx ON orders USING brin (placed_at);
                CREATE INDEX orders_customer_idx ON orders (customer_id);

                CREATE FUNCTION audit_order() RETURNS trigger LANGUAGE plpgsql AS $body$
                BEGIN
                  INSERT INTO everything.order_audit (order_id, action) VALUES (NEW.id, TG_OP);
                  RETURN NEW;
                END
                $body$;
                CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW EXECUTE PROCEDURE audit_order();
                CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  NEW.updated_at := now(); -- a comment with a ; inside
                  RETURN NEW;
                END
                $$;
                CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE PROCEDURE touch_updated_at();
                INSERT INTO orders (customer_id, qty, price, placed_at)
                SELECT i % 50 + 1, i % 7 + 1, (i * 3.17)::numeric(10,2),
                  timestamptz '2024-01-01 00:00+00' + i * interval '6 hours'
                FROM generate_series(1, 150) AS i;

                CREATE FUNCTION order_total(o_id bigint) RETURNS numeric LANGUAGE sql STABLE
                  AS 'SELECT qty * price FROM everything.orders WHERE id = o_id';
                COMMENT ON FUNCTION order_total(bigint) IS 'qty times price';
                CREATE FUNCTION mood_score(m mood) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $fn$
                BEGIN
                  RETURN CASE m WHEN 'sad' THEN -1 WHEN 'happy' THEN 1 ELSE 0 END;
                END
                $fn$;

                CREATE VIEW active_customers AS SELECT id, name, email FROM customers WHERE active;
                COMMENT ON VIEW active_customers IS 'customers not switched off';
                CREATE VIEW order_totals AS
                  SELECT customer_id, sum(qty * price) AS total, count(*) AS orders FROM orders GROUP BY customer_id;
                CREATE MATERIALIZED VIEW customer_stats AS
                  SELECT c.id, count(o.id) AS orders, mood_score(c.mood) AS score
                  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id WITH DATA;
                CREATE UNIQUE INDEX customer_stats_id_idx ON customer_stats (id);

                CREATE TABLE collated_names (
                  id integer PRIMARY KEY,
                  c_name text COLLATE "C",
                  posix_name varchar(40) COLLATE "POSIX",
                  plain_name text
                );
                INSERT INTO collated_names VALUES (1, 'apple', 'apple', 'apple'), (2, 'Banana', 'Banana', 'Banana'),
                  (3, 'cherry', 'cherry', 'cherry'), (4, '\u00e9clair', '\u00e9clair', '\u00e9clair'),
                  (5, 'Zebra', 'Zebra', 'Zebra'), (6, '_under', '_under', '_under');

                CREATE TABLE cities (name text PRIMARY KEY, population integer);
                CREATE TABLE capitals (country text NOT NULL) INHERITS (cities);
                INSERT INTO cities VALUES ('Basel', 178000), ('Lyon', 522000), ('Porto', 232000);
                INSERT INTO capitals VALUES ('Bern', 134000, 'CH'), ('Paris', 2100000, 'FR');

                CREATE TABLE reservations (
                  id integer PRIMARY KEY,
                  room integer NOT NULL,
                  during tstzrange NOT NULL,
                  CONSTRAINT reservations_no_overlap EXCLUDE USING gist (during WITH &&)
                );
                CREATE INDEX reservations_during_idx ON reservations USING gist (during);
                INSERT INTO reservations VALUES
                  (1, 101, '[2024-03-01 14:00+00,2024-03-03 10:00+00)'),
                  (2, 102, '[2024-03-03 10:00+00,2024-03-05 10:00+00)'),
                  (3, 101, '[2024-03-05 14:00+00,2024-03-06 10:00+00)');

                CREATE SEQUENCE invoice_no_seq START 1000 INCREMENT 5;
                CREATE TABLE invoices (
                  no bigint PRIMARY KEY DEFAULT nextval('invoice_no_seq'),
                  order_id bigint REFERENCES orders (id),
                  issued date NOT NULL
                );
                INSERT INTO invoices (order_id, issued) SELECT i, date '2024-01-01' + i FROM generate_series(1, 20) AS i;
                SELECT setval('invoice_no_seq', 5000, true);

                CREATE TABLE documents (id integer PRIMARY KEY, title text NOT NULL, content oid NOT NULL);
                INSERT INTO documents
                SELECT i, 'document ' || i, lo_from_bytea(0, convert_to(repeat('large object ' || i || E'\\n', i * 100), 'UTF8'))
                FROM generate_series(1, 3) AS i;

                CREATE UNLOGGED TABLE session_cache (key text PRIMARY KEY, value jsonb NOT NULL);
                INSERT INTO session_cache SELECT 'session-' || i, jsonb_build_object('user', i) FROM generate_series(1, 10) AS i;

                CREATE TABLE empty_table (id integer PRIMARY KEY, note text);

                CREATE TABLE with_dropped_column (id integer PRIMARY KEY, gone text, kept text, also_gone integer);
                INSERT INTO with_dropped_column VALUES (1, 'x', 'one', 1), (2, 'y', 'two', 2), (3, NULL, 'three', 3),
                  (4, 'z', NULL, 4);
                ALTER TABLE with_dropped_column DROP COLUMN gone;
                ALTER TABLE with_dropped_column DROP COLUMN also_gone;

                ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
                CREATE POLICY customers_reader ON customers FOR SELECT TO everything_reader USING (active);
                CREATE POLICY customers_everyone ON customers USING (true) WITH CHECK (mood <> 'sad');
                GRANT USAGE ON SCHEMA everything TO everything_reader;
                GRANT SELECT ON customers, orders, active_customers TO everything_reader;
                GRANT SELECT (id, c_name) ON collated_names TO everything_reader;
                GRANT EXECUTE ON FUNCTION order_total(bigint) TO everything_reader;
                GRANT USAGE ON SEQUENCE invoice_no_seq TO everything_reader;
                """);
        if (v10) {
            sql.append("""
                    CREATE INDEX customers_name_hash_idx ON customers USING hash (name);
                    CREATE STATISTICS orders_customer_qty (dependencies) ON customer_id, qty FROM orders;
                    CREATE TABLE measurements (id integer NOT NULL, logged_on date NOT NULL, value numeric(8,2))
                      PARTITION BY RANGE (logged_on);
                    CREATE TABLE measurements_2023 PARTITION OF measurements FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
                    CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                    INSERT INTO measurements SELECT i, date '2023-01-01' + i, (i % 97) * 1.25 FROM generate_series(0, 730) AS i;
                    """);
        }
        if (v11) {
            sql.append("""
                    ALTER TABLE measurements ADD CONSTRAINT measurements_pkey PRIMARY KEY (id, logged_on);
                    CREATE PROCEDURE add_customer(p_name text, p_email text) LANGUAGE plpgsql AS $$
                    BEGIN
                      INSERT INTO everything.customers (name, email) VALUES (p_name, p_email);
                    END
                    $$;
                    COMMENT ON PROCEDURE add_customer(text, text) IS 'adds one customer';
                    """);
        }
        sql.append("CREATE TABLE wide (id integer PRIMARY KEY");
        for (int c = 1; c < WIDE_COLUMNS; c++) {
            String type = switch (c % 5) {
                case 0 -> "text";
                case 1 -> "integer";
                case 2 -> "numeric(12,3)";
                case 3 -> "timestamptz";
                default -> "boolean";
            };
            sql.append(", c").append(c).append(' ').append(type);
        }
        sql.append(");\nINSERT INTO wide SELECT i");
        for (int c = 1; c < WIDE_COLUMNS; c++) {
            String value = switch (c % 5) {
                case 0 -> "md5((i * " + c + ")::text)";
                case 1 -> "i * " + c;
                case 2 -> "i * " + c + " / 7.0";
                case 3 -> "timestamptz '2024-01-01 00:00+00' + (i * " + c + ") * interval '1 second'";
                default -> "(i + " + c + ") % 3 = 0";
            };
            sql.append(", ").append(value);
        }
        sql.append(" FROM generate_series(1, ").append(WIDE_ROWS).append(") AS i;\n");
        sql.append(fidelity(versionNum));
        sql.append("ANALYZE;\n");
        // Last, so that it logs only what follows: the refresh below, and any DDL a test runs on the database.
        sql.append("""
                CREATE EVENT TRIGGER everything_ddl_log ON ddl_command_end EXECUTE PROCEDURE everything.log_ddl();
                REFRESH MATERIALIZED VIEW everything.customer_stats;
                """);
        return sql.toString();
    }

    /**
     * The constructs that broke migrations before: a rule with several actions, SQL-standard bodies (14+), the
     * database's own privileges, comment and settings, a role's comment, an ICU collation with keywords (where the
     * server has ICU), a table written by an event trigger (created at the very end), lz4 compression (14+, where
     * the server has lz4; pglz otherwise) and generated columns inherited by a child table (12+).
     */
    private static String fidelity(int versionNum) {
        StringBuilder sql = new StringBuilder("""
                CREATE TABLE rule_source (id integer PRIMARY KEY, note text);
                CREATE TABLE rule_log (id integer, note text);
                CREATE TABLE rule_ids (id integer);
                CREATE RULE rule_source_delete AS ON DELETE TO rule_source
                  DO ALSO (INSERT INTO rule_log VALUES (old.id, old.note); INSERT INTO rule_ids VALUES (old.id));
                INSERT INTO rule_source VALUES (1, 'kept'), (2, 'also kept'), (3, 'deleted; logged twice');
                DELETE FROM rule_source WHERE id = 3;
                CREATE TABLE ddl_log (id serial PRIMARY KEY, tag text NOT NULL);
                CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO everything.ddl_log (tag) VALUES (tg_tag);
                END
                $$;
                COMMENT ON ROLE everything_reader IS 'reads the everything schema; its comment travels too';
                DO $$ BEGIN
                  EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
                  EXECUTE format('GRANT CONNECT ON DATABASE %I TO everything_reader', current_database());
                  EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'one of everything; it''s a test');
                  EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '8MB');
                  EXECUTE format('ALTER ROLE everything_reader IN DATABASE %I SET statement_timeout = %L',
                    current_database(), '30s');
                END $$;
                """);
        boolean icuKeywords = versionNum >= 100000;
        boolean nondeterministic = versionNum >= 120000;
        sql.append("DO $$ BEGIN\n  IF ").append(icuKeywords ? "EXISTS (SELECT 1 FROM pg_collation WHERE "
                + "collprovider = 'i')" : "false").append(" THEN\n    CREATE COLLATION everything.ci (provider = icu, "
                + "locale = 'und-u-ks-level2'").append(nondeterministic ? ", deterministic = false" : "")
                .append(");\n  ELSE\n    CREATE COLLATION everything.ci (locale = 'C');\n  END IF;\nEND $$;\n");
        sql.append("""
                CREATE TABLE keyword_collated (id integer PRIMARY KEY, name text COLLATE ci);
                INSERT INTO keyword_collated VALUES (1, 'Straße'), (2, 'strasse'), (3, 'ZURICH'), (4, 'zürich');
                """);
        if (versionNum >= 120000) {
            sql.append("""
                    CREATE TABLE generated_parent (id integer, a integer, doubled integer GENERATED ALWAYS AS (a * 2) STORED);
                    CREATE TABLE generated_child (note text) INHERITS (generated_parent);
                    INSERT INTO generated_parent (id, a) VALUES (1, 10);
                    INSERT INTO generated_child (id, a, note) VALUES (2, 20, 'inherits the expression');
                    """);
        }
        if (versionNum >= 140000) {
            sql.append("""
                    DO $$ BEGIN
                      EXECUTE 'CREATE TABLE everything.compressed (id integer PRIMARY KEY, body text COMPRESSION '
                        || CASE WHEN EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'
                                             AND 'lz4' = ANY (enumvals)) THEN 'lz4' ELSE 'pglz' END || ')';
                    END $$;
                    INSERT INTO compressed SELECT i, repeat(md5(i::text), 200) FROM generate_series(1, 20) AS i;
                    CREATE FUNCTION order_count(c_id integer) RETURNS bigint LANGUAGE sql STABLE
                    BEGIN ATOMIC
                      SELECT count(*) FROM everything.orders WHERE customer_id = c_id;
                    END;
                    CREATE FUNCTION mood_label(m mood) RETURNS text LANGUAGE sql IMMUTABLE
                    BEGIN ATOMIC
                      SELECT CASE m WHEN 'sad' THEN 'low' WHEN 'happy' THEN 'high'
                        ELSE CASE WHEN m IS NULL THEN 'none' ELSE 'middle' END END;
                    END;
                    CREATE PROCEDURE log_ids(p integer) LANGUAGE sql
                    BEGIN ATOMIC
                      INSERT INTO everything.rule_ids VALUES (p);
                      INSERT INTO everything.rule_ids VALUES (p + 1);
                    END;
                    CALL log_ids(10);
                    """);
        }
        return sql.toString();
    }
}
