package dev.pgmigrate.cli;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationListener;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.RecordJson;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows a running migration: on a terminal, a bar per database and one overall, redrawn in place; elsewhere,
 * plain timestamped lines, or one JSON object per line. An online migration's database that follows the source shows
 * how far it trails, and the wait for the cutover says once how to trigger it. Events arrive on the engine's threads,
 * so every method that prints is synchronized.
 */
final class ProgressPrinter implements MigrationListener, AutoCloseable {
    enum Style { BARS, LINES, JSON }

    private static final String ERASE_LINE = "\u001b[2K";
    private static final Duration LINE_INTERVAL = Duration.ofSeconds(10);
    /** Plain lines about a database that follows the source: on a change of caught up or not, else this often. */
    private static final Duration REPLICATION_LINE_INTERVAL = Duration.ofMinutes(1);

    private final PrintStream out;
    private final Style style;
    private final ObjectWriter json = RecordJson.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
    /** An event's line: its type's simple name as "event", then its fields, written straight from the record. */
    private final ObjectWriter eventJson = RecordJson.mapper().copy().addMixIn(MigrationEvent.class, EventLine.class)
            .writerFor(MigrationEvent.class).without(SerializationFeature.INDENT_OUTPUT);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pgmigrate-progress");
        t.setDaemon(true);
        return t;
    });
    private volatile MigrationHandle handle;
    private MigrationEvent.MigrationProgressed latest;
    private MigrationSubstatus phase = MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS;
    private Instant copyStarted;
    private Instant lastLine = Instant.EPOCH;
    private int drawnLines;
    private boolean closed;
    /** The line under the bars while a cancel runs; null until one was asked for. */
    private String canceling;
    /** Plain lines only: each following database's last line, when and whether it was caught up then. */
    private final Map<String, ReplicationLine> replicationLines = new HashMap<>();
    private boolean cutoverHintShown;

    private record ReplicationLine(Instant at, boolean caughtUp) {
    }

    ProgressPrinter(PrintStream out, Style style) {
        this.out = out;
        this.style = style;
    }

    /** Bars on a terminal (unless TERM is dumb), lines elsewhere; JSON lines when asked for. */
    static Style choose(Cli cli, boolean jsonOutput) {
        if (jsonOutput) {
            return Style.JSON;
        }
        String term = System.getenv("TERM");
        return cli.interactive() && term != null && !term.equals("dumb") ? Style.BARS : Style.LINES;
    }

    /** Starts redrawing (bars) or periodic lines from the live record of {@code migration}. */
    void watch(MigrationHandle migration) {
        this.handle = migration;
        long period = style == Style.BARS ? 250 : 1000;
        ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void onEvent(MigrationEvent event) {
        if (closed) {
            return;
        }
        if (style == Style.JSON) {
            print(write(eventJson, event));
            return;
        }
        Instant at = event.at();
        if (event instanceof MigrationEvent.PhaseChanged p) {
            phase = p.substatus();
            if (phase == MigrationSubstatus.MIGRATING_DATA && copyStarted == null) {
                copyStarted = at;
            }
            print(line(at, p.status().label() + " / " + p.substatus().label()));
            if (phase == MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER && !cutoverHintShown) {
                cutoverHintShown = true;
                print(line(at, "every database follows the source; once the writes to the source have stopped, "
                        + "trigger the cutover from another terminal with: pgmigrate migration update --cutover "
                        + "--name " + p.migrationName() + " (Ctrl-C cancels the migration instead)"));
            }
        } else if (event instanceof MigrationEvent.ReplicationProgressed r) {
            if (style == Style.LINES) {
                replicated(r);
            }
        } else if (event instanceof MigrationEvent.ValidationReported v) {
            if (v.result().status() != ValidationStatus.SUCCEEDED) {
                print(line(at, "validation " + v.result().status().label() + ": " + v.result().validatorId()
                        + v.result().database().map(d -> " (" + d + ")").orElse("") + ": " + v.result().found()));
            }
        } else if (event instanceof MigrationEvent.TableFinished t) {
            if (style == Style.LINES) {
                print(line(at, t.database() + ": " + t.schema() + "." + t.table() + " copied, "
                        + Format.count(t.rows()) + " rows, " + Format.bytes(t.bytes()) + " in "
                        + Format.seconds(t.elapsed())));
            }
        } else if (event instanceof MigrationEvent.DatabaseFinished d) {
            print(line(at, "database " + d.database() + ": " + d.status().label()));
        } else if (event instanceof MigrationEvent.MigrationProgressed p) {
            latest = p;
        } else if (event instanceof MigrationEvent.Noted n) {
            print(line(at, "note: " + n.note()));
        } else if (event instanceof MigrationEvent.MigrationFinished f) {
            print(line(at, "finished: " + f.status().label() + f.error().map(e -> ": " + e).orElse("")));
        }
        // TableStarted and TableProgressed show in the bars; kinds added in later versions are skipped.
    }

    /** A plain line about a following database when it catches up or falls behind, else once a minute. */
    private void replicated(MigrationEvent.ReplicationProgressed r) {
        ReplicationLine last = replicationLines.get(r.database());
        boolean caughtUp = r.progress().caughtUp();
        if (last == null || last.caughtUp() != caughtUp
                || Duration.between(last.at(), r.at()).compareTo(REPLICATION_LINE_INTERVAL) >= 0) {
            replicationLines.put(r.database(), new ReplicationLine(r.at(), caughtUp));
            print(line(r.at(), r.database() + ": following the source: " + ProgressLines.replication(r.progress())));
        }
    }

    /**
     * Says that the migration is being canceled: a line above the bars, and under them until it ends (elsewhere,
     * the line alone).
     */
    synchronized void canceling(String text) {
        if (closed) {
            return;
        }
        canceling = "canceling: rolling back the target...";
        print(line(Instant.now(), text));
    }

    /**
     * Stops redrawing once the migration ended with {@code done}: the bars of one that succeeded stay as its last
     * picture; those of one that did not are erased, as its ending says what is left.
     */
    synchronized void finish(MigrationRecord done) {
        if (closed) {
            return;
        }
        ticker.shutdownNow();
        if (style == Style.BARS) {
            if (done.status() == MigrationStatus.SUCCEEDED) {
                redraw(done);
            } else {
                erase();
            }
        }
        closed = true;
        out.flush();
    }

    /** Stops redrawing and leaves the last picture (bars) in place. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        ticker.shutdownNow();
        if (style == Style.BARS && handle != null) {
            redraw(handle.record());
        }
        closed = true;
        out.flush();
    }

    /** The final record as one JSON line, for {@code --output json}. */
    synchronized void printRecord(MigrationRecord record) {
        ObjectNode line = RecordJson.mapper().createObjectNode().put("event", "MigrationRecord");
        line.set("record", RecordJson.mapper().valueToTree(record));
        out.println(write(json, line));
        out.flush();
    }

    private synchronized void tick() {
        if (closed || handle == null) {
            return;
        }
        try {
            if (style == Style.BARS) {
                redraw(handle.record());
            } else if (style == Style.LINES && phase == MigrationSubstatus.MIGRATING_DATA && latest != null
                    && Duration.between(lastLine, Instant.now()).compareTo(LINE_INTERVAL) >= 0) {
                print(line(Instant.now(), "progress " + overall(handle.record())));
            }
        } catch (RuntimeException e) {
            // A drawing problem must never stop the migration; the next tick tries again.
            out.flush();
        }
    }

    private void print(String text) {
        if (style == Style.BARS && drawnLines > 0) {
            erase();
            out.println(text);
            if (handle != null) {
                redraw(handle.record());
            }
        } else {
            out.println(text);
        }
        lastLine = Instant.now();
        out.flush();
    }

    private String line(Instant at, String text) {
        return Format.stamp(at) + "  " + text;
    }

    private void erase() {
        if (drawnLines > 0) {
            out.print("\r\u001b[" + drawnLines + "A\u001b[J");
            drawnLines = 0;
        }
    }

    private void redraw(MigrationRecord record) {
        List<String> lines = new ArrayList<>();
        String label = Format.pad(record.substatus().label(), 12);
        if (phase == MigrationSubstatus.MIGRATING_DATA || phase == MigrationSubstatus.COMPLETING_MIGRATION
                || record.databases().stream().anyMatch(d -> !d.tables().isEmpty())) {
            int nameWidth = Math.max(10, record.databases().stream().mapToInt(d -> d.database().length()).max()
                    .orElse(0));
            lines.add(Format.pad("overall", nameWidth) + "  " + (record.status()
                    == MigrationStatus.WAITING_FOR_USER_ACTION ? "following the source, waiting for the cutover "
                    + "(pgmigrate migration update --cutover --name " + record.name() + ")" : overall(record)));
            for (DatabaseProgress d : record.databases()) {
                lines.add(Format.pad(d.database(), nameWidth) + "  " + ProgressLines.database(d));
            }
        } else {
            lines.add(label + "  " + Format.duration(record.duration(Instant.now())));
        }
        if (canceling != null && !record.status().isFinal()) {
            lines.add(canceling);
        }
        erase();
        for (String l : lines) {
            out.println(ERASE_LINE + l);
        }
        drawnLines = lines.size();
        out.flush();
    }

    private String overall(MigrationRecord record) {
        MigrationEvent.MigrationProgressed p = latest;
        Duration elapsed = copyStarted == null ? Duration.ZERO : Duration.between(copyStarted, Instant.now());
        return ProgressLines.overall(record, elapsed, p != null ? p.timeLeft() : Optional.empty());
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, include = JsonTypeInfo.As.PROPERTY, property = "event")
    private abstract static class EventLine {
    }

    private static String write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "{\"event\":\"Unprintable\",\"error\":\"" + e.getOriginalMessage().replace("\"", "'") + "\"}";
        }
    }
}
