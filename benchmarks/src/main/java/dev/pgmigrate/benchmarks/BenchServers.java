package dev.pgmigrate.benchmarks;

/** The two servers the benchmarks use: started here with the testkit, or given by system properties. */
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
        throw new IllegalStateException("Starting servers with the testkit comes with the testkit merge;"
                + " set pgmigrate.bench.source.host/port and pgmigrate.bench.target.host/port");
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
