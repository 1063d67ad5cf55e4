package dev.pgmigrate.benchmarks;

import dev.pgmigrate.api.spi.CopyColumn;
import dev.pgmigrate.api.spi.CopyTask;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/** The tables the copy benchmarks move, how to fill them, and how they are split into tasks. */
enum BenchTable {
    /** A few integers per row: per-row overhead dominates. */
    NARROW("narrow", "CREATE TABLE narrow (a int, b int, c int, d bigint)",
            "INSERT INTO narrow SELECT g, g % 1000, -g, g::bigint * 7919 FROM generate_series(1, 3000000) g", 1),
    /** Text, numeric, timestamptz, jsonb and uuid: the mixed business table. */
    WIDE("wide", "CREATE TABLE wide (id bigint, name text, amount numeric(12,2), created timestamptz,"
            + " attrs jsonb, ref uuid)",
            "INSERT INTO wide SELECT g, 'customer ' || md5(g::text), (g % 100000) / 7.0,"
            + " timestamptz '2020-01-01' + g * interval '17 s',"
            + " jsonb_build_object('tier', g % 5, 'tags', jsonb_build_array('a', 'b', g % 13), 'ok', g % 2 = 0),"
            + " md5(g::text)::uuid FROM generate_series(1, 600000) g", 1),
    /** 4 kB of incompressible bytes per row, stored out of line in TOAST. */
    BYTEA("bytea_heavy", "CREATE TABLE bytea_heavy (id int, payload bytea)",
            "INSERT INTO bytea_heavy SELECT g, (SELECT decode(string_agg(md5(random()::text || g || i), ''), 'hex')"
            + " FROM generate_series(1, 256) i) FROM generate_series(1, 30000) g", 1),
    /** The narrow table again, split in four TID ranges copied by two workers at once. */
    NARROW_RANGES("narrow", null, null, 4);

    final String table;
    private final String ddl;
    private final String fill;
    final int parts;

    BenchTable(String table, String ddl, String fill, int parts) {
        this.table = table;
        this.ddl = ddl;
        this.fill = fill;
        this.parts = parts;
    }

    /** JMH parameter values are the constants' names in lower case. */
    static BenchTable of(String param) {
        return valueOf(param.toUpperCase(java.util.Locale.ROOT));
    }

    String param() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Creates the table on both servers and fills it on the source, unless the source has it already. */
    static void createAll(Endpoint source, Endpoint target) throws SQLException {
        for (Endpoint e : List.of(source, target)) {
            try (Connection c = e.connect("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'bench'")) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    s.execute("CREATE DATABASE bench");
                }
            }
        }
        for (BenchTable t : values()) {
            if (t.ddl == null) {
                continue;
            }
            String exists = "SELECT to_regclass('public." + t.table + "') IS NOT NULL";
            if (!single(source, exists).equals("t")) {
                source.execute(Endpoint.DATABASE, t.ddl, t.fill, "VACUUM ANALYZE " + t.table);
            }
            if (!single(target, exists).equals("t")) {
                target.execute(Endpoint.DATABASE, t.ddl);
            }
        }
        source.execute(Endpoint.DATABASE, "CHECKPOINT");
    }

    static String single(Endpoint e, String sql) throws SQLException {
        try (Connection c = e.connect(Endpoint.DATABASE); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The tasks this table is copied as: one, or {@link #parts} TID ranges over the table's pages. */
    List<CopyTask> tasks(Connection source) throws SQLException {
        List<CopyColumn> columns = new ArrayList<>();
        long pages;
        try (Statement s = source.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                    + " WHERE attrelid = 'public." + table + "'::regclass AND attnum > 0 AND NOT attisdropped"
                    + " ORDER BY attnum")) {
                while (rs.next()) {
                    columns.add(new CopyColumn(rs.getString(1), rs.getString(2), true));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT pg_relation_size('public." + table + "') / 8192")) {
                rs.next();
                pages = rs.getLong(1);
            }
        }
        List<CopyTask> tasks = new ArrayList<>();
        long step = pages / parts + 1;
        for (int part = 1; part <= parts; part++) {
            Optional<String> filter = Optional.empty();
            if (parts > 1) {
                String from = "ctid >= '(" + (part - 1) * step + ",0)'";
                filter = Optional.of(part == parts ? from : from + " AND ctid < '(" + part * step + ",0)'");
            }
            tasks.add(new CopyTask(Endpoint.DATABASE, "public", table, columns, filter, part, parts,
                    pages * 8192 / parts, false));
        }
        return tasks;
    }

    /** The table's size as binary COPY bytes and its row count, read from the source once. */
    long[] binaryCopyBytesAndRows(Endpoint source) throws SQLException {
        try (Connection c = source.connect(Endpoint.DATABASE)) {
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY public." + table + " TO STDOUT (FORMAT binary)");
            long bytes = 0;
            long messages = 0;
            byte[] row;
            while ((row = out.readFromCopy()) != null) {
                bytes += row.length;
                messages++;
            }
            return new long[] {bytes, messages - 1};
        }
    }
}
