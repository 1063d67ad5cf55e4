package dev.pgmigrate.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs external programs and collects their output. Internal: promises nothing. */
public final class Processes {
    private Processes() {
    }

    /** Runs {@code command}, waits up to 2 minutes, and returns stdout and stderr together. */
    public static String run(List<String> command, Optional<Path> directory) {
        return run(command, directory, Optional.empty());
    }

    /**
     * Runs {@code command} with {@code stdin} fed from a stream, and returns stdout and stderr together.
     *
     * @throws IllegalStateException naming the command and its output if it fails or times out
     */
    public static String run(List<String> command, Optional<Path> directory, Optional<InputStream> stdin) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        directory.ifPresent(d -> builder.directory(d.toFile()));
        if (stdin.isEmpty()) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        try {
            // Read output on another thread, so a full pipe never blocks the program while we feed stdin.
            var output = new java.io.ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = process.getInputStream()) {
                    in.transferTo(output);
                } catch (IOException e) {
                    // The process went away; its exit code tells what happened.
                }
            }, "pgmigrate-testkit-output");
            reader.setDaemon(true);
            reader.start();
            if (stdin.isPresent()) {
                try (var out = process.getOutputStream(); InputStream in = stdin.get()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    process.destroyForcibly();
                    throw new UncheckedIOException("Cannot feed input to " + command.get(0), e);
                }
            }
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out after 2 minutes: " + String.join(" ", command));
            }
            reader.join(10_000);
            String text;
            synchronized (output) {
                text = output.toString(StandardCharsets.UTF_8);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("Command failed with exit code " + process.exitValue() + ": "
                        + String.join(" ", command) + "\n" + text);
            }
            return text;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command.get(0), e);
        }
    }

    /**
     * Whether process {@code pid} runs. A zombie does not: where PID 1 does not reap orphans (some containers
     * and micro-VMs), a stopped postmaster stays a zombie that {@link ProcessHandle#isAlive()} still reports.
     */
    public static boolean isRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false; // gone between the two checks
        }
    }
}
