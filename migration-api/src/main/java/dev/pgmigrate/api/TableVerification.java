package dev.pgmigrate.api;

import java.util.Objects;

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
 * @since 0.1
 */
@Stable(since = "0.1")
public record TableVerification(String database, String schema, String table, long sourceRows, long targetRows,
        String sourceChecksum, String targetChecksum) {
    public TableVerification {
        Objects.requireNonNull(database, "database must not be null");
        Objects.requireNonNull(schema, "schema must not be null");
        Objects.requireNonNull(table, "table must not be null");
        Objects.requireNonNull(sourceChecksum, "sourceChecksum must not be null");
        Objects.requireNonNull(targetChecksum, "targetChecksum must not be null");
    }

    /** Whether the counts and checksums agree. */
    public boolean matches() {
        return sourceRows == targetRows && sourceChecksum.equals(targetChecksum);
    }
}
