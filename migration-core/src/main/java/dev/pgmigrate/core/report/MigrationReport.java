package dev.pgmigrate.core.report;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A readable account of one migration, as JSON or as a self-contained HTML page: its phases on a timeline, every
 * database and table with rows, bytes, time and throughput, the validation results with their remedies, the
 * verification, errors and notes.
 *
 * <pre>{@code
 * MigrationReport report = service.report("shop-move").orElseThrow();
 * report.writeHtml(Path.of("shop-move.html"));   // one file: inline CSS and SVG, no script, nothing fetched
 * report.writeJson(Path.of("shop-move.json"));   // the record plus derived figures
 * }</pre>
 *
 * <p>Immutable and thread-safe. Every string from the record is escaped in HTML; passwords are never part of a
 * record and never written. The JSON has {@code format} {@code "pgmigrate-report"} and {@code version} 1; later
 * versions only add fields. Figures of a migration still running are counted up to the time the report was made.
 *
 * @since 0.1
 */
@Experimental
public final class MigrationReport {
    private static final Logger log = LoggerFactory.getLogger(MigrationReport.class);

    private final MigrationRecord record;
    private final List<PhaseSpan> timeline;
    private final Instant generatedAt;
    private final Figures.Totals totals;
    private final List<Figures.DatabaseFigures> databases;

    private MigrationReport(MigrationRecord record, Map<MigrationSubstatus, Instant> phaseStarts, Instant generatedAt) {
        this.record = Objects.requireNonNull(record, "record must not be null");
        this.generatedAt = Objects.requireNonNull(generatedAt, "generatedAt must not be null");
        this.timeline = Timeline.of(record, phaseStarts);
        Instant now = now();
        this.totals = Figures.Totals.of(record, now);
        this.databases = record.databases().stream().map(d -> Figures.DatabaseFigures.of(d, now)).toList();
    }

    /**
     * The report of a record alone. The record holds no phase times, so the timeline is derived from what it
     * does hold: creation, the databases' start, verification and the end.
     */
    public static MigrationReport of(MigrationRecord record) {
        return new MigrationReport(record, Map.of(), Instant.now());
    }

    /** The report of a stored migration, with the phase times the engine recorded as it ran. */
    public static MigrationReport of(StoredMigration stored) {
        Objects.requireNonNull(stored, "stored must not be null");
        return new MigrationReport(stored.record(), phaseStarts(stored.state()), Instant.now());
    }

    /**
     * A report as of {@code generatedAt}, with the given phase start times; phases missing from
     * {@code phaseStarts} are derived when it is empty, and left out otherwise.
     */
    public static MigrationReport of(MigrationRecord record, Map<MigrationSubstatus, Instant> phaseStarts,
            Instant generatedAt) {
        Objects.requireNonNull(phaseStarts, "phaseStarts must not be null");
        return new MigrationReport(record, Map.copyOf(phaseStarts), generatedAt);
    }

    /** The phase start times kept in a stored migration's engine state; unreadable entries are skipped. */
    static Map<MigrationSubstatus, Instant> phaseStarts(Map<String, String> state) {
        Map<MigrationSubstatus, Instant> starts = new EnumMap<>(MigrationSubstatus.class);
        for (MigrationSubstatus phase : MigrationSubstatus.values()) {
            String at = state.get(RecordKeeper.phaseKey(phase));
            if (at == null) {
                continue;
            }
            try {
                starts.put(phase, Instant.parse(at));
            } catch (DateTimeParseException e) {
                // A hand-edited state file; the timeline falls back to what the record implies.
                log.debug("Ignoring the unreadable start time {} of phase {}", at, phase.label(), e);
            }
        }
        return starts;
    }

    public MigrationRecord record() {
        return record;
    }

    /** The phases in the order they ran; the last has no end while the migration runs. */
    public List<PhaseSpan> timeline() {
        return timeline;
    }

    /** When the report was made; figures of what still runs count up to it. */
    public Instant generatedAt() {
        return generatedAt;
    }

    /** Writes the JSON report to {@code out}, which stays open. */
    public void writeJson(Writer out) throws IOException {
        JsonReport.write(this, Objects.requireNonNull(out, "out must not be null"));
    }

    /** Writes the HTML page to {@code out}, which stays open; write it as UTF-8, as the page declares. */
    public void writeHtml(Writer out) throws IOException {
        HtmlReport.write(this, Objects.requireNonNull(out, "out must not be null"));
    }

    /** Writes the JSON report to {@code file} in UTF-8, replacing it. */
    public void writeJson(Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(Objects.requireNonNull(file, "file must not be null"),
                StandardCharsets.UTF_8)) {
            writeJson(out);
        }
    }

    /** Writes the HTML page to {@code file} in UTF-8, replacing it. */
    public void writeHtml(Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(Objects.requireNonNull(file, "file must not be null"),
                StandardCharsets.UTF_8)) {
            writeHtml(out);
        }
    }

    /** The JSON report as a string. */
    public String json() {
        StringWriter out = new StringWriter();
        try {
            writeJson(out);
        } catch (IOException e) {
            throw new UncheckedIOException("A StringWriter does not fail", e);
        }
        return out.toString();
    }

    /** The HTML page as a string. */
    public String html() {
        StringWriter out = new StringWriter();
        try {
            writeHtml(out);
        } catch (IOException e) {
            throw new UncheckedIOException("A StringWriter does not fail", e);
        }
        return out.toString();
    }

    // ---- for the writers

    /** The end of the migration, or the report's time while it runs: what running figures count up to. */
    Instant now() {
        return record.endedAt().orElse(generatedAt);
    }

    Figures.Totals totals() {
        return totals;
    }

    List<Figures.DatabaseFigures> databases() {
        return databases;
    }
}
