package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A background migration's JVM is set up as the one that started it. */
class BackgroundJvmTest {
    @Test
    void passesOnEveryOptionButTheArchiveRecordingAndTheDebugger() {
        List<String> options = BackgroundJvm.options(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xlog:cds*=off", "-XX:SharedArchiveFile=/x/pgmigrate.jsa", "-XX:ArchiveClassesAtExit=/x/p.jsa.12",
                "-Xmx2g", "-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-Dpgmigrate.plugins.dir=/p"));

        assertThat(options).containsExactly("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xlog:cds*=off",
                "-XX:SharedArchiveFile=/x/pgmigrate.jsa", "-Xmx2g", "-Dpgmigrate.plugins.dir=/p");
    }

    @Test
    void theCommandRunsMainInThisJvmsBinaryWithItsOptionsAndClassPath() {
        List<String> command = BackgroundJvm.command(List.of("migration", "list"));

        assertThat(command).containsSubsequence("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "migration", "list");
        assertThat(command).containsAll(BackgroundJvm.options(
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
    }

    @Test
    void theChildDoesNotReadTheOptionVariablesAgain() {
        Map<String, String> environment = new HashMap<>(Map.of("JAVA_TOOL_OPTIONS", "-javaagent:a.jar",
                "JDK_JAVA_OPTIONS", "-Xmx1g", "PGMIGRATE_JAVA_OPTS", "-Xmx1g", "PATH", "/usr/bin"));

        BackgroundJvm.environment(environment);

        assertThat(environment).containsOnlyKeys("PGMIGRATE_JAVA_OPTS", "PATH");
    }
}
