package dev.pgmigrate.core.report;

import static dev.pgmigrate.core.report.HtmlMarkup.statusClass;
import static dev.pgmigrate.core.report.HtmlReport.escape;
import static dev.pgmigrate.core.report.HtmlReport.shorten;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSubstatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report's timeline: an inline SVG with a bar per phase, per database and its table copies, and the
 * verification, on one time axis from the migration's start to its end or the report's time.
 */
final class HtmlTimeline {
    private final MigrationReport report;
    private final MigrationRecord r;
    private final StringBuilder b;

    HtmlTimeline(MigrationReport report, StringBuilder b) {
        this.report = report;
        this.r = report.record();
        this.b = b;
    }

    private record Bar(String label, Instant start, Instant end, String cssClass, String value, String tooltip) {
    }

    /** Appends the section: the SVG and its legend. */
    void append() {
        Instant t0 = r.createdAt();
        Instant t1 = report.now();
        long span = Math.max(1, Duration.between(t0, t1).toMillis());
        List<Bar> bars = new ArrayList<>();
        for (PhaseSpan p : report.timeline()) {
            Instant end = p.endedAt().orElse(t1);
            bars.add(new Bar(p.phase().label(), p.startedAt(), end, "ph-" + cssName(p.phase()),
                    Units.duration(p.duration(t1)), p.phase().label() + ": " + Units.duration(p.duration(t1))
                            + (p.recorded() ? "" : " (derived from the record)")));
        }
        int phaseRows = bars.size();
        for (Figures.DatabaseFigures d : report.databases()) {
            DatabaseProgress p = d.progress();
            if (p.startedAt().isEmpty()) {
                continue;
            }
            Instant end = p.endedAt().orElse(t1);
            bars.add(new Bar(p.database(), p.startedAt().get(), end, statusClass(p.status()),
                    Units.duration(Figures.between(p.startedAt().get(), end)), "Database " + p.database() + ": "
                            + p.status().label() + ", " + Units.duration(Figures.between(p.startedAt().get(), end))));
            if (d.copyStartedAt().isPresent() && d.copyEndedAt().isPresent()) {
                bars.add(new Bar("\u2003copy", d.copyStartedAt().get(), d.copyEndedAt().get(), "copy",
                        Units.megabytesPerSecond(d.bytesPerSecond()) + " MB/s", "Table copies in " + p.database()
                                + ": " + d.copyTime().map(Units::duration).orElse("") + ", " + Units.bytes(d.bytes())));
            }
        }
        r.verification().ifPresent(v -> bars.add(new Bar("Verification", v.startedAt(), v.startedAt()
                .plus(v.elapsed()), v.matches() ? "verify" : "st-failed", Units.duration(v.elapsed()),
                "Verification: " + (v.matches() ? "identical" : "differences found") + ", "
                        + Units.duration(v.elapsed()))));

        int left = 230;
        int right = 880;
        int rowHeight = 26;
        int top = 28;
        int height = top + bars.size() * rowHeight + (bars.size() > phaseRows ? 10 : 0) + 8;
        b.append("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
        if (report.timeline().stream().anyMatch(p -> !p.recorded())) {
            b.append("<p class=\"muted\">This migration was stored without phase times; they are derived from "
                    + "its record.</p>\n");
        }
        b.append("<svg class=\"timeline\" viewBox=\"0 0 1000 ").append(height)
                .append("\" width=\"100%\" role=\"img\" aria-label=\"Phases of the migration over time\" "
                        + "xmlns=\"http://www.w3.org/2000/svg\">\n");
        for (int i = 0; i <= 4; i++) {
            double x = left + (right - left) * i / 4.0;
            b.append(String.format(Locale.ROOT, "<line class=\"tick\" x1=\"%.1f\" y1=\"18\" x2=\"%.1f\" y2=\"%d\"/>",
                    x, x, height - 4));
            b.append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%.1f\" y=\"12\" text-anchor=\"middle\">%s"
                    + "</text>\n", x, escape(i == 0 ? "0 s" : "+" + Units.duration(Duration.ofMillis(span * i / 4)))));
        }
        int y = top;
        for (int i = 0; i < bars.size(); i++) {
            if (i == phaseRows && i > 0) {
                b.append(String.format(Locale.ROOT, "<line class=\"divider\" x1=\"0\" y1=\"%d\" x2=\"1000\" "
                        + "y2=\"%d\"/>\n", y + 2, y + 2));
                y += 10;
            }
            Bar bar = bars.get(i);
            double x0 = left + (right - left) * (double) clamp(Duration.between(t0, bar.start()).toMillis(), span) / span;
            double x1 = left + (right - left) * (double) clamp(Duration.between(t0, bar.end()).toMillis(), span) / span;
            double w = Math.max(2, x1 - x0);
            b.append("<g><title>").append(escape(bar.tooltip())).append("</title>");
            b.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%d\" y=\"%d\">%s</text>", left - 8,
                    y + 13, escape(shorten(bar.label(), 30))));
            b.append(String.format(Locale.ROOT, "<rect class=\"bar %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                    + "height=\"16\" rx=\"3\"/>", bar.cssClass(), x0, y + 1, w));
            b.append(String.format(Locale.ROOT, "<text class=\"value\" x=\"%d\" y=\"%d\">%s</text></g>\n", right + 10,
                    y + 13, escape(bar.value())));
            y += rowHeight;
        }
        b.append("</svg>\n<p class=\"legend\">");
        legend("ph-prerequisite", "Prerequisite steps");
        legend("ph-validation", "Validation");
        legend("ph-migrating", "Migrating data");
        legend("ph-completing", "Completing (analyze, verification)");
        legend("copy", "Table copies of a database");
        b.append("</p>\n</section>\n");
    }

    private void legend(String cssClass, String text) {
        b.append("<span><svg width=\"12\" height=\"12\" viewBox=\"0 0 12 12\"><rect class=\"bar ").append(cssClass)
                .append("\" width=\"12\" height=\"12\" rx=\"2\"/></svg> ").append(text).append("</span>");
    }

    private static long clamp(long value, long max) {
        return Math.max(0, Math.min(max, value));
    }

    private static String cssName(MigrationSubstatus phase) {
        return switch (phase) {
            case PERFORMING_PREREQUISITE_STEPS -> "prerequisite";
            case VALIDATION_IN_PROGRESS -> "validation";
            case MIGRATING_DATA -> "migrating";
            case WAITING_FOR_CUTOVER_TRIGGER -> "following";
            case COMPLETING_MIGRATION -> "completing";
            case COMPLETED -> "completed";
            case FAILED -> "failed";
        };
    }
}
