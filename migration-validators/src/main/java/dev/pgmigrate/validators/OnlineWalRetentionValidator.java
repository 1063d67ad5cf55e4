package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * O9: the WAL that piles up on the source while the databases are copied, which the migration's slots keep in
 * {@code pg_wal} until the target has applied it: the source's average WAL rate ({@code pg_stat_wal}, 14+) times
 * the copy's time at about {@value #COPY_MEGABYTES_PER_SECOND} MB/s. An estimate from what the server already
 * counts: nothing is sampled or waited for.
 */
public final class OnlineWalRetentionValidator extends OnlineInstanceValidator {
    static final int COPY_MEGABYTES_PER_SECOND = 100;
    static final long COPY_BYTES_PER_SECOND = COPY_MEGABYTES_PER_SECOND * 1024L * 1024;
    /** Above this much WAL in {@code pg_wal}, the finding asks for disk to be checked. */
    static final long WARN_BYTES = 10L * 1024 * 1024 * 1024;

    public OnlineWalRetentionValidator() {
        super("online-wal-retention", "Online: the WAL the source keeps while the databases are copied.",
                Needs.SOURCE);
    }

    /** The seconds the copy of {@code databaseBytes} takes at the assumed rate. */
    static double copySeconds(long databaseBytes) {
        return (double) databaseBytes / COPY_BYTES_PER_SECOND;
    }

    /** The WAL written at {@code walBytesPerSecond} while {@code databaseBytes} are copied. */
    static long walDuringCopy(long databaseBytes, double walBytesPerSecond) {
        return (long) (walBytesPerSecond * copySeconds(databaseBytes));
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(DatabaseSizes.SIZE);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        ServerFacts source = facts(context.source());
        long size = DatabaseSizes.selectedTotal(context);
        OptionalDouble rate = OptionalDouble.empty();
        String since = "";
        long keepBytes = -1;
        try (Connection connection = maintenance(context.source())) {
            if (source.atLeast(140000)) {
                List<double[]> wal = Sql.list(connection, "SELECT wal_bytes::float8, extract(epoch FROM now() -"
                        + " stats_reset)::float8 FROM pg_stat_wal WHERE stats_reset IS NOT NULL",
                        rs -> new double[] {rs.getDouble(1), rs.getDouble(2)});
                if (!wal.isEmpty() && wal.get(0)[1] >= 1) {
                    rate = OptionalDouble.of(wal.get(0)[0] / wal.get(0)[1]);
                    since = Text.bytes((long) wal.get(0)[0]) + " of WAL in the " + Text.duration(wal.get(0)[1])
                            + " since its WAL statistics were reset";
                }
            }
            if (source.atLeast(130000)) {
                // In MB; -1 (the default) lets slots keep any amount.
                keepBytes = Sql.number(connection, "SELECT CASE setting WHEN '-1' THEN -1 ELSE setting::bigint"
                        + " * 1024 * 1024 END FROM pg_settings WHERE name = 'max_slot_wal_keep_size'");
            }
        }
        String copy = "selected databases (" + Text.bytes(size) + ") take about " + Text.duration(copySeconds(size))
                + " to copy at about " + COPY_MEGABYTES_PER_SECOND + " MB/s";
        if (rate.isEmpty()) {
            return List.of(context.succeeded("The " + copy + "; the WAL written meanwhile stays in the source's "
                    + "pg_wal for the migration's slots. Its amount is not estimated: the source's WAL rate is not "
                    + "known (" + (source.atLeast(140000) ? "its WAL statistics were reset moments ago or have no start"
                    : "pg_stat_wal came with PostgreSQL 14") + ")."));
        }
        long wal = walDuringCopy(size, rate.getAsDouble());
        String found = "The source wrote " + since + " (about " + Text.bytes((long) rate.getAsDouble()) + "/s); the "
                + copy + ", so about " + Text.bytes(wal) + " of WAL accumulates in pg_wal for the migration's slots"
                + " until the target has applied it.";
        boolean overKeep = keepBytes >= 0 && wal > keepBytes;
        if (wal <= WARN_BYTES && !overKeep) {
            return List.of(context.succeeded(found));
        }
        if (overKeep) {
            return List.of(context.warning(found + " max_slot_wal_keep_size is " + Text.bytes(keepBytes) + ".",
                    "A slot that falls further behind than max_slot_wal_keep_size loses its WAL and is invalidated; "
                    + "the migration then cannot go on and must start again.", "Raise max_slot_wal_keep_size on the "
                    + "source above " + Text.bytes(wal) + " (or set it to -1) for the migration, and make sure the "
                    + "source has this much free disk in pg_wal.", List.of(String.valueOf(wal))));
        }
        return List.of(context.warning(found, "The slots keep every WAL segment written after the copy's snapshot "
                + "until the target has applied it; a full disk stops the source.", "Make sure the source has this "
                + "much free disk in pg_wal (" + Text.bytes(wal) + " and a margin), or migrate at a quieter time or "
                + "fewer databases at once.", List.of(String.valueOf(wal))));
    }
}
