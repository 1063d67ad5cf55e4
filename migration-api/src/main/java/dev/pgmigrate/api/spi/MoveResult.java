package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Stable;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a {@link DataMover} moved for one task.
 *
 * @param rows rows written to the target
 * @param bytes COPY bytes moved
 * @param checksum the {@link CopyChecksum} of the rows read from the source, when the engine asked for one
 *     ({@link CopyContext#checksumRows()}) and the mover can read its own rows back ({@link DataMover#checksum});
 *     since 0.3
 * @param sourceRows the rows the source server said its {@code COPY ... TO STDOUT} sent (the command's tag), when
 *     the mover read it. For a table copied whole with a checksum, the verification takes it for the source's row
 *     count instead of counting the source's rows again; since 0.3
 * @since 0.1
 */
@Stable(since = "0.1")
public record MoveResult(long rows, long bytes, Optional<CopyChecksum.Sum> checksum, OptionalLong sourceRows) {
    public MoveResult {
        if (rows < 0 || bytes < 0) {
            throw new IllegalArgumentException("rows and bytes must not be negative: " + rows + ", " + bytes);
        }
        Objects.requireNonNull(checksum, "checksum must not be null");
        Objects.requireNonNull(sourceRows, "sourceRows must not be null");
        if (sourceRows.orElse(0) < 0) {
            throw new IllegalArgumentException("sourceRows must not be negative: " + sourceRows.getAsLong());
        }
    }

    /** Rows and bytes moved, with a checksum when there is one, without the source's own count. */
    public MoveResult(long rows, long bytes, Optional<CopyChecksum.Sum> checksum) {
        this(rows, bytes, checksum, OptionalLong.empty());
    }

    /** Rows and bytes moved, without a checksum. */
    public MoveResult(long rows, long bytes) {
        this(rows, bytes, Optional.empty());
    }
}
