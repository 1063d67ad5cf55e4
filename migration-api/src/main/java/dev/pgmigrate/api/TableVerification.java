package dev.pgmigrate.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Row count and content checksum of one table on both servers.
 *
 * @param database the database
 * @param schema the table's schema
 * @param table the table's name
 * @param sourceRows rows on the source, in the migration's snapshot
 * @param targetRows rows on the target
 * @param sourceChecksum an order-independent checksum of every row on the source
 * @param targetChecksum the same on the target
 * @param difference what keeps the rows from being compared at all: the target lacks the table, or its columns
 *     differ from the source's (each named); the checksums are then empty. Since 0.2.
 * @param rowsLeftOut whether the selection left the table's rows on the source ({@link Selection}): its columns
 *     are compared and the target's table must be empty; {@code sourceRows} and the checksums are not read
 *     then (0 and empty). Since 0.3.
 * @since 0.1
 */
@Stable(since = "0.1")
public record TableVerification(String database, String schema, String table, long sourceRows, long targetRows,
        String sourceChecksum, String targetChecksum, Optional<String> difference, boolean rowsLeftOut) {
    public TableVerification {
        Objects.requireNonNull(database, "database must not be null");
        Objects.requireNonNull(schema, "schema must not be null");
        Objects.requireNonNull(table, "table must not be null");
        Objects.requireNonNull(sourceChecksum, "sourceChecksum must not be null");
        Objects.requireNonNull(targetChecksum, "targetChecksum must not be null");
        difference = difference == null ? Optional.empty() : difference;
    }

    /** A comparison as versions before 0.3 made it: every table's rows compared. */
    public TableVerification(String database, String schema, String table, long sourceRows, long targetRows,
            String sourceChecksum, String targetChecksum, Optional<String> difference) {
        this(database, schema, table, sourceRows, targetRows, sourceChecksum, targetChecksum, difference, false);
    }

    /** A comparison of rows: counts and checksums, no structural difference. */
    public TableVerification(String database, String schema, String table, long sourceRows, long targetRows,
            String sourceChecksum, String targetChecksum) {
        this(database, schema, table, sourceRows, targetRows, sourceChecksum, targetChecksum, Optional.empty(), false);
    }

    /** A table whose rows the selection left on the source: the target must have none. */
    public static TableVerification rowsLeftOut(String database, String schema, String table, long targetRows,
            Optional<String> difference) {
        return new TableVerification(database, schema, table, 0, targetRows, "", "", difference, true);
    }

    /** Whether the structure, the counts and the checksums agree; for rows left out, whether the copy is empty. */
    public boolean matches() {
        if (rowsLeftOut) {
            return difference.isEmpty() && targetRows == 0;
        }
        return difference.isEmpty() && sourceRows == targetRows && sourceChecksum.equals(targetChecksum);
    }
}
