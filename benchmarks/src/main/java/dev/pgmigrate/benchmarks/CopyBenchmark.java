package dev.pgmigrate.benchmarks;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.copy.BinaryCopyMover;
import dev.pgmigrate.copy.TextCopyMover;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

/**
 * One whole copy of a table per operation, between two real servers: the built-in movers against the same
 * COPY bytes moved by the bare driver ({@link #rawDriver}) and by two {@code psql} processes ({@link #psqlPipe}).
 * The target table is emptied and checkpointed before each operation, outside the measured time.
 * {@link BenchmarkMain} turns the times into MB/s and rows/s and the overhead against the references.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class CopyBenchmark {
    /** Two workers, the parallelism on this 2-core machine; a single-task table uses the first. */
    private static final int WORKERS = 2;

    @Param({"narrow", "wide", "bytea", "narrow_ranges"})
    public String table;

    private Endpoint source;
    private Endpoint target;
    private final List<Connection[]> pairs = new ArrayList<>();
    private List<CopyTask> tasks;
    private ExecutorService workers;
    private PsqlPipe psql;

    /** The buffer the movers gather rows in before writing to the target; 0 writes row by row. */
    @State(Scope.Benchmark)
    public static class Buffer {
        @Param({"0", "8192", "65536", "262144", "1048576"})
        public int bufferBytes;

        MigrationSettings settings() {
            return MigrationSettings.builder().option("copy.bufferBytes", String.valueOf(bufferBytes)).build();
        }
    }

    /**
     * CPU time per operation, in ms, of this JVM and of the processes it ran and waited for (the psql pipe's two
     * {@code psql}): robust where wall time is not (other work on the machine), and on a CPU-bound machine every
     * client millisecond is taken from the servers. Read from {@code /proc/self/stat} (10 ms ticks); elsewhere
     * only the JVM's own time, through its management bean, and the child processes' as 0.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class ClientCpu {
        public double jvmCpuMs;
        public double childCpuMs;
        private long[] before;

        @Setup(Level.Invocation)
        public void start() {
            before = ProcessCpu.read();
        }

        @TearDown(Level.Invocation)
        public void stop() {
            long[] after = ProcessCpu.read();
            jvmCpuMs += (after[0] - before[0]) / 1e6;
            childCpuMs += (after[1] - before[1]) / 1e6;
        }

        @Setup(Level.Iteration)
        public void reset() {
            jvmCpuMs = 0;
            childCpuMs = 0;
        }
    }

    @Setup(Level.Trial)
    public void connect() throws SQLException {
        source = Endpoint.fromProperties("source");
        target = Endpoint.fromProperties("target");
        for (int i = 0; i < WORKERS; i++) {
            pairs.add(new Connection[] {source.connect(Endpoint.DATABASE), target.connect(Endpoint.DATABASE)});
        }
        tasks = BenchTable.of(table).tasks(pairs.get(0)[0]);
        workers = Executors.newFixedThreadPool(WORKERS);
        psql = PsqlPipe.find();
    }

    @Setup(Level.Invocation)
    public void emptyTarget() throws SQLException {
        target.execute(Endpoint.DATABASE, "TRUNCATE " + tasks.get(0).qualifiedName(), "CHECKPOINT");
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        workers.shutdownNow();
        for (Connection[] pair : pairs) {
            pair[0].close();
            pair[1].close();
        }
        pairs.clear();
    }

    @Benchmark
    public long binaryMover(Buffer buffer, ClientCpu cpu) throws Exception {
        return runTasks((task, src, dst) -> moveInTransactions(new BinaryCopyMover(), task, src, dst, buffer.settings()));
    }

    @Benchmark
    public long textMover(ClientCpu cpu) throws Exception {
        return runTasks((task, src, dst) -> moveInTransactions(new TextCopyMover(), task, src, dst,
                MigrationSettings.defaults()));
    }

    /** The same binary COPY bytes moved by the driver alone: one readFromCopy, one writeToCopy per row. */
    @Benchmark
    public long rawDriver(ClientCpu cpu) throws Exception {
        return runTasks((task, src, dst) -> {
            begin(src, dst);
            CopyIn in = dst.unwrap(PGConnection.class).getCopyAPI().copyIn(task.copyInSql("FORMAT binary"));
            CopyOut out = src.unwrap(PGConnection.class).getCopyAPI().copyOut(task.copyOutSql("FORMAT binary"));
            byte[] row;
            while ((row = out.readFromCopy()) != null) {
                in.writeToCopy(row, 0, row.length);
            }
            long rows = in.endCopy();
            commit(src, dst);
            return rows;
        });
    }

    /** Two psql processes per task, binary COPY piped from one to the other. */
    @Benchmark
    public long psqlPipe(ClientCpu cpu) throws Exception {
        return runTasks((task, src, dst) -> psql.copy(source, task.copyOutSql("FORMAT binary"), target,
                task.copyInSql("FORMAT binary")));
    }

    @FunctionalInterface
    private interface TaskRun {
        long run(CopyTask task, Connection source, Connection target) throws Exception;
    }

    /** Runs the tasks on the workers, task i on worker i mod WORKERS; returns the rows copied. */
    private long runTasks(TaskRun run) throws Exception {
        int used = Math.min(WORKERS, tasks.size());
        List<Future<Long>> futures = new ArrayList<>();
        for (int w = 0; w < used; w++) {
            int worker = w;
            futures.add(workers.submit(() -> {
                Connection[] pair = pairs.get(worker);
                long rows = 0;
                for (int i = worker; i < tasks.size(); i += WORKERS) {
                    rows += run.run(tasks.get(i), pair[0], pair[1]);
                }
                return rows;
            }));
        }
        long rows = 0;
        for (Future<Long> f : futures) {
            rows += f.get();
        }
        return rows;
    }

    private static long moveInTransactions(DataMover mover, CopyTask task, Connection src, Connection dst,
            MigrationSettings settings) throws SQLException {
        begin(src, dst);
        long rows = mover.move(task, new BenchCopyContext(src, dst, settings)).rows();
        commit(src, dst);
        return rows;
    }

    /** As the engine opens them: a read-only snapshot on the source, a transaction with async commit on the target. */
    private static void begin(Connection src, Connection dst) throws SQLException {
        try (Statement s = src.createStatement(); Statement t = dst.createStatement()) {
            s.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            t.execute("BEGIN");
            t.execute("SET LOCAL synchronous_commit = off");
        }
    }

    private static void commit(Connection src, Connection dst) throws SQLException {
        try (Statement s = src.createStatement(); Statement t = dst.createStatement()) {
            t.execute("COMMIT");
            s.execute("COMMIT");
        }
    }
}
