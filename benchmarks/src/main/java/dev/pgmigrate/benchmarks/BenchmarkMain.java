package dev.pgmigrate.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the copy benchmarks: starts a source and a target server (or uses the ones named by system properties
 * {@code pgmigrate.bench.source.host}, {@code .port}, {@code .user}, {@code .password}, and the same for
 * {@code target}), creates the tables once, runs JMH with the remaining arguments, and prints MB/s, rows/s and
 * each mover's overhead against the raw driver and the psql pipe.
 *
 * <p>{@code java -jar benchmarks/target/benchmarks.jar [--short] [JMH options]}; {@code --short} is
 * {@code -f 1 -wi 2 -i 2} at the default buffer size only (the full run sweeps the buffer sizes).
 */
public final class BenchmarkMain {
    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> jmhArgs = new ArrayList<>(Arrays.asList(args));
        boolean shortMode = jmhArgs.remove("--short");
        if (shortMode) {
            jmhArgs.addAll(0, List.of("-f", "1", "-wi", "2", "-i", "2"));
            if (jmhArgs.stream().noneMatch(a -> a.startsWith("bufferBytes="))) {
                jmhArgs.addAll(List.of("-p", "bufferBytes=262144"));
            }
        }
        CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        try (BenchServers servers = BenchServers.startOrReuse()) {
            Endpoint source = servers.source();
            Endpoint target = servers.target();
            System.out.println("Creating the benchmark tables (once per server) on " + source + " and " + target);
            BenchTable.createAll(source, target);
            Map<BenchTable, long[]> sizes = new EnumMap<>(BenchTable.class);
            for (BenchTable t : BenchTable.values()) {
                sizes.put(t, t.binaryCopyBytesAndRows(source));
            }
            source.setProperties("source");
            target.setProperties("target");
            List<String> jvmArgs = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
            // Kept, not replaced: -jvmArgsAppend -XX:TieredStopAtLevel=1 measures the movers as the launcher runs them.
            jvmArgs.addAll(cli.getJvmArgsAppend().orElse(List.of()));
            jvmArgs.addAll(List.of(source.asJvmArgs("source")));
            jvmArgs.addAll(List.of(target.asJvmArgs("target")));
            OptionsBuilder builder = new OptionsBuilder();
            builder.parent(cli).jvmArgsAppend(jvmArgs.toArray(String[]::new));
            if (cli.getIncludes().isEmpty()) {
                builder.include(CopyBenchmark.class.getSimpleName());
            }
            Options options = builder.build();
            Collection<RunResult> results = new Runner(options).run();
            String summary = summary(results, sizes);
            System.out.println(summary);
            String out = System.getProperty("pgmigrate.bench.out");
            if (out != null) {
                Files.writeString(Path.of(out), summary, StandardCharsets.UTF_8);
            }
        }
    }

    /** One benchmark's result; CPU in ms per copy: this JVM's, and its child processes' (the psql pipe's). */
    private record Row(BenchTable table, String benchmark, String buffer, double ms, double error, double jvmCpuMs,
            double childCpuMs) {
        double clientCpuMs() {
            return jvmCpuMs + childCpuMs;
        }
    }

    static String summary(Collection<RunResult> results, Map<BenchTable, long[]> sizes) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            String buffer = r.getParams().getParam("bufferBytes");
            rows.add(new Row(BenchTable.of(r.getParams().getParam("table")), method, buffer == null ? "-" : buffer,
                    r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                    perIteration(r, "jvmCpuMs"), perIteration(r, "childCpuMs")));
        }
        var bytes = new java.io.ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            p.println();
            p.println("Copy throughput: MB = 10^6 bytes of the table's binary COPY stream, per second of one whole copy");
            p.printf(Locale.ROOT, "%-14s %-12s %8s %10s %8s %8s %12s %9s %9s %8s %8s %8s %9s%n", "table", "benchmark",
                    "buffer", "ms/op", "+-", "MB/s", "rows/s", "vs raw", "vs psql", "JVM cpu", "psql cpu", "cpu ms",
                    "cpu/psql");
            for (BenchTable t : BenchTable.values()) {
                double raw = score(rows, t, "rawDriver");
                double psql = score(rows, t, "psqlPipe");
                double psqlCpu = rows.stream().filter(r -> r.table() == t && r.benchmark().equals("psqlPipe"))
                        .mapToDouble(Row::clientCpuMs).findFirst().orElse(Double.NaN);
                for (Row row : rows) {
                    if (row.table() != t) {
                        continue;
                    }
                    double seconds = row.ms() / 1000;
                    p.printf(Locale.ROOT,
                            "%-14s %-12s %8s %10.0f %8.0f %8.1f %12.0f %8.1f%% %8.1f%% %8.0f %8.0f %8.0f %8.2fx%n",
                            t.param(), row.benchmark(), row.buffer(), row.ms(), row.error(),
                            sizes.get(t)[0] / 1e6 / seconds, sizes.get(t)[1] / seconds, 100 * raw / row.ms(),
                            100 * psql / row.ms(), row.jvmCpuMs(), row.childCpuMs(), row.clientCpuMs(),
                            row.clientCpuMs() / psqlCpu);
                }
            }
            p.println("vs raw / vs psql: the reference's time over this one's, so above 100% is faster than the reference");
            p.println("CPU in ms per copy, the mean over measured iterations: this JVM's, its child processes' (the"
                    + " pipe's two psql), their sum, and that sum over the psql pipe's");
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** An auxiliary counter per iteration: JMH reports the sum over iterations as the score. */
    private static double perIteration(RunResult r, String counter) {
        var result = r.getSecondaryResults().get(counter);
        return result == null ? Double.NaN : result.getStatistics().getMean();
    }

    private static double score(List<Row> rows, BenchTable t, String benchmark) {
        return rows.stream().filter(r -> r.table() == t && r.benchmark().equals(benchmark)).mapToDouble(Row::ms)
                .findFirst().orElse(Double.NaN);
    }
}
