package dev.pgmigrate.benchmarks;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.CopyContext;
import java.sql.Connection;

/** The engine's view of one task, without the engine: two connections in their transactions, no cancel. */
record BenchCopyContext(Connection source, Connection target, MigrationSettings settings) implements CopyContext {
    @Override
    public void progress(long rows, long bytes) {
        // the engine turns these into events; here they cost only the call
    }

    @Override
    public boolean isCanceled() {
        return false;
    }

    /** As the engine says of the tables it made from the source's schema, as the benchmark's are. */
    @Override
    public boolean targetColumnsMatchSource() {
        return true;
    }
}
