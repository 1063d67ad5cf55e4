package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.LeftOut;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.SelectionDependencies;
import dev.pgmigrate.core.internal.pg.SelectionOutputs;
import dev.pgmigrate.core.internal.pg.SourceSelection;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spec's selection checked on each source database before anything moves, as the engine's own check
 * {@value #ID}: a pattern that takes objects must match some (Failed), a moved object must not need one left out
 * (Failed), an exclusion that matches nothing is likely a typo (Warning), and otherwise it says what stays behind.
 * What it leaves out also reaches every validator ({@code ValidationContext.leftOut()}), so a table left out cannot
 * fail a check.
 */
final class SelectionCheck {
    static final String ID = "selection";
    private static final Logger log = LoggerFactory.getLogger(SelectionCheck.class);

    /** The selection resolved on one database, with the moved objects that need one it leaves out. */
    record Resolved(SourceSelection selection, List<SelectionDependencies.Missing> missing) {
        Resolved {
            missing = List.copyOf(missing);
        }
    }

    private SelectionCheck() {
    }

    /**
     * The selection resolved on each database of the spec that the source has, read at once on {@code executor};
     * empty when the selection takes everything. A database that cannot be read is left to {@code source-database}.
     */
    static Map<String, Resolved> resolve(MigrationSpec spec, Endpoint source, ExecutorService executor)
            throws InterruptedException {
        Map<String, Resolved> resolved = new LinkedHashMap<>();
        if (spec.settings().selection().takesEverything()) {
            return resolved;
        }
        Map<String, Future<Resolved>> futures = new LinkedHashMap<>();
        for (String database : spec.databases()) {
            futures.put(database, executor.submit(() -> {
                try (Connection c = source.connector().openReadOnly(database)) {
                    SourceSelection selection = SourceSelection.resolve(c, spec.settings().selection());
                    return new Resolved(selection, SelectionDependencies.find(c, selection));
                }
            }));
        }
        for (Map.Entry<String, Future<Resolved>> e : futures.entrySet()) {
            try {
                resolved.put(e.getKey(), e.getValue().get());
            } catch (ExecutionException failed) {
                // The database is missing or unreadable: source-database and source-connectivity say so.
                log.debug("The selection could not be resolved on database {}", e.getKey(), failed.getCause());
            }
        }
        return resolved;
    }

    /** What the validators of {@code database} skip. */
    static LeftOut leftOut(Optional<Resolved> resolved) {
        if (resolved.isEmpty() || resolved.get().selection().isEverything()) {
            return LeftOut.NOTHING;
        }
        SourceSelection selection = resolved.get().selection();
        Set<Long> relations = new HashSet<>();
        selection.leftOut().forEach(r -> relations.add(r.oid()));
        Set<Long> rows = new HashSet<>();
        selection.rowsLeftOut().forEach(r -> rows.add(r.oid()));
        return new LeftOut(relations, rows, Set.copyOf(selection.schemasLeftOut()));
    }

    /** The check's results for one database. */
    static List<ValidationResult> results(String database, Resolved resolved) {
        SourceSelection selection = resolved.selection();
        List<ValidationResult> results = new ArrayList<>();
        List<String> missing = selection.unmatched().stream().filter(SourceSelection.Unmatched::include)
                .map(u -> u.field() + " = " + u.pattern()).toList();
        List<String> idle = selection.unmatched().stream().filter(u -> !u.include())
                .map(u -> u.field() + " = " + u.pattern()).toList();
        if (!missing.isEmpty()) {
            results.add(result(database, ValidationStatus.FAILED, missing.size() + " pattern(s) of the selection "
                    + "match nothing in database " + database + " on the source: " + String.join(", ", missing) + ".",
                    "A pattern that takes objects but names none is a typo or the wrong database; pg_dump stops "
                    + "on it too (no matching tables were found).", "Fix each pattern (unquoted letters are "
                    + "lower-cased: quote a name with capitals, \"Orders\"; a table pattern without a schema "
                    + "looks on the login's search_path), or leave it out.", missing));
        }
        List<String> alone = selection.partitionsAlone();
        if (!alone.isEmpty()) {
            results.add(result(database, ValidationStatus.FAILED, alone.size() + " partition(s) the table patterns "
                    + "take without their partitioned table in database " + database + ": " + String.join(", ", alone)
                    + ".", "A partition moves with its partitioned table; alone it would move nothing.", "Select the "
                    + "partitioned table too; excludeTables leaves out the partitions not wanted.", alone));
        }
        List<String> outside = selection.outsideSchemas();
        if (!outside.isEmpty()) {
            results.add(result(database, ValidationStatus.FAILED, outside.size() + " table pattern(s) match only "
                    + "tables in schemas the schema selection leaves out in database " + database + ": "
                    + String.join(", ", outside) + ".", "Those tables move only with their schema, so the pattern "
                    + "would move nothing; pg_dump's -t takes them whatever -n and -N say.", "Select their schemas "
                    + "too (schemas, -n), keep them out of excludeSchemas (-N), or fix the pattern.", outside));
        }
        List<String> needed = resolved.missing().stream().map(SelectionDependencies.Missing::describe).toList();
        if (!needed.isEmpty()) {
            results.add(result(database, ValidationStatus.FAILED, needed.size() + " moved object(s) need(s) what the "
                    + "selection leaves out in database " + database + ": " + String.join(", ", needed) + ".",
                    "pg_dump would dump each without what it needs: the restore fails once the rows are copied, and "
                    + "the migration rolls back.", resolved.missing().stream().map(SelectionDependencies.Missing::remedy)
                    .distinct().collect(Collectors.joining("; ")) + ".", needed));
        }
        List<String> memberships = selection.membershipsLeftOut();
        if (!memberships.isEmpty()) {
            results.add(result(database, ValidationStatus.WARNING, memberships.size() + " publication membership(s) "
                    + "of what the selection leaves out in database " + database + " will be dropped, as pg_dump drops "
                    + "them: " + String.join(", ", memberships) + ".", "Each publication moves without the table or "
                    + "schema left out: a subscriber of the target's publication would not get its rows.", "Nothing, "
                    + "if the target's publications need not publish what stays on the source; otherwise select those "
                    + "tables and schemas too.", memberships));
        }
        if (!idle.isEmpty()) {
            results.add(result(database, ValidationStatus.WARNING, idle.size() + " exclusion pattern(s) match "
                    + "nothing in database " + database + ": " + String.join(", ", idle) + ".", "An exclusion that "
                    + "matches nothing leaves nothing out: if it holds a typo, what it was meant to leave out "
                    + "moves.", "Check the spelling of each pattern; leave out those this database does not need.",
                    idle));
        }
        if (missing.isEmpty() && alone.isEmpty() && outside.isEmpty() && needed.isEmpty()) {
            results.add(result(database, ValidationStatus.SUCCEEDED, SelectionOutputs.describe(selection, database)
                    + " " + selection.moved().size() + " table(s), view(s) and sequence(s) move.", "", "",
                    selection.leftOut().stream().map(SourceSelection.Relation::qualifiedName).toList()));
        }
        return results;
    }

    private static ValidationResult result(String database, ValidationStatus status, String found, String why,
            String remedy, List<String> items) {
        return new ValidationResult(ID, ValidationScope.DATABASE, Optional.of(database), status, found, why, remedy,
                items);
    }
}
