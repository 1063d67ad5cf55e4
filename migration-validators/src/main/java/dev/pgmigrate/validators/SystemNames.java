package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which system objects the target's major lacks, by name, with the name it has instead where PostgreSQL renamed
 * one: one query on the target's maintenance database, whose system objects every database of the target has.
 */
final class SystemNames {
    /**
     * A system object asked about.
     *
     * @param kind {@code function}, {@code operator}, {@code type}, {@code relation} or {@code column}
     * @param name a function's, operator's, type's or relation's name; a column's relation
     * @param arity a function's number of arguments (null: any), an operator's (2, 1, -1 for infix, prefix, postfix)
     * @param column a column's name, else null
     */
    record Probe(String kind, String schema, String name, Integer arity, String column) {
    }

    /** Functions renamed otherwise than by 10's xlog to wal and location to lsn. */
    private static final Map<String, String> FUNCTIONS = Map.of("pg_start_backup", "pg_backup_start",
            "pg_stop_backup", "pg_backup_stop");

    /** Columns of system views and catalogs renamed or moved, "relation.column" each; else location became lsn. */
    private static final Map<String, String> COLUMNS = Map.ofEntries(
            Map.entry("pg_stat_activity.procpid", "pg_stat_activity.pid"),
            Map.entry("pg_stat_activity.current_query", "pg_stat_activity.query"),
            Map.entry("pg_stat_activity.waiting", "pg_stat_activity.wait_event"),
            Map.entry("pg_stat_wal_receiver.received_lsn", "pg_stat_wal_receiver.flushed_lsn"),
            Map.entry("pg_stat_ssl.clientdn", "pg_stat_ssl.client_dn"),
            Map.entry("pg_proc.proisagg", "pg_proc.prokind"),
            Map.entry("pg_proc.proiswindow", "pg_proc.prokind"),
            Map.entry("pg_proc.protransform", "pg_proc.prosupport"),
            Map.entry("pg_collation.colliculocale", "pg_collation.colllocale"),
            Map.entry("pg_database.daticulocale", "pg_database.datlocale"),
            Map.entry("pg_stat_bgwriter.checkpoints_timed", "pg_stat_checkpointer.num_timed"),
            Map.entry("pg_stat_bgwriter.checkpoints_req", "pg_stat_checkpointer.num_requested"),
            Map.entry("pg_stat_bgwriter.checkpoint_write_time", "pg_stat_checkpointer.write_time"),
            Map.entry("pg_stat_bgwriter.checkpoint_sync_time", "pg_stat_checkpointer.sync_time"),
            Map.entry("pg_stat_bgwriter.buffers_checkpoint", "pg_stat_checkpointer.buffers_written"),
            Map.entry("pg_stat_progress_vacuum.max_dead_tuples", "pg_stat_progress_vacuum.max_dead_tuple_bytes"),
            Map.entry("pg_stat_progress_vacuum.num_dead_tuples", "pg_stat_progress_vacuum.num_dead_item_ids"));

    private static final String SQL = "SELECT x.i, CASE x.kind"
            + " WHEN 'function' THEN (SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid ="
            + " p.pronamespace WHERE n.nspname = x.schema AND p.proname = x.hint ORDER BY p.pronargs = x.arity DESC,"
            + " p.pronargs, p.oid LIMIT 1)"
            + " WHEN 'column' THEN (SELECT quote_ident(c.relname) || '.' || quote_ident(a.attname) FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid WHERE"
            + " n.nspname = x.schema AND c.relname = split_part(x.hint, '.', 1) AND a.attname ="
            + " split_part(x.hint, '.', 2) AND a.attnum > 0 AND NOT a.attisdropped) END"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[]) WITH ORDINALITY"
            + " AS x(kind, schema, name, arity, col, hint, i) WHERE NOT CASE x.kind"
            + " WHEN 'type' THEN EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid ="
            + " t.typnamespace WHERE n.nspname = x.schema AND t.typname = x.name)"
            + " WHEN 'relation' THEN EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid ="
            + " c.relnamespace WHERE n.nspname = x.schema AND c.relname = x.name)"
            // A column of a relation the target lacks is not named: the relation is.
            + " WHEN 'column' THEN NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid ="
            + " c.relnamespace WHERE n.nspname = x.schema AND c.relname = x.name) OR EXISTS (SELECT 1 FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid WHERE"
            + " n.nspname = x.schema AND c.relname = x.name AND a.attname = x.col AND a.attnum > 0 AND NOT"
            + " a.attisdropped)"
            + " WHEN 'operator' THEN EXISTS (SELECT 1 FROM pg_operator o JOIN pg_namespace n ON n.oid ="
            + " o.oprnamespace WHERE n.nspname = x.schema AND o.oprname = x.name AND CASE o.oprkind"
            + " WHEN 'b' THEN 2 WHEN 'l' THEN 1 ELSE -1 END = x.arity)"
            + " ELSE EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE"
            + " n.nspname = x.schema AND p.proname = x.name AND (x.arity IS NULL OR x.arity BETWEEN p.pronargs -"
            + " p.pronargdefaults AND p.pronargs OR p.provariadic <> 0 AND x.arity >= p.pronargs - 1)) END"
            + " ORDER BY x.i";

    private SystemNames() {
    }

    /**
     * The 0-based positions in {@code probes} of the objects the target lacks, each with the name of what the target
     * has instead, if any. A function is present when the target has one of its name taking as many arguments,
     * since the restore resolves a call by name and the values' types.
     */
    static Map<Integer, Optional<String>> missing(ValidationContext context, ServerFacts target, List<Probe> probes)
            throws SQLException {
        Map<Integer, Optional<String>> missing = new LinkedHashMap<>();
        if (probes.isEmpty()) {
            return missing;
        }
        try (Connection connection = context.target().connect(target.maintenanceDatabase())) {
            Sql.list(connection, SQL, rs -> missing.put(rs.getInt(1) - 1, Optional.ofNullable(rs.getString(2))),
                    Sql.textArray(connection, probes.stream().map(Probe::kind).toList()),
                    Sql.textArray(connection, probes.stream().map(Probe::schema).toList()),
                    Sql.textArray(connection, probes.stream().map(Probe::name).toList()),
                    connection.createArrayOf("int4", probes.stream().map(Probe::arity).toArray()),
                    Sql.textArray(connection, probes.stream().map(Probe::column).toList()),
                    Sql.textArray(connection, probes.stream().map(SystemNames::renamed).toList()));
        }
        return missing;
    }

    /** The name PostgreSQL may have given {@code probe} later, for the target to confirm; null when none. */
    private static String renamed(Probe probe) {
        String renamed = switch (probe.kind()) {
            // 10 renamed xlog to wal and location to lsn in every function name (pg_current_xlog_location()).
            case "function" -> FUNCTIONS.getOrDefault(probe.name(), probe.name().replace("xlog", "wal")
                    .replace("location", "lsn"));
            case "column" -> COLUMNS.getOrDefault(probe.name() + "." + probe.column(), probe.name() + "."
                    + probe.column().replace("location", "lsn"));
            default -> null;
        };
        return renamed == null || renamed.equals(probe.name()) || renamed.equals(probe.name() + "." + probe.column())
                ? null : renamed;
    }
}
