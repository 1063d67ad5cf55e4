package dev.pgmigrate.copy;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.SpecProblem;
import java.util.List;

/** The movers' tunables, read from {@link MigrationSettings#options()}. */
record CopySettings(int bufferBytes) {
    /**
     * Option: bytes of COPY data gathered from the source's rows before one write to the target; 0 writes
     * each row as the source sent it.
     */
    static final String BUFFER_BYTES = "copy.bufferBytes";

    /**
     * 256 KiB: fastest in the JMH sweep (benchmarks/README.md, CopyBenchmark) on narrow and wide tables, with
     * the least JVM CPU per copy; 0 and 8 KiB cost the target a message per row or per few rows.
     */
    static final int DEFAULT_BUFFER_BYTES = 256 * 1024;

    static final int MAX_BUFFER_BYTES = 64 * 1024 * 1024;

    static CopySettings from(MigrationSettings settings) {
        return new CopySettings(settings.option(BUFFER_BYTES).map(CopySettings::parseBufferBytes)
                .orElse(DEFAULT_BUFFER_BYTES));
    }

    private static int parseBufferBytes(String value) {
        try {
            int bytes = Integer.parseInt(value.strip());
            if (bytes >= 0 && bytes <= MAX_BUFFER_BYTES) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // reported below with the rule
        }
        throw new InvalidSpecException(List.of(new SpecProblem("settings.options." + BUFFER_BYTES, value,
                "must be a whole number of bytes from 0 (write each row as it comes) to " + MAX_BUFFER_BYTES
                        + "; the default is " + DEFAULT_BUFFER_BYTES)));
    }
}
