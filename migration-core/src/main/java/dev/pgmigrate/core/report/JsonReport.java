package dev.pgmigrate.core.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.internal.run.Json;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The JSON report: the whole record as {@code show --output json} prints it, and beside it what the report
 * derives: a summary, the phases, and per database and table the time and throughput.
 */
final class JsonReport {
    static final String FORMAT = "pgmigrate-report";
    static final int VERSION = 1;

    private JsonReport() {
    }

    static void write(MigrationReport report, Writer out) throws IOException {
        ObjectMapper mapper = Json.mapper();
        MigrationRecord r = report.record();
        Instant now = report.now();
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("generatedAt", report.generatedAt().toString());
        root.set("summary", summary(mapper, report));

        var timeline = root.putArray("timeline");
        for (PhaseSpan p : report.timeline()) {
            ObjectNode phase = timeline.addObject();
            phase.put("phase", p.phase().label());
            phase.put("startedAt", p.startedAt().toString());
            putOptional(phase, "endedAt", p.endedAt());
            phase.put("millis", p.duration(now).toMillis());
            phase.put("recorded", p.recorded());
        }

        var databases = root.putArray("databases");
        for (Figures.DatabaseFigures d : report.databases()) {
            ObjectNode db = databases.addObject();
            db.put("database", d.progress().database());
            db.put("status", d.progress().status().label());
            db.put("tables", d.tables().size());
            db.put("rows", d.rows());
            db.put("bytes", d.bytes());
            putMillis(db, "millis", d.time());
            putMillis(db, "copyMillis", d.copyTime());
            putRate(db, "bytesPerSecond", d.bytesPerSecond());
            putMillis(db, "indexMillis", d.indexTime());
            putMillis(db, "analyzeMillis", d.analyzeTime());
            var tables = db.putArray("tableFigures");
            for (Figures.TableFigures t : d.tables()) {
                ObjectNode table = tables.addObject();
                table.put("schema", t.progress().schema());
                table.put("table", t.progress().table());
                table.put("state", t.progress().state().label());
                table.put("rows", t.progress().rows());
                table.put("bytes", t.progress().bytes());
                putMillis(table, "millis", t.time());
                putRate(table, "bytesPerSecond", t.bytesPerSecond());
                putRate(table, "rowsPerSecond", t.rowsPerSecond());
                table.put("builds", t.progress().builds());
                table.put("buildsDone", t.progress().buildsDone());
                putMillis(table, "indexMillis", t.progress().buildTime());
                putMillis(table, "analyzeMillis", t.progress().analyzeTime());
                putOptional(table, "mover", t.progress().moverId());
            }
        }
        root.set("record", mapper.valueToTree(r));
        mapper.writeValue(new NonClosingWriter(out), root);
    }

    private static ObjectNode summary(ObjectMapper mapper, MigrationReport report) {
        MigrationRecord r = report.record();
        Figures.Totals totals = report.totals();
        ObjectNode s = mapper.createObjectNode();
        s.put("name", r.name());
        s.put("status", r.status().label());
        s.put("substatus", r.substatus().label());
        s.put("interrupted", r.interrupted());
        s.put("source", r.spec().source().address());
        s.put("target", r.spec().target().address());
        s.put("option", r.spec().option().label());
        s.put("mode", r.spec().mode().label());
        s.put("startedAt", r.createdAt().toString());
        putOptional(s, "endedAt", r.endedAt());
        s.put("millis", r.duration(report.now()).toMillis());
        if (r.cutoverRequestedAt().isPresent()) {
            s.put("downtimeMillis", r.downtime(report.now()).orElseThrow().toMillis());
        }
        s.put("databases", totals.databases());
        s.put("tables", totals.tables());
        s.put("tablesCompleted", totals.completed());
        s.put("tablesErrored", totals.errored());
        s.put("rows", totals.rows());
        s.put("bytes", totals.bytes());
        putMillis(s, "copyMillis", totals.copyTime());
        putRate(s, "bytesPerSecond", totals.bytesPerSecond());
        putMillis(s, "indexMillis", totals.indexTime());
        putMillis(s, "analyzeMillis", totals.analyzeTime());

        ObjectNode validation = s.putObject("validation");
        Figures.Tally tally = Figures.Tally.of(r.validationResults());
        putOptional(validation, "status", r.validationStatus().map(ValidationStatus::label));
        validation.put("failed", tally.failed());
        validation.put("warnings", tally.warnings());
        validation.put("succeeded", tally.succeeded());

        ObjectNode verification = s.putObject("verification");
        Optional<VerificationReport> v = r.verification();
        verification.put("verified", v.isPresent());
        if (v.isPresent()) {
            verification.put("matches", v.get().matches());
            // False once the migration ended in a rollback: the copy it compared was dropped.
            verification.put("describesTarget", !r.status().isRolledBack());
            verification.put("tables", v.get().tables().size());
            verification.put("rows", v.get().tables().stream().mapToLong(TableVerification::targetRows).sum());
            verification.put("tableMismatches", v.get().tableMismatches().size());
            verification.put("objectCounts", v.get().objects().size());
            verification.put("objectMismatches", v.get().objectMismatches().size());
            verification.put("millis", v.get().elapsed().toMillis());
        }
        s.put("errors", r.errors().size());
        s.put("notes", r.notes().size());
        return s;
    }

    private static void putOptional(ObjectNode node, String field, Optional<?> value) {
        if (value.isPresent()) {
            node.put(field, value.get().toString());
        } else {
            node.putNull(field);
        }
    }

    private static void putMillis(ObjectNode node, String field, Optional<Duration> value) {
        if (value.isPresent()) {
            node.put(field, value.get().toMillis());
        } else {
            node.putNull(field);
        }
    }

    private static void putRate(ObjectNode node, String field, OptionalDouble value) {
        if (value.isPresent()) {
            node.put(field, Math.round(value.getAsDouble() * 10) / 10.0);
        } else {
            node.putNull(field);
        }
    }

    /** Jackson closes the writer it is given; the caller owns it. */
    private static final class NonClosingWriter extends java.io.FilterWriter {
        NonClosingWriter(Writer out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
