package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.api.spi.CopyChecksum;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import dev.pgmigrate.core.internal.verify.CopiedRows;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A table's rows and bytes over all its parts, when and by which mover its copy began, and the sum of its parts'
 * checksums while each part has one from the same mover; with the source's own count of the rows it sent when the
 * table was copied whole or in TID ranges.
 */
final class CopyCounters {
    final AtomicLong rows = new AtomicLong();
    /** Rows of every part so far, those still copying included: what progress reports, never going back. */
    final AtomicLong rowsSeen = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    volatile Instant started;
    volatile String moverId;
    private DataMover checksumMover;
    private CopyChecksum.Sum checksum = CopyChecksum.Sum.EMPTY;
    private boolean checksumMissing;
    private long sourceRows;
    private boolean sourceCountMissing;

    /**
     * Adds one part's checksum; {@code partition} when the parts cover every row by construction (the whole table,
     * or its TID ranges), whose source counts (when the mover read them all) then add up to the verification's count
     * of the source's rows. A table copied in ranges by key is counted again, which checks that its ranges cover it
     * (a row whose key is NULL is in none).
     */
    synchronized void addChecksum(DataMover mover, MoveResult result, boolean partition) {
        if (result.checksum().isEmpty() || (checksumMover != null && checksumMover != mover)) {
            checksumMissing = true;
            return;
        }
        checksumMover = mover;
        checksum = checksum.plus(result.checksum().get());
        if (!partition || result.sourceRows().isEmpty()) {
            sourceCountMissing = true;
        } else {
            sourceRows += result.sourceRows().getAsLong();
        }
    }

    synchronized Optional<CopiedRows> copiedRows() {
        return checksumMissing || checksumMover == null ? Optional.empty()
                : Optional.of(new CopiedRows(checksumMover, checksum,
                        sourceCountMissing ? OptionalLong.empty() : OptionalLong.of(sourceRows)));
    }
}
