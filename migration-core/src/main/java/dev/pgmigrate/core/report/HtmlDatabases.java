package dev.pgmigrate.core.report;

import static dev.pgmigrate.core.report.HtmlMarkup.statusClass;
import static dev.pgmigrate.core.report.HtmlMarkup.time;
import static dev.pgmigrate.core.report.HtmlReport.escape;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ReplicationProgress;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The report's section of databases and tables: every table's state, rows, bytes, time, throughput and mover, and
 * an online migration's replication into each database.
 */
final class HtmlDatabases {
    private final MigrationReport report;
    private final MigrationRecord r;
    private final StringBuilder b;

    HtmlDatabases(MigrationReport report, StringBuilder b) {
        this.report = report;
        this.r = report.record();
        this.b = b;
    }

    /** Appends the section, a table of tables per database, errored tables first. */
    void append() {
        b.append("<section id=\"databases\">\n<h2>Databases and tables</h2>\n");
        for (Figures.DatabaseFigures d : report.databases()) {
            DatabaseProgress p = d.progress();
            b.append("<div class=\"db\">\n<h3>").append(escape(p.database())).append(" <span class=\"badge ")
                    .append(statusClass(p.status())).append("\">").append(escape(p.status().label()))
                    .append("</span></h3>\n<p class=\"dbfacts\">");
            b.append(Units.count(d.tables().size())).append(d.tables().size() == 1 ? " table" : " tables")
                    .append(" (").append(p.count(TableState.COMPLETED)).append(" completed");
            if (p.count(TableState.ERRORED) > 0) {
                b.append(", ").append(p.count(TableState.ERRORED)).append(" errored");
            }
            if (p.count(TableState.LOADING) + p.count(TableState.QUEUED) > 0) {
                b.append(", ").append(p.count(TableState.LOADING)).append(" loading, ")
                        .append(p.count(TableState.QUEUED)).append(" queued");
            }
            b.append(") &middot; ").append(Units.count(d.rows())).append(" rows &middot; ")
                    .append(escape(Units.bytes(d.bytes())));
            d.time().ifPresent(t -> b.append(" &middot; database ").append(escape(Units.duration(t))));
            d.copyTime().ifPresent(t -> b.append(" &middot; copy ").append(escape(Units.duration(t)))
                    .append(" at ").append(Units.megabytesPerSecond(d.bytesPerSecond())).append(" MB/s"));
            d.indexTime().ifPresent(t -> b.append(" &middot; index builds ").append(escape(Units.duration(t))));
            d.analyzeTime().ifPresent(t -> b.append(" &middot; ANALYZE ").append(escape(Units.duration(t))));
            b.append("</p>\n");
            p.replication().ifPresent(rp -> replication(p, rp));
            p.message().ifPresent(m -> b.append("<p class=\"message\">").append(escape(m)).append("</p>\n"));
            if (d.tables().isEmpty()) {
                b.append("<p class=\"muted\">").append(p.startedAt().isPresent() ? "No tables."
                        : r.status().isFinal() ? "Not migrated." : "Not started yet.").append("</p>\n</div>\n");
                continue;
            }
            long maxBytes = Math.max(1, d.tables().stream().mapToLong(t -> t.progress().bytes()).max().orElse(1));
            boolean parts = d.tables().stream().anyMatch(t -> t.progress().parts() > 1);
            // Records stored before 0.3 kept no build times: their columns are left out.
            boolean builds = d.indexTime().isPresent() || d.analyzeTime().isPresent();
            b.append("<table class=\"grid tables\">\n<thead><tr><th>Table</th><th>State</th><th class=\"num\">Rows"
                    + "</th><th class=\"num\">Bytes</th>").append(parts ? "<th class=\"num\">Parts</th>" : "")
                    .append("<th class=\"num\">Time</th><th class=\"num\">MB/s</th><th class=\"num\">Rows/s</th>")
                    .append(builds ? "<th class=\"num\">Indexes</th><th class=\"num\">Index time</th>"
                            + "<th class=\"num\">ANALYZE</th>" : "")
                    .append("<th>Mover</th></tr></thead>\n<tbody>\n");
            List<Figures.TableFigures> tables = new ArrayList<>(d.tables());
            tables.sort(Comparator.comparingInt(t -> t.progress().state() == TableState.ERRORED ? 0 : 1));
            for (Figures.TableFigures t : tables) {
                TableProgress tp = t.progress();
                boolean errored = tp.state() == TableState.ERRORED;
                b.append("<tr").append(errored ? " class=\"bad\"" : "").append("><td class=\"ident\">")
                        .append(escape(tp.schema())).append("<span class=\"dot\">.</span>").append(escape(tp.table()))
                        .append("</td><td><span class=\"state ").append(stateClass(tp.state())).append("\">")
                        .append(escape(tp.state().label())).append("</span></td><td class=\"num\">")
                        .append(Units.count(tp.rows())).append("</td><td class=\"num\"><span class=\"sizebar\" style="
                                + "\"width:").append(String.format(Locale.ROOT, "%.0f", 60.0 * tp.bytes() / maxBytes))
                        .append("px\"></span>").append(escape(Units.bytes(tp.bytes()))).append("</td>");
                if (parts) {
                    b.append("<td class=\"num\">").append(tp.partsDone()).append('/').append(tp.parts()).append("</td>");
                }
                b.append("<td class=\"num\">").append(t.time().map(Units::duration).map(HtmlReport::escape)
                                .orElse("\u2013")).append("</td><td class=\"num\">")
                        .append(Units.megabytesPerSecond(t.bytesPerSecond())).append("</td><td class=\"num\">")
                        .append(Units.perSecond(t.rowsPerSecond())).append("</td>");
                if (builds) {
                    b.append("<td class=\"num\">").append(tp.buildsDone()).append('/').append(tp.builds())
                            .append("</td><td class=\"num\">").append(escape(tp.buildTime().map(Units::duration)
                                    .orElse("\u2013"))).append("</td><td class=\"num\">")
                            .append(escape(tp.analyzeTime().map(Units::duration).orElse("\u2013"))).append("</td>");
                }
                b.append("<td><code>")
                        .append(escape(tp.moverId().orElse(""))).append("</code></td></tr>\n");
                tp.error().ifPresent(e -> b.append("<tr class=\"bad errorline\"><td colspan=\"")
                        .append(8 + (parts ? 1 : 0) + (builds ? 3 : 0)).append("\">").append(escape(e))
                        .append("</td></tr>\n"));
            }
            b.append("</tbody>\n</table>\n</div>\n");
        }
        b.append("</section>\n");
    }

    /** An online migration's stream into the database: how far it trails the source, and what it applied. */
    private void replication(DatabaseProgress p, ReplicationProgress rp) {
        b.append("<p class=\"replication\"><b>").append(p.status().isFinal() ? "Replicated" : "Following the source")
                .append("</b>: ").append(escape(rp.describe())).append(" &middot; ")
                .append(Units.count(rp.transactions()))
                .append(rp.transactions() == 1 ? " transaction" : " transactions").append(" &middot; ").append(Units.count(rp.changes()))
                .append(rp.changes() == 1 ? " change" : " changes").append(" applied &middot; up to <code>")
                .append(escape(rp.appliedLsn())).append("</code> &middot; measured ").append(time(rp.measuredAt()))
                .append("</p>\n");
    }

    private static String stateClass(TableState s) {
        return switch (s) {
            case COMPLETED -> "st-succeeded";
            case ERRORED -> "st-failed";
            case LOADING -> "st-inprogress";
            case QUEUED -> "st-queued";
        };
    }
}
