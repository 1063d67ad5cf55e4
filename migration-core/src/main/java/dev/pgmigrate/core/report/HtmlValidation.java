package dev.pgmigrate.core.report;

import static dev.pgmigrate.core.report.HtmlMarkup.validationClass;
import static dev.pgmigrate.core.report.HtmlReport.escape;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The report's validation section: instance first, then each database, the worst first, failures in full. */
final class HtmlValidation {
    private static final int MAX_ITEMS = 25;

    private final MigrationRecord r;
    private final StringBuilder b;

    HtmlValidation(MigrationReport report, StringBuilder b) {
        this.r = report.record();
        this.b = b;
    }

    /** Appends the section. */
    void append() {
        b.append("<section id=\"validation\">\n<h2>Validation");
        r.validationStatus().ifPresent(s -> b.append(" <span class=\"badge ").append(validationClass(s)).append("\">")
                .append(escape(s.label())).append("</span>"));
        b.append("</h2>\n");
        List<ValidationResult> results = r.validationResults();
        if (results.isEmpty()) {
            b.append("<p class=\"muted\">").append(r.spec().option().validates() ? "No check has reported yet."
                    : "Skipped: the migration option is Migrate.").append("</p>\n</section>\n");
            return;
        }
        Figures.Tally tally = Figures.Tally.of(results);
        b.append("<p class=\"muted\">").append(tally.failed()).append(" failed &middot; ").append(tally.warnings())
                .append(" warnings &middot; ").append(tally.succeeded()).append(" succeeded</p>\n");
        // Instance first, then the databases, the worst first, in the spec's order among equals.
        Set<Optional<String>> named = new LinkedHashSet<>();
        r.spec().databases().forEach(db -> named.add(Optional.of(db)));
        results.forEach(v -> v.database().ifPresent(db -> named.add(Optional.of(db))));
        List<Optional<String>> scopes = new ArrayList<>();
        scopes.add(Optional.empty());
        named.stream().sorted(Comparator.comparing((Optional<String> db) -> worst(results, db),
                Comparator.reverseOrder())).forEach(scopes::add);
        for (Optional<String> scope : scopes) {
            List<ValidationResult> here = results.stream().filter(v -> v.database().equals(scope))
                    .sorted(Comparator.comparing(ValidationResult::status, Comparator.reverseOrder())
                            .thenComparing(ValidationResult::validatorId))
                    .toList();
            if (here.isEmpty()) {
                continue;
            }
            Figures.Tally t = Figures.Tally.of(here);
            b.append("<div class=\"group\"><h3>").append(scope.map(db -> "Database " + escape(db)).orElse("Instance"))
                    .append(" <span class=\"tally\">").append(t.failed()).append(" failed, ").append(t.warnings())
                    .append(" warnings, ").append(t.succeeded()).append(" succeeded</span></h3>\n");
            for (ValidationResult v : here) {
                if (v.status() != ValidationStatus.SUCCEEDED) {
                    finding(v);
                }
            }
            List<ValidationResult> passed = here.stream().filter(v -> v.status() == ValidationStatus.SUCCEEDED)
                    .toList();
            if (!passed.isEmpty()) {
                b.append("<details class=\"passed\"><summary>").append(passed.size())
                        .append(passed.size() == 1 ? " check" : " checks").append(" succeeded</summary><ul>");
                for (ValidationResult v : passed) {
                    b.append("<li><code>").append(escape(v.validatorId())).append("</code> ").append(escape(v.found()))
                            .append("</li>");
                }
                b.append("</ul></details>\n");
            }
            b.append("</div>\n");
        }
        b.append("</section>\n");
    }

    private static ValidationStatus worst(List<ValidationResult> results, Optional<String> scope) {
        return results.stream().filter(v -> v.database().equals(scope)).map(ValidationResult::status)
                .reduce(ValidationStatus::worst).orElse(ValidationStatus.SUCCEEDED);
    }

    private void finding(ValidationResult v) {
        b.append("<div class=\"finding ").append(validationClass(v.status())).append("\">\n<div class=\"fhead\">")
                .append("<span class=\"pill ").append(validationClass(v.status())).append("\">")
                .append(escape(v.status().label())).append("</span> <code>").append(escape(v.validatorId()))
                .append("</code></div>\n<p class=\"found\">").append(escape(v.found())).append("</p>\n");
        if (!v.items().isEmpty()) {
            b.append("<ul class=\"items\">");
            v.items().stream().limit(MAX_ITEMS).forEach(i -> b.append("<li>").append(escape(i)).append("</li>"));
            if (v.items().size() > MAX_ITEMS) {
                b.append("<li class=\"more\">and ").append(v.items().size() - MAX_ITEMS).append(" more</li>");
            }
            b.append("</ul>\n");
        }
        if (!v.why().isBlank()) {
            b.append("<p class=\"why\"><b>Why it matters</b> ").append(escape(v.why())).append("</p>\n");
        }
        b.append("<p class=\"remedy\"><b>What to do</b> ").append(escape(v.remedy())).append("</p>\n</div>\n");
    }
}
