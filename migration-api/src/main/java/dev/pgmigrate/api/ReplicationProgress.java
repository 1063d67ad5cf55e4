package dev.pgmigrate.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * How far an online migration's target trails one source database: what the stream has applied since the copy,
 * and what is still to come.
 *
 * @param lagBytes the source's WAL written since the last change the target committed (0 when caught up)
 * @param lag how long ago the source committed the oldest transaction the target has not (zero when caught up)
 * @param transactions source transactions applied on the target since the copy
 * @param changes rows inserted, updated or deleted and tables truncated by them
 * @param appliedLsn the source position the target has committed, such as {@code "0/3000148"}
 * @param measuredAt when these figures were read
 * @since 0.3
 */
@Stable(since = "0.3")
public record ReplicationProgress(long lagBytes, Duration lag, long transactions, long changes, String appliedLsn,
        Instant measuredAt) {

    public ReplicationProgress {
        Objects.requireNonNull(lag, "lag must not be null");
        Objects.requireNonNull(appliedLsn, "appliedLsn must not be null");
        Objects.requireNonNull(measuredAt, "measuredAt must not be null");
    }

    /** Whether the target has applied everything the source had written when measured. */
    public boolean caughtUp() {
        return lagBytes == 0;
    }

    /** The lag for people: {@code "caught up"}, or bytes and seconds such as {@code "1.2 MB, 3 s behind"}. */
    public String describe() {
        if (caughtUp()) {
            return "caught up";
        }
        String bytes = lagBytes < 1024 ? lagBytes + " B"
                : lagBytes < 1 << 20 ? String.format(Locale.ROOT, "%.1f kB", lagBytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MB", lagBytes / 1048576.0);
        return bytes + ", " + lag.toSeconds() + " s behind";
    }

    /** Nothing applied yet, measured at {@code at}. */
    public static ReplicationProgress starting(String appliedLsn, Instant at) {
        return new ReplicationProgress(0, Duration.ZERO, 0, 0, appliedLsn, at);
    }
}
