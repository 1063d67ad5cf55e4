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
 * table was copied whole.
 */
final class CopyCounters {
    final AtomicLong rows = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    volatile Instant started;
    volatile String moverId;
    private DataMover checksumMover;
    private CopyChecksum.Sum checksum = CopyChecksum.Sum.EMPTY;
    private boolean checksumMissing;
    private OptionalLong sourceRows = OptionalLong.empty();

    /**
     * Adds one part's checksum; {@code whole} when that part was the whole table, whose source count (when the mover
     * read one) then stands for the verification's count of the source's rows. A table copied in ranges is counted
     * again, which checks that its ranges cover it.
     */
    synchronized void addChecksum(DataMover mover, MoveResult result, boolean whole) {
        if (result.checksum().isEmpty() || (checksumMover != null && checksumMover != mover)) {
            checksumMissing = true;
            return;
        }
        checksumMover = mover;
        checksum = checksum.plus(result.checksum().get());
        sourceRows = whole ? result.sourceRows() : OptionalLong.empty();
    }

    synchronized Optional<CopiedRows> copiedRows() {
        return checksumMissing || checksumMover == null ? Optional.empty()
                : Optional.of(new CopiedRows(checksumMover, checksum, sourceRows));
    }
}
