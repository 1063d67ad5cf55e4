package dev.pgmigrate.core.report;

import static dev.pgmigrate.core.report.HtmlMarkup.time;
import static dev.pgmigrate.core.report.HtmlReport.escape;
import static dev.pgmigrate.core.report.HtmlReport.shorten;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.VerificationReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The report's verification section: every table compared, mismatches first, and the object counts. */
final class HtmlVerification {
    private final MigrationReport report;
    private final MigrationRecord r;
    private final StringBuilder b;

    HtmlVerification(MigrationReport report, StringBuilder b) {
        this.report = report;
        this.r = report.record();
        this.b = b;
    }

    /** Appends the section. */
    void append() {
        b.append("<section id=\"verification\">\n<h2>Verification");
        Optional<VerificationReport> found = r.verification();
        if (found.isEmpty()) {
            b.append("</h2>\n<p class=\"muted\">").append(r.spec().settings().verify()
                    ? "Not verified: the migration did not reach verification."
                    : "Not verified: the setting verify is off.").append("</p>\n</section>\n");
            return;
        }
        VerificationReport v = found.get();
        // Once rolled back, what was compared was a copy the rollback dropped: nothing on the target.
        boolean dropped = r.status().isRolledBack();
        b.append(" <span id=\"verification-result\" class=\"badge ").append(dropped ? "" : v.matches() ? "ok" : "bad")
                .append("\">").append(dropped ? "Of a copy rolled back" : v.matches() ? "Identical"
                        : "Differences found").append("</span></h2>\n");
        long rows = v.tables().stream().mapToLong(TableVerification::targetRows).sum();
        if (dropped) {
            b.append("<p class=\"muted\">Made before the rollback, which dropped the copy it compared: it describes "
                    + "nothing on the target.</p>\n");
        }
        b.append("<p>").append(dropped ? v.matches() ? "The copy matched the source: " : "The copy differed from the "
                + "source: " : v.matches() ? "The target matches the source: " : "The target differs from the "
                        + "source: ").append(Units.count(v.tables().size())).append(" tables (")
                .append(Units.count(rows)).append(" rows) compared by row count and content checksum, and ")
                .append(Units.count(v.objects().size())).append(" object counts and sequence values, in ")
                .append(escape(Units.duration(v.elapsed())));
        report.totals().copyTime().ifPresent(c -> b.append(" (the copy took ").append(escape(Units.duration(c)))
                .append(')'));
        b.append(". Started ").append(time(v.startedAt())).append(".</p>\n");
        if (!v.matches()) {
            b.append("<p class=\"alert\">").append(v.tableMismatches().size()).append(" table(s) and ")
                    .append(v.objectMismatches().size()).append(" count(s) differ; they are highlighted below.</p>\n");
        }
        if (!v.tables().isEmpty()) {
            b.append("<table class=\"grid verify\">\n<thead><tr><th>Database</th><th>Table</th><th class=\"num\">"
                    + "Source rows</th><th class=\"num\">Target rows</th><th>Checksum</th><th>Result</th></tr></thead>"
                    + "\n<tbody>\n");
            List<TableVerification> tables = new ArrayList<>(v.tables());
            tables.sort(Comparator.comparingInt(t -> t.matches() ? 1 : 0));
            for (TableVerification t : tables) {
                boolean same = t.sourceChecksum().equals(t.targetChecksum());
                b.append("<tr").append(t.matches() ? "" : " class=\"bad\"").append("><td>").append(escape(t.database()))
                        .append("</td><td class=\"ident\">").append(escape(t.schema())).append("<span class=\"dot\">."
                                + "</span>").append(escape(t.table())).append("</td><td class=\"num\">")
                        .append(Units.count(t.sourceRows())).append("</td><td class=\"num\">")
                        .append(Units.count(t.targetRows())).append("</td><td>");
                if (t.difference().isPresent()) {
                    b.append(escape(t.difference().get()));
                } else if (same) {
                    b.append("<span class=\"muted\" title=\"").append(escape(t.sourceChecksum())).append("\">equal</span>");
                } else {
                    b.append("<code>").append(escape(shorten(t.sourceChecksum(), 14))).append("</code> &ne; <code>")
                            .append(escape(shorten(t.targetChecksum(), 14))).append("</code>");
                }
                b.append("</td><td>").append(t.matches() ? "<span class=\"state st-succeeded\">match</span>"
                        : "<span class=\"state st-failed\">MISMATCH</span>").append("</td></tr>\n");
            }
            b.append("</tbody>\n</table>\n");
        }
        List<ObjectCount> mismatched = v.objectMismatches();
        if (!mismatched.isEmpty()) {
            b.append("<h3>Counts that differ</h3>\n");
            objectTable(mismatched);
        }
        if (!v.objects().isEmpty()) {
            b.append("<details><summary>All ").append(v.objects().size())
                    .append(" object counts and sequence values</summary>\n");
            objectTable(v.objects());
            b.append("</details>\n");
        }
        b.append("</section>\n");
    }

    private void objectTable(List<ObjectCount> objects) {
        b.append("<table class=\"grid objects\">\n<thead><tr><th>Database</th><th>Schema</th><th>Kind</th>"
                + "<th class=\"num\">Source</th><th class=\"num\">Target</th></tr></thead>\n<tbody>\n");
        for (ObjectCount o : objects) {
            b.append("<tr").append(o.matches() ? "" : " class=\"bad\"").append("><td>").append(escape(o.database()))
                    .append("</td><td>").append(escape(o.schema())).append("</td><td>").append(escape(o.kind()))
                    .append("</td><td class=\"num\">").append(Units.count(o.source())).append("</td><td class=\"num\">")
                    .append(Units.count(o.target())).append("</td></tr>\n");
        }
        b.append("</tbody>\n</table>\n");
    }
}
