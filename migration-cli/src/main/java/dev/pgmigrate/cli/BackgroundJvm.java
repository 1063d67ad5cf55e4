package dev.pgmigrate.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM a background migration runs in: this one's java binary, its options and its class path, so a run
 * without {@code --wait} gets what a foreground one gets: the launcher's tuning, {@code PGMIGRATE_JAVA_OPTS},
 * the distribution's plugin directory.
 */
final class BackgroundJvm {
    private BackgroundJvm() {
    }

    /** The command that runs {@link Main} with {@code arguments} in a JVM set up as this one, in its own session. */
    static List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString()); // its own session: a Ctrl-C at this terminal does not reach it
        }
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        command.addAll(options(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(arguments);
        return command;
    }

    /**
     * This JVM's options as the child takes them: all of them (the JVM lists JAVA_TOOL_OPTIONS and
     * JDK_JAVA_OPTIONS among them, see {@link #environment}), except the two that belong to this process alone.
     */
    static List<String> options(List<String> inputArguments) {
        return inputArguments.stream()
                // The launcher's class-data sharing recording is this process's; two would write one archive.
                .filter(o -> !o.startsWith("-XX:ArchiveClassesAtExit"))
                // A debugger's port is taken by this JVM: the child would fail to start.
                .filter(o -> !o.startsWith("-agentlib:jdwp") && !o.startsWith("-Xrunjdwp"))
                .toList();
    }

    /** The child's environment: the options those variables held are on its command line already. */
    static void environment(Map<String, String> environment) {
        environment.remove("JAVA_TOOL_OPTIONS");
        environment.remove("JDK_JAVA_OPTIONS");
    }
}
