package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The validation report as {@code show}, the end of a run and the demo print it. */
final class ValidationText {
    private static final int WIDTH = Reports.WIDTH;
    private static final String INDENT = Reports.INDENT;

    private ValidationText() {
    }

    /** The validation report: instance level, then each database; failures first, each with its remedy. */
    static String of(MigrationRecord r) {
        List<ValidationResult> results = r.validationResults();
        if (results.isEmpty()) {
            return "Validation: " + (r.spec().option().validates() ? "no results yet" : "skipped (option Migrate)")
                    + "\n";
        }
        StringBuilder b = new StringBuilder();
        b.append("Validation: ").append(r.validationStatus().map(ValidationStatus::label).orElse("-")).append(" (")
                .append(tally(results)).append(")\n");
        List<Optional<String>> scopes = new ArrayList<>();
        scopes.add(Optional.empty());
        r.spec().databases().forEach(db -> scopes.add(Optional.of(db)));
        for (Optional<String> scope : scopes) {
            List<ValidationResult> here = results.stream().filter(v -> v.database().equals(scope))
                    .sorted(Comparator.comparingInt((ValidationResult v) -> severity(v.status())).reversed()
                            .thenComparing(ValidationResult::validatorId))
                    .toList();
            if (here.isEmpty()) {
                continue;
            }
            b.append("  ").append(scope.map(db -> "Database " + db).orElse("Instance")).append(" (")
                    .append(tally(here)).append(")\n");
            for (ValidationResult v : here) {
                if (v.status() == ValidationStatus.SUCCEEDED) {
                    continue;
                }
                b.append(Format.wrap("    " + Format.pad(v.status().label(), 10) + v.validatorId() + ": ", v.found(),
                        WIDTH, INDENT)).append('\n');
                if (!v.items().isEmpty()) {
                    List<String> shown = v.items().stream().limit(10).toList();
                    b.append(Format.wrap(INDENT + "Items: ", String.join(", ", shown)
                            + (v.items().size() > 10 ? ", ... (" + v.items().size() + " in all)" : ""), WIDTH,
                            INDENT)).append('\n');
                }
                if (!v.why().isBlank()) {
                    b.append(Format.wrap(INDENT + "Why: ", v.why(), WIDTH, INDENT)).append('\n');
                }
                b.append(Format.wrap(INDENT + "Fix: ", v.remedy(), WIDTH, INDENT)).append('\n');
            }
            List<String> passed = here.stream().filter(v -> v.status() == ValidationStatus.SUCCEEDED)
                    .map(ValidationResult::validatorId).distinct().toList();
            if (!passed.isEmpty()) {
                b.append(Format.wrap("    Succeeded ", String.join(", ", passed), WIDTH, INDENT)).append('\n');
            }
        }
        return b.toString();
    }

    private static int severity(ValidationStatus s) {
        return switch (s) {
            case FAILED -> 2;
            case WARNING -> 1;
            case SUCCEEDED -> 0;
        };
    }

    private static String tally(List<ValidationResult> results) {
        long failed = results.stream().filter(v -> v.status() == ValidationStatus.FAILED).count();
        long warnings = results.stream().filter(v -> v.status() == ValidationStatus.WARNING).count();
        long ok = results.size() - failed - warnings;
        return failed + " failed, " + warnings + " warning" + (warnings == 1 ? "" : "s") + ", " + ok + " succeeded";
    }
}
