#!/usr/bin/env bash
# Datasets of the end-to-end benchmark, built on the source server. Sourced by run-e2e.sh after servers.sh.

# pgbench's four tables at SCALE, plus 'mixed': 1M rows of text, numeric, timestamptz, jsonb and uuid with a
# primary key and a secondary index.
load_pgbench_mixed() {
    local db="$1" scale="$2"
    src_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    "$PG_BIN/pgbench" -q -i -s "$scale" -p "$SOURCE_PORT" "$db" >/dev/null 2>&1
    src_psql -d "$db" <<'SQL'
CREATE TABLE public.mixed (
    id bigint PRIMARY KEY,
    label text NOT NULL,
    amount numeric(14,2),
    created_at timestamptz,
    attrs jsonb,
    ref uuid
);
INSERT INTO public.mixed
SELECT g,
       'item-' || g || '-' || repeat(chr(97 + g % 26), g % 40),
       (g::bigint * 7919 % 10000000) / 100.0,
       timestamptz '2020-01-01 00:00:00+00' + g * interval '17 seconds',
       jsonb_build_object('k', g % 100, 'tags', jsonb_build_array('a', 'b', g % 7), 'note', md5(g::text)),
       md5(g::text)::uuid
FROM generate_series(1, 1000000) g;
CREATE INDEX mixed_created_at ON public.mixed (created_at);
VACUUM ANALYZE;
SQL
}

# N small tables (id primary key, 10 rows each) in schema 'many' of database DB, committed in batches so that
# no transaction holds thousands of locks.
load_small_tables() {
    local db="$1" n="$2"
    src_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    src_psql -d "$db" -c "CREATE SCHEMA many" -c "
DO \$\$
BEGIN
  FOR i IN 1..$n LOOP
    EXECUTE format('CREATE TABLE many.t%s (id int PRIMARY KEY, v text, at timestamptz DEFAULT now())', i);
    EXECUTE format('INSERT INTO many.t%s (id, v) SELECT g, md5(g::text) FROM generate_series(1, 10) g', i);
    IF i % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
END
\$\$" -c "VACUUM ANALYZE"
}

# DBS databases of TABLES tables each: one built with a DO block, the others copied from it as a template.
load_validation_dbs() {
    local dbs="$1" tables="$2" i
    src_psql -d postgres -c "DROP DATABASE IF EXISTS vdb0" -c "CREATE DATABASE vdb0"
    src_psql -d vdb0 -c "
DO \$\$
BEGIN
  FOR i IN 1..$tables LOOP
    EXECUTE format('CREATE TABLE public.t%s (id int PRIMARY KEY, v text, n numeric, at timestamptz)', i);
    IF i % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
END
\$\$"
    for (( i = 1; i < dbs; i++ )); do
        src_psql -d postgres -c "DROP DATABASE IF EXISTS vdb$i" -c "CREATE DATABASE vdb$i TEMPLATE vdb0 STRATEGY FILE_COPY"
    done
}

drop_validation_dbs() {
    local dbs="$1" i
    for (( i = 0; i < dbs; i++ )); do src_psql -d postgres -c "DROP DATABASE IF EXISTS vdb$i"; done
}

# "schema.table<TAB>rows" for every table of DB on the server at PORT, sorted: the completeness check.
table_counts() {
    local port="$1" db="$2"
    "$PG_BIN/psql" -X -q -At -F $'\t' -p "$port" -d "$db" <<'SQL' | sort
SELECT format('SELECT %L, count(*) FROM %I.%I', n.nspname || '.' || c.relname, n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1
\gexec
SELECT '#indexes', count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%';
SQL
}

database_size() {
    src_psql -d postgres -At -c "SELECT pg_database_size('$1')"
}
