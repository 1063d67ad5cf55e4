package dev.pgmigrate.core.internal.verify;

import dev.pgmigrate.api.spi.CopyChecksum;
import dev.pgmigrate.api.spi.DataMover;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A table whose every part was copied by {@code mover} with a checksum of the rows it read from the source:
 * {@code sum}, over all parts. Its verification reads the target's table back through the same mover and counts the
 * source's rows again, instead of hashing them on the source a second time; or, for a table copied whole or in TID
 * ranges, takes {@code sourceRows}, the source's own count of the rows its COPYs sent, when the mover read them.
 */
public record CopiedRows(DataMover mover, CopyChecksum.Sum sum, OptionalLong sourceRows) {
    public CopiedRows {
        Objects.requireNonNull(mover, "mover must not be null");
        Objects.requireNonNull(sum, "sum must not be null");
        Objects.requireNonNull(sourceRows, "sourceRows must not be null");
    }
}
