package dev.pgmigrate.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code psql -c "COPY ... TO STDOUT" | psql -c "COPY ... FROM STDIN"}: the closest thing to the physical
 * limit, the reference the issue measures the product against.
 */
final class PsqlPipe {
    private final Path psql;

    private PsqlPipe(Path psql) {
        this.psql = psql;
    }

    /** {@code psql} from system property {@code pgmigrate.bench.psql}, else the newest under /usr/lib/postgresql, else PATH. */
    static PsqlPipe find() {
        String configured = System.getProperty("pgmigrate.bench.psql");
        if (configured != null) {
            return new PsqlPipe(Path.of(configured));
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin/psql")).filter(Files::isExecutable)
                    .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getParent().getFileName().toString())))
                    .map(PsqlPipe::new).orElseGet(() -> new PsqlPipe(Path.of("psql")));
        } catch (IOException | NumberFormatException e) {
            return new PsqlPipe(Path.of("psql"));
        }
    }

    /** Runs one pipe, blocking; returns the rows the target's COPY reported. */
    long copy(Endpoint source, String copyOutSql, Endpoint target, String copyInSql) throws IOException,
            InterruptedException {
        ProcessBuilder out = command(source, copyOutSql);
        ProcessBuilder in = command(target, copyInSql);
        in.environment().put("PGOPTIONS", "-c synchronous_commit=off");
        out.redirectError(ProcessBuilder.Redirect.INHERIT);
        in.redirectErrorStream(true);
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(out, in));
        String result = new String(pipeline.get(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        for (Process p : pipeline) {
            if (p.waitFor() != 0) {
                throw new IOException("psql pipe failed (exit " + p.exitValue() + "): " + result);
            }
        }
        if (!result.startsWith("COPY ")) {
            throw new IOException("psql pipe printed no row count: " + result);
        }
        return Long.parseLong(result.substring(5));
    }

    private ProcessBuilder command(Endpoint endpoint, String sql) {
        List<String> command = new ArrayList<>(List.of(psql.toString(), "-X", "-v", "ON_ERROR_STOP=1",
                "-d", endpoint.libpqUri(Endpoint.DATABASE), "-c", sql));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PGPASSWORD", endpoint.password());
        return pb;
    }

    @Override
    public String toString() {
        return psql.toString();
    }
}
