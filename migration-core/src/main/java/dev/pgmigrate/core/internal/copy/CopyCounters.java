package dev.pgmigrate.core.internal.copy;

import dev.pgmigrate.api.spi.CopyChecksum;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.core.internal.verify.CopiedRows;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A table's rows and bytes over all its parts, when and by which mover its copy began, and the sum of its parts'
 * checksums while each part has one from the same mover.
 */
final class CopyCounters {
    final AtomicLong rows = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    volatile Instant started;
    volatile String moverId;
    private DataMover checksumMover;
    private CopyChecksum.Sum checksum = CopyChecksum.Sum.EMPTY;
    private boolean checksumMissing;

    synchronized void addChecksum(DataMover mover, Optional<CopyChecksum.Sum> sum) {
        if (sum.isEmpty() || (checksumMover != null && checksumMover != mover)) {
            checksumMissing = true;
            return;
        }
        checksumMover = mover;
        checksum = checksum.plus(sum.get());
    }

    synchronized Optional<CopiedRows> copiedRows() {
        return checksumMissing || checksumMover == null ? Optional.empty()
                : Optional.of(new CopiedRows(checksumMover, checksum));
    }
}
