package dev.pgmigrate.cli;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ObjectCount;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.VerificationReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** The text the CLI prints about migrations: the list grid, everything {@code show} knows, and summaries. */
final class Reports {
    static final int WIDTH = 100;
    static final String INDENT = " ".repeat(14);

    private Reports() {
    }

    private static final List<String> GRID = List.of("Name", "Status", "Migration mode", "Migration type",
            "Source server", "Source server type", "Target server", "Databases", "Duration", "Start time");

    /** The list grid, newest first as given. */
    static String grid(List<MigrationRecord> records, Instant now) {
        return Format.table(GRID, records.stream().map(r -> row(r, now)).toList());
    }

    /** The list grid of every attempt, newest first as given, each with its number after the name. */
    static String gridOfAttempts(List<Attempts.Numbered> attempts, Instant now) {
        List<String> header = new ArrayList<>(GRID);
        header.add(1, "Attempt");
        List<List<String>> rows = new ArrayList<>();
        for (Attempts.Numbered a : attempts) {
            List<String> row = new ArrayList<>(row(a.record(), now));
            row.add(1, Integer.toString(a.attempt()));
            rows.add(row);
        }
        return Format.table(header, rows);
    }

    private static List<String> row(MigrationRecord r, Instant now) {
        MigrationSpec spec = r.spec();
        return List.of(r.name(), status(r), spec.mode().label(), spec.option().displayName(),
                spec.source().address(), spec.source().type().label(), spec.target().address(),
                Format.names(spec.databases()), Format.duration(r.duration(now)), Format.time(r.createdAt()));
    }

    /** The status as the grid shows it, with what the status alone does not say. */
    static String status(MigrationRecord r) {
        String s = r.status().label();
        if (r.interrupted()) {
            s += " (interrupted)";
        } else if (r.cancelRequested() && !r.status().isFinal()) {
            s += " (canceling)";
        } else if (r.cutoverRequestedAt().isPresent() && !r.status().isFinal()) {
            s += " (cutting over)";
        }
        return s;
    }

    /** Everything about one migration. */
    static String show(MigrationRecord r, Instant now) {
        StringBuilder b = new StringBuilder();
        MigrationSpec spec = r.spec();
        b.append("Migration ").append(r.name()).append(": ").append(status(r)).append(" (")
                .append(r.substatus().label()).append(")\n");
        List<List<String>> facts = new ArrayList<>();
        facts.add(List.of("  Migration type", spec.option().displayName() + ", " + spec.mode().label()));
        facts.add(List.of("  Source server", server(spec.source(), true)));
        facts.add(List.of("  Target server", server(spec.target(), false)));
        facts.add(List.of("  Databases", String.join(", ", spec.databases())));
        facts.add(List.of("  Started", Format.time(r.createdAt())));
        facts.add(List.of(r.endedAt().isPresent() ? "  Ended" : r.interrupted() ? "  Interrupted" : "  Running for",
                r.endedAt().map(e -> Format.time(e) + " (duration " + Format.duration(r.duration(now)) + ")")
                        .orElse(r.interrupted() ? "its process died; nothing runs it (started "
                                + Format.duration(r.duration(now)) + " ago)" : Format.duration(r.duration(now)))));
        r.cutoverRequestedAt().ifPresent(at -> facts.add(List.of("  Downtime", Format.span(r.downtime(now)
                .orElseThrow()) + (r.endedAt().isPresent() ? "" : " so far") + " (cutover asked for at "
                + Format.time(at) + ")")));
        facts.add(List.of("  Settings", settings(spec.settings())));
        facts.add(List.of("  Run by", "pgmigrate " + r.pgmigrateVersion().orElse("(a version before records kept it)")));
        b.append(Format.table(List.of("", ""), facts).lines().skip(1).map(l -> l + "\n")
                .collect(Collectors.joining()));
        if (r.interrupted()) {
            b.append("\n  The process running this migration died. Resume it from where it stopped:\n"
                    + "    pgmigrate migration resume --name ").append(r.name()).append("\n  or cancel it to roll back "
                    + "what it made:\n    pgmigrate migration cancel --name ").append(r.name()).append('\n');
        } else if (r.status() == MigrationStatus.WAITING_FOR_USER_ACTION && r.cutoverRequestedAt().isEmpty()) {
            b.append("\n  Every database follows the source. Once the writes to the source have stopped,\n"
                    + "  trigger the cutover with: pgmigrate migration update --cutover --name ").append(r.name())
                    .append('\n');
        }
        if (!r.errors().isEmpty()) {
            b.append("\nErrors\n");
            r.errors().forEach(e -> b.append(Format.wrap("  - ", e.toString(), WIDTH, "    ")).append('\n'));
        }
        b.append('\n').append(ValidationText.of(r));
        b.append('\n').append(progress(r, now));
        r.verification().ifPresent(v -> b.append('\n').append(verification(r, v)));
        if (!r.notes().isEmpty()) {
            b.append("\nNotes\n");
            r.notes().forEach(n -> b.append(Format.wrap("  - ", n.toString(), WIDTH, "    ")).append('\n'));
        }
        return b.toString();
    }

    private static String server(ServerSpec s, boolean source) {
        return s.address() + s.fullyQualifiedDomainName().map(f -> " (connects to " + f + ")").orElse("")
                + ", login " + s.adminLogin() + ", sslmode " + s.sslMode().label()
                + (source ? ", " + s.type().label() : "");
    }

    private static String settings(MigrationSettings s) {
        return "parallelism " + s.parallelism() + ", overwrite databases " + s.overwriteDbsInTarget()
                + ", migrate roles " + s.migrateRoles() + ", verify " + s.verify() + ", server parameters "
                + s.serverParameters().label() + (s.skipAnalyze() ? ", skip analyze" : "")
                + (s.selection().takesEverything() ? "" : ", selection "
                + s.selection().summary());
    }

    /** Per database and per table: state, rows, bytes, time, mover. */
    static String progress(MigrationRecord r, Instant now) {
        StringBuilder b = new StringBuilder("Databases\n");
        for (DatabaseProgress d : r.databases()) {
            long rows = d.tables().stream().mapToLong(TableProgress::rows).sum();
            long bytes = d.tables().stream().mapToLong(TableProgress::bytes).sum();
            b.append("  ").append(d.database()).append(": ").append(d.status().label()).append(", ")
                    .append(d.tables().size()).append(" tables (").append(d.count(TableState.COMPLETED))
                    .append(" completed, ").append(d.count(TableState.LOADING)).append(" loading, ")
                    .append(d.count(TableState.QUEUED)).append(" queued, ").append(d.count(TableState.ERRORED))
                    .append(" errored), ").append(String.format(java.util.Locale.ROOT, "%.0f%%", d.percentDone()))
                    .append(", ").append(Format.count(rows)).append(" rows, ").append(Format.bytes(bytes));
            d.startedAt().ifPresent(s -> b.append(", ").append(Format.duration(Duration.between(s,
                    d.endedAt().orElse(now)))));
            if (d.queued()) {
                b.append(", queued");
            } else if (d.copied() && d.buildsDone() < d.builds()) {
                b.append(", ").append(d.buildsDone()).append('/').append(d.builds())
                        .append(" indexes and constraints built");
            }
            d.activity().ifPresent(a -> b.append(", ").append(a));
            b.append('\n');
            d.replication().ifPresent(p -> b.append(Format.wrap("    " + (d.status().isFinal() ? "Replicated: "
                    : "Following the source: "), ProgressLines.replication(p) + ", up to " + p.appliedLsn()
                    + " (measured " + Format.time(p.measuredAt()) + ")", WIDTH, "    ")).append('\n'));
            d.message().ifPresent(m -> b.append(Format.wrap("    ", m, WIDTH, "    ")).append('\n'));
            if (d.tables().isEmpty()) {
                continue;
            }
            List<List<String>> rowsOut = new ArrayList<>();
            List<TableProgress> tables = new ArrayList<>(d.tables());
            tables.sort(Comparator.comparingInt((TableProgress t) -> t.state() == TableState.ERRORED ? 0 : 1));
            for (TableProgress t : tables) {
                String time = t.startedAt().map(s -> Format.seconds(Duration.between(s, t.endedAt().orElse(now))))
                        .orElse("");
                rowsOut.add(List.of("    " + t.qualifiedName(), t.state().label(), Format.count(t.rows()),
                        Format.bytes(t.bytes()), t.parts() > 1 ? t.partsDone() + "/" + t.parts() : "", time,
                        (t.builds() > 0 ? t.buildsDone() + "/" + t.builds() : "") + t.building().map(w -> " (building "
                                + w + ")").orElse(""),
                        t.buildTime().map(Format::seconds).orElse(""), t.analyzeTime().map(Format::seconds).orElse(""),
                        t.moverId().orElse(""), t.error().orElse("")));
            }
            b.append(Format.table(List.of("    Table", "State", "Rows", "Bytes", "Parts", "Time", "Indexes",
                    "Index time", "ANALYZE", "Mover", "Error"), rowsOut));
        }
        return b.toString();
    }

    /** The verification summary of a comparison of two databases: matches, or every mismatch. */
    static String verification(VerificationReport v) {
        return verification(v, false);
    }

    /**
     * {@code r}'s verification: of the target, or, once the migration ended in a rollback, of the copy that the
     * rollback dropped, said as such, since nothing on the target is what it describes.
     */
    static String verification(MigrationRecord r, VerificationReport v) {
        return verification(v, r.status().isRolledBack());
    }

    private static String verification(VerificationReport v, boolean ofDroppedCopy) {
        String target = ofDroppedCopy ? "the copy" : "the target"; // where the rows and counts compared were
        StringBuilder b = new StringBuilder(ofDroppedCopy
                ? "Verification, before the rollback dropped the copy (it describes nothing on the target): "
                : "Verification: ");
        if (v.matches()) {
            b.append(ofDroppedCopy ? "the copy matched the source: " : "the target matches the source: ")
                    .append(v.tables().size()).append(" tables (")
                    .append(Format.count(v.tables().stream().mapToLong(TableVerification::targetRows).sum()))
                    .append(" rows, row counts and checksums), ").append(v.objects().size())
                    .append(" object counts and sequence values, checked in ").append(Format.seconds(v.elapsed()))
                    .append('\n');
            return b.toString();
        }
        List<TableVerification> tables = v.tableMismatches();
        List<ObjectCount> objects = v.objectMismatches();
        b.append(tables.size() + objects.size()).append(" difference(s) between source and ")
                .append(ofDroppedCopy ? "copy" : "target").append('\n');
        for (TableVerification t : tables) {
            b.append("  ").append(t.database()).append(' ').append(t.schema()).append('.').append(t.table())
                    .append(": rows ").append(Format.count(t.sourceRows())).append(" on the source, ")
                    .append(Format.count(t.targetRows())).append(" on ").append(target)
                    .append(t.difference().map(d -> "; not compared: " + d)
                            .orElse(t.sourceChecksum().equals(t.targetChecksum()) ? "" : "; checksums differ"))
                    .append('\n');
        }
        for (ObjectCount o : objects) {
            b.append("  ").append(o.database()).append(' ').append(o.schema()).append(' ').append(o.kind())
                    .append(": ").append(o.source()).append(" on the source, ").append(o.target())
                    .append(" on ").append(target).append('\n');
        }
        return b.toString();
    }

    /**
     * What a migration that ended or whose process died still holds, under a heading per server ({@code onTarget},
     * {@code onSource}: an online migration's slot and publication are the source's), and the command that rolls it
     * back; nothing when both are empty.
     */
    static String leftBehind(String name, List<String> onTarget, List<String> onSource) {
        if (onTarget.isEmpty() && onSource.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        if (!onTarget.isEmpty()) {
            b.append("Left on the target:\n");
            onTarget.forEach(l -> b.append(Format.wrap("  - ", l, WIDTH, "    ")).append('\n'));
        }
        if (!onSource.isEmpty()) {
            b.append("Left on the source:\n");
            onSource.forEach(l -> b.append(Format.wrap("  - ", l, WIDTH, "    ")).append('\n'));
        }
        return b.append("pgmigrate migration cancel --name ").append(name).append(" rolls back what is left.\n")
                .toString();
    }

    /** The few lines printed when a migration ends in the foreground. */
    static String ending(MigrationRecord r, Instant now) {
        return ending(r, now, List.of(), List.of());
    }

    /**
     * The few lines printed when a migration ends in the foreground: its status, and for one that did not succeed,
     * whether the target was rolled back, or what is left on it ({@code left}) or on the source ({@code leftOnSource})
     * and the command that finishes the rollback.
     */
    static String ending(MigrationRecord r, Instant now, List<String> left, List<String> leftOnSource) {
        StringBuilder b = new StringBuilder();
        b.append("Migration ").append(r.name()).append(": ").append(r.status().label()).append(" after ")
                .append(Format.duration(r.duration(now)));
        boolean nothingLeft = left.isEmpty() && leftOnSource.isEmpty();
        // The journal says what is left; the record's code says so too when the journal could not be read.
        boolean incomplete = !nothingLeft || r.failedWith(MessageCode.ROLLBACK_INCOMPLETE);
        if (incomplete && nothingLeft) {
            b.append("; the rollback did not finish (PGM-ROLLBACK-INCOMPLETE)");
        } else if (!incomplete && r.status() == MigrationStatus.CANCELED) {
            b.append("; the target was rolled back");
        } else if (!incomplete && r.status() == MigrationStatus.FAILED) {
            b.append("; the target is as it was (every change rolled back)");
        }
        r.downtime(now).ifPresent(d -> b.append("; downtime ").append(Format.span(d))
                .append(" (from the cutover request)"));
        b.append('\n');
        r.errors().forEach(e -> b.append(Format.wrap("  - ", e.toString(), WIDTH, "    ")).append('\n'));
        if (!nothingLeft) {
            b.append("The rollback did not finish.\n").append(leftBehind(r.name(), left, leftOnSource));
        } else if (incomplete) {
            b.append("Finish it with: pgmigrate migration cancel --name ").append(r.name()).append('\n');
        }
        long failed = r.validationResults().stream().filter(v -> v.status() == ValidationStatus.FAILED).count();
        if (failed > 0) {
            b.append(ValidationText.of(r));
        }
        r.verification().ifPresent(v -> b.append(verification(r, v)));
        b.append("Details: pgmigrate migration show --name ").append(r.name()).append('\n');
        return b.toString();
    }
}
