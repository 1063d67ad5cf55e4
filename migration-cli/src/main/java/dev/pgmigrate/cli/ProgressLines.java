package dev.pgmigrate.cli;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ReplicationProgress;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The lines of the progress display, from a migration's live record: one overall, one per database. */
final class ProgressLines {
    private ProgressLines() {
    }

    /**
     * One database's line: waiting its turn, its schema, its copy (bytes), then its builds (each index, constraint
     * and statistics object, with what runs now), then what it does until it ends; an online migration's database
     * whose copy is done, how far it trails the source.
     */
    static String database(DatabaseProgress d) {
        if (d.replication().isPresent() && !d.status().isFinal()) {
            // A following database has no activity: one (its stream interrupted, the cutover) outranks the figures.
            return d.activity().map(a -> Format.shorten(a, 200))
                    .orElse("following the source: " + replication(d.replication().get()));
        }
        if (d.queued()) {
            return Format.bar(0, 24) + "       queued";
        }
        if (d.tables().isEmpty()) {
            return Format.bar(0, 24) + "       " + (d.status().isFinal() ? d.status().label()
                    : d.activity().orElse("copying the schema"));
        }
        long rows = d.tables().stream().mapToLong(TableProgress::rows).sum();
        long bytes = d.tables().stream().mapToLong(TableProgress::bytes).sum();
        String copy = d.count(TableState.COMPLETED) + "/" + d.tables().size() + " tables  " + Format.count(rows)
                + " rows  " + Format.bytes(bytes);
        if (d.status().isFinal() || !d.copied()) {
            return Format.bar(d.percentDone(), 24) + String.format(Locale.ROOT, " %3.0f%%  ", d.percentDone()) + copy
                    + "  " + (d.status().isFinal() ? d.status().label() : "copying");
        }
        List<String> building = d.building();
        if (d.buildsDone() < d.builds() || !building.isEmpty()) {
            double percent = d.builds() == 0 ? 100 : 100.0 * d.buildsDone() / d.builds();
            return Format.bar(percent, 24) + String.format(Locale.ROOT, " %3.0f%%  ", percent) + d.buildsDone() + "/"
                    + d.builds() + " indexes and constraints built" + (building.isEmpty() ? ""
                    : "  building " + Format.shorten(building.get(0), 60) + (building.size() > 1 ? " and "
                    + (building.size() - 1) + " more" : ""));
        }
        return Format.bar(100, 24) + " 100%  " + copy + "  " + d.activity().orElse("finishing");
    }

    /**
     * An online migration's stream into one database, for people: {@code caught up, 12 transactions and 340 changes
     * applied} or {@code 1.2 MB, 3 s behind, ...}.
     */
    static String replication(ReplicationProgress p) {
        return p.describe() + ", " + Format.count(p.transactions()) + (p.transactions() == 1 ? " transaction and "
                : " transactions and ") + Format.count(p.changes()) + (p.changes() == 1 ? " change" : " changes")
                + " applied";
    }

    /**
     * Percent, rows, bytes and throughput of the copy over all databases, with the time left while rows remain;
     * once every row is in, the builds that remain.
     */
    static String overall(MigrationRecord record, Duration copying, Optional<Duration> timeLeft) {
        long rows = 0;
        long bytes = 0;
        long total = 0;
        long done = 0;
        int builds = 0;
        int built = 0;
        for (DatabaseProgress d : record.databases()) {
            builds += d.builds();
            built += d.buildsDone();
            for (TableProgress t : d.tables()) {
                rows += t.rows();
                bytes += t.bytes();
                long size = Math.max(t.estimatedBytes(), t.bytes());
                total += size;
                done += t.state() == TableState.COMPLETED ? size : Math.min(t.bytes(), t.estimatedBytes());
            }
        }
        // The same measure as each database's bar, so the overall bar never disagrees with them.
        double percent = Math.min(100, total > 0 ? 100.0 * done / total : 0);
        String rate = copying.toMillis() > 500 ? Format.bytes(bytes * 1000 / copying.toMillis()) + "/s" : "-";
        String tail = "";
        if (done < total) {
            tail = timeLeft.filter(l -> l.getSeconds() > 0).map(l -> "  about " + Format.duration(l) + " left")
                    .orElse("");
        } else if (built < builds) {
            tail = "  rows in; " + built + "/" + builds + " indexes and constraints built";
        }
        long queued = record.databases().stream().filter(DatabaseProgress::queued).count();
        if (queued > 0) {
            tail += "  (" + queued + (queued == 1 ? " database" : " databases") + " queued)";
        }
        return Format.bar(percent, 24) + String.format(Locale.ROOT, " %3.0f%%  ", percent) + Format.count(rows)
                + " rows  " + Format.bytes(bytes) + "  " + rate + tail;
    }
}
