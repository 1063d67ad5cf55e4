package dev.pgmigrate.core.report;

import static dev.pgmigrate.core.report.HtmlMarkup.statusClass;
import static dev.pgmigrate.core.report.HtmlMarkup.statusText;
import static dev.pgmigrate.core.report.HtmlMarkup.time;
import static dev.pgmigrate.core.report.HtmlReport.escape;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.VerificationReport;
import java.util.List;
import java.util.Optional;

/** The top of the HTML report: the migration's name, status, servers and facts, then the cards of totals. */
final class HtmlSummary {
    private final MigrationReport report;
    private final MigrationRecord r;
    private final StringBuilder b;

    HtmlSummary(MigrationReport report, StringBuilder b) {
        this.report = report;
        this.r = report.record();
        this.b = b;
    }

    /** Appends the header and the cards. */
    void append() {
        header();
        cards();
    }

    private void header() {
        b.append("<header>\n<div class=\"title\"><h1>Migration <span class=\"name\">").append(escape(r.name()))
                .append("</span></h1>");
        b.append("<span id=\"status\" class=\"badge ").append(statusClass(r.status())).append("\">")
                .append(statusText(r)).append("</span>");
        if (!r.substatus().label().equals(r.status().label())) {
            b.append("<span class=\"substatus\">").append(escape(r.substatus().label())).append("</span>");
        }
        b.append("</div>\n");
        b.append("<div class=\"route\">").append(server(r.spec().source(), "Source"))
                .append("<span class=\"arrow\" aria-label=\"to\">&rarr;</span>")
                .append(server(r.spec().target(), "Target")).append("</div>\n");
        b.append("<dl class=\"facts\">");
        fact("Databases", joinEscaped(r.spec().databases()));
        fact("Migration type", escape(r.spec().option().displayName()) + ", " + escape(r.spec().mode().label()));
        fact("Started", time(r.createdAt()));
        fact(r.endedAt().isPresent() ? "Ended" : r.interrupted() ? "Interrupted" : "Running for",
                r.endedAt().map(HtmlMarkup::time).orElse(escape(r.interrupted() ? "its process died; nothing runs it"
                        : Units.duration(r.duration(report.now())))));
        fact("Duration", escape(Units.duration(r.duration(report.now()))));
        fact("Settings", escape(settings(r.spec().settings())));
        b.append("</dl>\n");
        if (r.interrupted()) {
            b.append("<p class=\"alert\">The process running this migration died before it ended. Resume it from "
                    + "where it stopped: <code>pgmigrate migration resume --name ").append(escape(r.name()))
                    .append("</code>, or cancel it to roll back what it made: <code>pgmigrate migration cancel --name ")
                    .append(escape(r.name())).append("</code></p>\n");
        } else if (r.cancelRequested() && !r.status().isFinal()) {
            b.append("<p class=\"alert\">A cancel was asked for; the migration is stopping and rolling back.</p>\n");
        } else if (r.status() == MigrationStatus.WAITING_FOR_USER_ACTION && r.cutoverRequestedAt().isEmpty()) {
            b.append("<p class=\"alert info\">Every database follows the source. Once the writes to the source have "
                    + "stopped, trigger the cutover with: <code>pgmigrate migration update --cutover --name ")
                    .append(escape(r.name())).append("</code></p>\n");
        }
        b.append("</header>\n");
    }

    private String server(ServerSpec s, String role) {
        StringBuilder out = new StringBuilder("<div class=\"server\"><span class=\"role\">").append(role)
                .append("</span><span class=\"address\">").append(escape(s.address())).append("</span>");
        out.append("<span class=\"detail\">").append(escape(s.type().label())).append(" &middot; login ")
                .append(escape(s.adminLogin())).append(" &middot; sslmode ").append(escape(s.sslMode().label()));
        s.fullyQualifiedDomainName().ifPresent(f -> out.append(" &middot; connects to ").append(escape(f)));
        return out.append("</span></div>").toString();
    }

    private void fact(String name, String html) {
        b.append("<div><dt>").append(name).append("</dt><dd>").append(html).append("</dd></div>");
    }

    private static String joinEscaped(List<String> values) {
        return String.join(", ", values.stream().map(HtmlReport::escape).toList());
    }

    private static String settings(MigrationSettings s) {
        return "parallelism " + s.parallelism() + ", overwrite " + s.overwriteDbsInTarget() + ", roles "
                + s.migrateRoles() + ", verify " + s.verify() + ", server parameters " + s.serverParameters().label()
                + (s.skipAnalyze() ? ", skip analyze" : "") + (s.selection().takesEverything() ? "" : ", selection " + s.selection().summary());
    }

    private void cards() {
        Figures.Totals t = report.totals();
        b.append("<section class=\"cards\">\n");
        card("Tables", Units.count(t.completed()) + " / " + Units.count(t.tables()),
                "completed" + (t.errored() > 0 ? ", " + t.errored() + " errored" : "") + " in " + t.databases()
                        + (t.databases() == 1 ? " database" : " databases"), t.errored() > 0 ? "bad" : "");
        card("Rows", Units.count(t.rows()), "copied", "");
        card("Data", Units.bytes(t.bytes()), "COPY bytes moved", "");
        card("Copy time", t.copyTime().map(Units::duration).orElse("\u2013"), "while a table was copying", "");
        card("Throughput", Units.megabytesPerSecond(t.bytesPerSecond()) + " MB/s", "over the copy time", "");
        r.downtime(report.now()).ifPresent(d -> card("Downtime", Units.duration(d), (r.endedAt().isPresent()
                ? "from the cutover request to the end" : "so far: the cutover runs") + ", asked for at "
                + Units.time(r.cutoverRequestedAt().orElseThrow()), ""));
        card("Index builds", t.indexTime().map(Units::duration).orElse("\u2013"), "indexes and constraints, "
                + "summed over workers", "");
        card("ANALYZE", t.analyzeTime().map(Units::duration).orElse("\u2013"), "summed over workers", "");
        Figures.Tally tally = Figures.Tally.of(r.validationResults());
        card("Validation", r.validationStatus().map(ValidationStatus::label).orElse(r.spec().option().validates()
                ? "Not run" : "Skipped"), tally.failed() + " failed, " + tally.warnings() + " warnings, "
                + tally.succeeded() + " succeeded", r.validationStatus().map(HtmlMarkup::validationClass).orElse(""));
        Optional<VerificationReport> v = r.verification();
        boolean dropped = r.status().isRolledBack(); // what it compared, the rollback dropped
        card("Verification", v.map(x -> dropped ? "Rolled back" : x.matches() ? "Identical" : "Differs")
                        .orElse("Not verified"),
                v.map(x -> (dropped ? "of the copy before the rollback (" + (x.matches() ? "identical" : "differed")
                        + "): " : "") + x.tables().size() + " tables, " + x.objects().size() + " counts in "
                        + Units.duration(x.elapsed())).orElse(r.spec().settings().verify() ? "not reached"
                        : "verify is off"), v.map(x -> dropped ? "" : x.matches() ? "ok" : "bad").orElse(""));
        b.append("</section>\n");
    }

    private void card(String name, String value, String detail, String cssClass) {
        b.append("<div class=\"card ").append(cssClass).append("\"><div class=\"label\">").append(name)
                .append("</div><div class=\"value\">").append(escape(value)).append("</div><div class=\"detail\">")
                .append(escape(detail)).append("</div></div>\n");
    }
}
