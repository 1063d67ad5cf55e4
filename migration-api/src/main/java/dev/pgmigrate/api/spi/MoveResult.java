package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Stable;

/**
 * What a {@link DataMover} moved for one task.
 *
 * @param rows rows written to the target
 * @param bytes COPY bytes moved
 * @since 0.1
 */
@Stable(since = "0.1")
public record MoveResult(long rows, long bytes) {
    public MoveResult {
        if (rows < 0 || bytes < 0) {
            throw new IllegalArgumentException("rows and bytes must not be negative: " + rows + ", " + bytes);
        }
    }
}
