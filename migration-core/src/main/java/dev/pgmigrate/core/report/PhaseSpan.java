package dev.pgmigrate.core.report;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.MigrationSubstatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One phase of a migration on the report's timeline: when it began and when the next one took over.
 *
 * @param phase the phase, such as {@code MigratingData}
 * @param startedAt when the migration entered it
 * @param endedAt when the next phase began or the migration ended; empty while it runs
 * @param recorded whether the engine recorded the start as it happened; false when the report derived it from
 *     the record (migrations stored before phase times were kept, or a phase the record only implies)
 * @since 0.1
 */
@Experimental
public record PhaseSpan(MigrationSubstatus phase, Instant startedAt, Optional<Instant> endedAt, boolean recorded) {
    public PhaseSpan {
        Objects.requireNonNull(phase, "phase must not be null");
        Objects.requireNonNull(startedAt, "startedAt must not be null");
        Objects.requireNonNull(endedAt, "endedAt must not be null");
        if (endedAt.isPresent() && endedAt.get().isBefore(startedAt)) {
            throw new IllegalArgumentException(phase.label() + " ends at " + endedAt.get() + ", before it starts at "
                    + startedAt);
        }
    }

    /** How long the phase took, or has taken by {@code now} while it runs. */
    public Duration duration(Instant now) {
        Objects.requireNonNull(now, "now must not be null");
        Duration d = Duration.between(startedAt, endedAt.orElse(now));
        return d.isNegative() ? Duration.ZERO : d;
    }
}
