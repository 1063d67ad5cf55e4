package dev.pgmigrate.core.report;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.VerificationReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The phases a migration went through, from the start times the engine recorded, or, for what it did not record,
 * from what the record implies: creation, the first database's start, verification, the end.
 */
final class Timeline {
    private static final List<MigrationSubstatus> WORKING = List.of(
            MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS, MigrationSubstatus.VALIDATION_IN_PROGRESS,
            MigrationSubstatus.MIGRATING_DATA, MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER,
            MigrationSubstatus.COMPLETING_MIGRATION);

    private Timeline() {
    }

    static List<PhaseSpan> of(MigrationRecord r, Map<MigrationSubstatus, Instant> recorded) {
        Map<MigrationSubstatus, Instant> starts = new EnumMap<>(MigrationSubstatus.class);
        Map<MigrationSubstatus, Boolean> known = new EnumMap<>(MigrationSubstatus.class);
        for (MigrationSubstatus phase : WORKING) {
            Optional<Instant> at = Optional.ofNullable(recorded.get(phase));
            if (at.isPresent()) {
                starts.put(phase, at.get());
                known.put(phase, true);
            }
        }
        if (recorded.isEmpty()) {
            derive(r, starts, known);
        }
        List<MigrationSubstatus> order = new ArrayList<>(starts.keySet());
        order.sort(Comparator.comparing((MigrationSubstatus p) -> starts.get(p)).thenComparing(Enum::ordinal));
        List<PhaseSpan> spans = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            MigrationSubstatus phase = order.get(i);
            Optional<Instant> end = i + 1 < order.size() ? Optional.of(starts.get(order.get(i + 1))) : r.endedAt();
            Instant start = starts.get(phase);
            spans.add(new PhaseSpan(phase, start, end.map(e -> e.isBefore(start) ? start : e),
                    known.getOrDefault(phase, false)));
        }
        return List.copyOf(spans);
    }

    /** Start times for a record stored before the engine kept them. */
    private static void derive(MigrationRecord r, Map<MigrationSubstatus, Instant> starts,
            Map<MigrationSubstatus, Boolean> known) {
        // Reading the servers' facts takes a moment; without its time it is shown as part of what follows it.
        boolean validated = !r.validationResults().isEmpty()
                || r.substatus() == MigrationSubstatus.VALIDATION_IN_PROGRESS;
        starts.put(validated ? MigrationSubstatus.VALIDATION_IN_PROGRESS
                : MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS, r.createdAt());
        Optional<Instant> dataStart = r.databases().stream().flatMap(d -> d.startedAt().stream())
                .min(Comparator.naturalOrder());
        dataStart.ifPresent(s -> starts.put(MigrationSubstatus.MIGRATING_DATA, s));
        Optional<Instant> completing = r.verification().map(VerificationReport::startedAt);
        if (completing.isEmpty() && dataStart.isPresent() && (r.substatus() == MigrationSubstatus.COMPLETING_MIGRATION
                || r.substatus() == MigrationSubstatus.COMPLETED)) {
            completing = r.databases().stream().map(DatabaseProgress::endedAt).flatMap(Optional::stream)
                    .max(Comparator.naturalOrder());
        }
        completing.ifPresent(s -> starts.put(MigrationSubstatus.COMPLETING_MIGRATION, s));
    }
}
