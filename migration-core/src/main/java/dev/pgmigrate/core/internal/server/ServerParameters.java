package dev.pgmigrate.core.internal.server;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerParametersMode;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.JournalKind;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import dev.pgmigrate.core.internal.server.ParameterDifference.Scope;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server parameters set on the source away from their default whose value differs on the target: reported, one
 * note per group, with the statement that would set each; in {@link ServerParametersMode#APPLY} mode, also set
 * where the target login may: {@code ALTER DATABASE ... SET} in each migrated database, {@code ALTER SYSTEM}
 * (journaled with the value it replaces) and a reload for server-wide ones. What needs a restart is only listed:
 * a wrong value there would keep the target from starting again.
 */
public final class ServerParameters {
    private static final Logger log = LoggerFactory.getLogger(ServerParameters.class);

    private final MigrationSpec spec;
    private final RecordKeeper keeper;
    private final Endpoint source;
    private final Endpoint target;
    private final CancelSignal cancel;

    public ServerParameters(MigrationSpec spec, RecordKeeper keeper, Endpoint source, Endpoint target, CancelSignal cancel) {
        this.spec = spec;
        this.keeper = keeper;
        this.source = source;
        this.target = target;
        this.cancel = cancel;
    }

    /** Reports, and in apply mode applies, the parameters that differ. Run once the databases have their names. */
    public void carryOver() throws SQLException {
        List<ParameterDifference> differences;
        try {
            differences = ParameterDifference.between(source.maintenance(), target.maintenance());
        } catch (SQLException e) {
            // Only a report is lost; the migrated data is complete.
            log.warn("Could not compare server parameters", e);
            keeper.note(MessageCode.PARAMETERS_NOT_COMPARED,
                    "Server parameters were not compared: " + Sql.firstLine(e.getMessage())
                    + " (SQLState " + e.getSQLState() + ").");
            return;
        }
        Map<Scope, List<ParameterDifference>> byScope = new EnumMap<>(Scope.class);
        List<ParameterDifference> absent = new ArrayList<>();
        for (ParameterDifference d : differences) {
            if (d.targetValue().isEmpty()) {
                absent.add(d);
            } else {
                Scope.of(d.context()).ifPresent(s -> byScope.computeIfAbsent(s, k -> new ArrayList<>()).add(d));
            }
        }
        if (!absent.isEmpty()) {
            keeper.note(MessageCode.PARAMETERS_COMPARED,
                    "Server parameters set on the source that the target does not have (" + absent.size() + "): "
                    + absent.stream().map(d -> d.name() + " = " + d.sourceValue()).collect(Collectors.joining(", "))
                    + ". Find what replaced them in the target version's release notes.");
        }
        if (differences.isEmpty()) {
            keeper.note(MessageCode.PARAMETERS_COMPARED,
                    "Server parameters: every parameter set on the source has the same value on the target.");
            return;
        }
        if (spec.settings().serverParameters() == ServerParametersMode.APPLY) {
            apply(byScope);
        } else {
            byScope.forEach((scope, list) -> keeper.note(MessageCode.PARAMETERS_COMPARED,
                    "Server parameters that differ on the target, "
                    + scope.description + " (" + list.size() + "): " + list.stream().map(d -> d.describe() + ": "
                            + String.join("; ", statements(scope, d))).collect(Collectors.joining(" | "))
                    + (scope == Scope.RELOAD ? "; then SELECT pg_reload_conf()" : "")
                    + ". Set serverParameters to apply to have the migration set what it may."));
        }
    }

    private List<String> statements(Scope scope, ParameterDifference d) {
        if (scope == Scope.DATABASE) {
            return spec.databases().stream().map(db -> "ALTER DATABASE " + Sql.ident(db) + " SET " + Sql.ident(d.name())
                    + " = " + ParameterValues.valueSql(d.name(), d.sourceValue())).toList();
        }
        return List.of("ALTER SYSTEM SET " + Sql.ident(d.name()) + " = "
                + ParameterValues.valueSql(d.name(), d.sourceValue()));
    }

    private void apply(Map<Scope, List<ParameterDifference>> byScope) throws SQLException {
        ServerFacts facts = target.requireFacts();
        List<String> notApplied = new ArrayList<>();
        Connection c = target.maintenance();
        List<ParameterDifference> perDatabase = byScope.getOrDefault(Scope.DATABASE, List.of());
        if (!perDatabase.isEmpty()) {
            applyPerDatabase(c, facts, perDatabase, notApplied);
        }
        List<ParameterDifference> reload = byScope.getOrDefault(Scope.RELOAD, List.of());
        if (!reload.isEmpty()) {
            applySystemWide(c, facts, reload, notApplied);
        }
        List<ParameterDifference> restart = byScope.getOrDefault(Scope.RESTART, List.of());
        if (!restart.isEmpty()) {
            keeper.note(MessageCode.PARAMETERS_NOT_APPLIED,
                    "Server parameters not applied because they need a restart of the target (" + restart.size()
                    + "): " + restart.stream().map(d -> d.describe() + ": " + statements(Scope.RESTART, d).get(0))
                            .collect(Collectors.joining(" | "))
                    + ". Set them, check the values suit the target machine, and restart it when convenient.");
        }
        if (!notApplied.isEmpty()) {
            keeper.note(MessageCode.PARAMETERS_NOT_APPLIED,
                    "Server parameters not applied (" + notApplied.size() + "): " + String.join(" | ", notApplied)
                    + ". Set them as the target's superuser or through the service's parameter page.");
        }
    }

    private void applyPerDatabase(Connection c, ServerFacts facts, List<ParameterDifference> differences,
            List<String> notApplied) throws SQLException {
        List<String> applied = new ArrayList<>();
        for (String database : spec.databases()) {
            // The database's own settings, copied from the source, win over the source server's.
            Set<String> own = new HashSet<>();
            for (String[] r : Sql.rows(c, "SELECT split_part(unnest(s.setconfig), '=', 1) FROM "
                    + "pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase "
                    + "WHERE d.datname = ? AND s.setrole = 0", database)) {
                own.add(r[0].toLowerCase(java.util.Locale.ROOT));
            }
            for (ParameterDifference d : differences) {
                cancel.check();
                if (own.contains(d.name())) {
                    continue;
                }
                String statement = statements(Scope.DATABASE, d).get(spec.databases().indexOf(database));
                if (d.context().equals("superuser") && !mayDo(c, facts, d.name(), "SET")) {
                    notApplied.add(d.describe() + ": " + statement + " (needs superuser or SET on the parameter)");
                    continue;
                }
                try {
                    Sql.execute(c, statement);
                    applied.add(database + ": " + d.name() + " = " + d.sourceValue());
                } catch (SQLException e) {
                    notApplied.add(d.describe() + ": " + statement + " (" + Sql.firstLine(e.getMessage())
                            + ")");
                }
            }
        }
        if (!applied.isEmpty()) {
            keeper.note(MessageCode.PARAMETERS_APPLIED,
                    "Server parameters applied per database with ALTER DATABASE ... SET (" + applied.size() + "): "
                    + String.join(", ", applied) + ".");
        }
    }

    private void applySystemWide(Connection c, ServerFacts facts, List<ParameterDifference> differences,
            List<String> notApplied) throws SQLException {
        List<String> applied = new ArrayList<>();
        for (ParameterDifference d : differences) {
            cancel.check();
            String statement = statements(Scope.RELOAD, d).get(0);
            if (!mayDo(c, facts, d.name(), "ALTER SYSTEM")) {
                notApplied.add(d.describe() + ": " + statement + " (needs superuser or ALTER SYSTEM on the parameter)");
                continue;
            }
            String previous = autoConfValue(c, facts, d.name());
            keeper.journal(JournalKind.ALTER_SYSTEM, d.name(), previous == null ? "" : "=" + previous);
            try {
                Sql.execute(c, statement);
                applied.add(d.name() + " = " + d.sourceValue() + " (was " + d.targetValue().orElse("unset") + ")");
            } catch (SQLException e) {
                notApplied.add(d.describe() + ": " + statement + " (" + Sql.firstLine(e.getMessage()) + ")");
            }
        }
        if (!applied.isEmpty()) {
            Sql.execute(c, "SELECT pg_catalog.pg_reload_conf()");
            keeper.note(MessageCode.PARAMETERS_APPLIED,
                    "Server parameters applied server-wide with ALTER SYSTEM and a reload (" + applied.size()
                    + "): " + String.join(", ", applied) + ".");
        }
    }

    /** Whether the target login may set {@code name} this way: as superuser, or by a grant from PostgreSQL 15. */
    private static boolean mayDo(Connection c, ServerFacts facts, String name, String privilege) throws SQLException {
        if (facts.superuser()) {
            return true;
        }
        if (!facts.atLeast(150000)) {
            return false;
        }
        return "t".equals(Sql.one(c, "SELECT pg_catalog.has_parameter_privilege(?, ?)", name, privilege));
    }

    /** The value {@code postgresql.auto.conf} gives {@code name}, or {@code null} when it gives none (or is unreadable). */
    private static String autoConfValue(Connection c, ServerFacts facts, String name) throws SQLException {
        if (facts.superuser()) {
            return Sql.one(c, "SELECT setting FROM pg_catalog.pg_file_settings WHERE name = ? "
                    + "AND sourcefile ~ 'postgresql\\.auto\\.conf$' ORDER BY seqno DESC LIMIT 1", name);
        }
        // Without superuser only pg_settings tells; its sourcefile is visible to pg_read_all_settings members.
        return Sql.one(c, "SELECT setting FROM pg_catalog.pg_settings WHERE name = ? "
                + "AND sourcefile ~ 'postgresql\\.auto\\.conf$'", name);
    }

    /** Puts back what {@link #applySystemWide} changed, from its journal entry; safe to run twice. */
    public static void undo(Connection c, String name, String detail) throws SQLException {
        Sql.execute(c, detail.isEmpty() ? "ALTER SYSTEM RESET " + Sql.ident(name)
                : "ALTER SYSTEM SET " + Sql.ident(name) + " = " + ParameterValues.valueSql(name, detail.substring(1)));
        Sql.execute(c, "SELECT pg_catalog.pg_reload_conf()");
    }
}
