package dev.pgmigrate.benchmarks;

import dev.pgmigrate.embedded.PostgresServer;

/**
 * The two servers the benchmarks use: given by system properties {@code pgmigrate.bench.source.host} and so
 * on, or else started here with migration-embedded, version {@code pgmigrate.bench.version} (default 17), and
 * stopped on close.
 */
final class BenchServers implements AutoCloseable {
    private final Endpoint source;
    private final Endpoint target;
    private final AutoCloseable owned;

    private BenchServers(Endpoint source, Endpoint target, AutoCloseable owned) {
        this.source = source;
        this.target = target;
        this.owned = owned;
    }

    static BenchServers startOrReuse() {
        if (System.getProperty("pgmigrate.bench.source.host") != null) {
            return new BenchServers(Endpoint.fromProperties("source"), Endpoint.fromProperties("target"), () -> { });
        }
        String version = System.getProperty("pgmigrate.bench.version", "17");
        PostgresServer source = start(version);
        PostgresServer target;
        try {
            target = start(version);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        return new BenchServers(endpoint(source), endpoint(target), () -> {
            try (source; target) {
                // stops both, target first
            }
        });
    }

    private static PostgresServer start(String version) {
        // Checkpoints only when the benchmark asks for them, between operations.
        return PostgresServer.builder().version(version).setting("max_wal_size", "16GB")
                .setting("checkpoint_timeout", "1h").setting("shared_buffers", "512MB").start();
    }

    private static Endpoint endpoint(PostgresServer server) {
        return new Endpoint(PostgresServer.HOST, server.port(), PostgresServer.SUPERUSER,
                server.superuserPassword().reveal());
    }

    Endpoint source() {
        return source;
    }

    Endpoint target() {
        return target;
    }

    @Override
    public void close() throws Exception {
        owned.close();
    }
}
