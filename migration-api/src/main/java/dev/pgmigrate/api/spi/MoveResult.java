package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Stable;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link DataMover} moved for one task.
 *
 * @param rows rows written to the target
 * @param bytes COPY bytes moved
 * @param checksum the {@link CopyChecksum} of the rows read from the source, when the engine asked for one
 *     ({@link CopyContext#checksumRows()}) and the mover can read its own rows back ({@link DataMover#checksum});
 *     since 0.3
 * @since 0.1
 */
@Stable(since = "0.1")
public record MoveResult(long rows, long bytes, Optional<CopyChecksum.Sum> checksum) {
    public MoveResult {
        if (rows < 0 || bytes < 0) {
            throw new IllegalArgumentException("rows and bytes must not be negative: " + rows + ", " + bytes);
        }
        Objects.requireNonNull(checksum, "checksum must not be null");
    }

    /** Rows and bytes moved, without a checksum. */
    public MoveResult(long rows, long bytes) {
        this(rows, bytes, Optional.empty());
    }
}
