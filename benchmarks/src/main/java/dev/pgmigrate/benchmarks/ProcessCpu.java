package dev.pgmigrate.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's CPU time and that of its waited-for children, in ns. */
final class ProcessCpu {
    private static final Path STAT = Path.of("/proc/self/stat");
    /** The kernel's clock tick, USER_HZ: 100 on every Linux that ships a JVM. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ProcessCpu() {
    }

    /** {own user + system, children's user + system}; the children's 0 where /proc is missing. */
    static long[] read() {
        try {
            String stat = Files.readString(STAT);
            // Fields after the command name, which may hold spaces and ends at the last ')': state is field 3,
            // utime 14, stime 15, cutime 16, cstime 17.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long children = Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return new long[] {own * NANOS_PER_TICK, children * NANOS_PER_TICK};
        } catch (IOException | RuntimeException e) {
            return new long[] {OS.getProcessCpuTime(), 0};
        }
    }
}
