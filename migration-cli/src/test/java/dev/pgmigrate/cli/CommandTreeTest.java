package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A command line gets only the branch of the command tree it names, and that branch is the whole tree's. */
class CommandTreeTest {
    private static final PrintStream NOWHERE = new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8);
    private static final Cli CLI = new Cli(NOWHERE, NOWHERE);

    @Test
    void aCommandLineGetsTheCommandsItNamesAndNoOthers() {
        assertThat(shape(CommandTree.forArgs(CLI, args("migration create --name a --wait"))))
                .isEqualTo(Map.of("migration", Map.of("create", Map.of())));
        assertThat(shape(CommandTree.forArgs(CLI, args("verify --properties p.json"))))
                .isEqualTo(Map.of("verify", Map.of()));
        assertThat(shape(CommandTree.forArgs(CLI, args("--version")))).isEmpty();
        // The value of an option the root passes down is no command, even when it is spelled like one.
        assertThat(shape(CommandTree.forArgs(CLI, args("--state-dir migration -v migration --log-format json list"))))
                .isEqualTo(Map.of("migration", Map.of("list", Map.of())));
    }

    @Test
    void aCommandLineThatNamesNoneOrAnUnknownOneGetsTheWholeTree() {
        CommandLine wholeTree = CommandTree.whole(CLI);
        assertThat(wholeTree.getSubcommands().keySet()).containsExactlyInAnyOrder("migration", "verify", "demo",
                "plugins");
        assertThat(wholeTree.getSubcommands().get("migration").getSubcommands().keySet()).containsExactlyInAnyOrder(
                "create", "list", "show", "report", "update", "cancel", "resume", MigrationCommand.RUN_DETACHED);
        Map<String, Object> whole = shape(wholeTree);
        assertThat(shape(CommandTree.forArgs(CLI, args("")))).isEqualTo(whole);
        assertThat(shape(CommandTree.forArgs(CLI, args("--help")))).isEqualTo(whole);
        assertThat(shape(CommandTree.forArgs(CLI, args("migrate create")))).isEqualTo(whole);
        assertThat(shape(CommandTree.forArgs(CLI, args("-- migration create")))).isEqualTo(whole);
        assertThat(shape(CommandTree.forArgs(CLI, args("migration creat --name a"))))
                .isEqualTo(Map.of("migration", whole.get("migration")));
    }

    @Test
    void eachBranchShowsTheSameHelpAsInTheWholeTree() {
        CommandLine whole = CommandTree.whole(CLI);
        whole.getSubcommands().forEach((name, command) -> {
            CommandLine branch = CommandTree.forArgs(CLI, new String[] {name}).getSubcommands().get(name);
            assertThat(branch.getUsageMessage()).isEqualTo(command.getUsageMessage());
            command.getSubcommands().forEach((subName, sub) -> {
                CommandLine leaf = CommandTree.forArgs(CLI, new String[] {name, subName}).getSubcommands().get(name)
                        .getSubcommands().get(subName);
                // The inherited options (--state-dir, --verbose, ...) reach the leaf through its parent.
                assertThat(leaf.getUsageMessage()).as(name + " " + subName).isEqualTo(sub.getUsageMessage())
                        .contains("--state-dir");
            });
        });
    }

    private static String[] args(String line) {
        return line.isEmpty() ? new String[0] : line.split(" ");
    }

    private static Map<String, Object> shape(CommandLine commandLine) {
        Map<String, Object> shape = new TreeMap<>();
        commandLine.getSubcommands().forEach((name, sub) -> shape.put(name, shape(sub)));
        return shape;
    }
}
