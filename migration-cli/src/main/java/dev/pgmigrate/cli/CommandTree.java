package dev.pgmigrate.cli;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * pgmigrate's picocli command tree. picocli builds the model of every subcommand it is given before it parses (by
 * reflection over each one's options): with the whole tree that took 60-100 ms of a cold JVM's main thread, the
 * same for {@code migration create} as for {@code --version}. So a command line gets only the branch it names
 * ({@code --version} alone: none), and the whole tree is built when it names none (usage, {@code --help}, an
 * unknown subcommand, which picocli then reports as before), and for the manual page and the completion script.
 */
final class CommandTree {
    private static final List<Class<?>> COMMANDS =
            List.of(MigrationCommand.class, VerifyCommand.class, DemoCommand.class, PluginsCommand.class);
    /** The options every command inherits from the root that take their value as the next argument. */
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("--state-dir", "--plugin-path", "--log-format");

    private CommandTree() {
    }

    /** Every command, as {@code pgmigrate --help}, the manual page and the completion script show them. */
    static CommandLine whole(Cli cli) {
        return build(cli, new String[0], false);
    }

    /** The root and the commands {@code args} name, with their own subcommands when they name none of those. */
    static CommandLine forArgs(Cli cli, String[] args) {
        return build(cli, args, true);
    }

    private static CommandLine build(Cli cli, String[] args, boolean onlyNamed) {
        CommandLine root = new CommandLine(new PgmigrateCommand(cli));
        int at = onlyNamed ? commandAt(args, 0) : -1;
        Optional<Class<?>> named = at < 0 ? Optional.empty() : named(COMMANDS, args[at]);
        if (onlyNamed && at < 0 && versionOnly(args)) {
            return root;
        }
        for (Class<?> command : named.map(List::<Class<?>>of).orElse(COMMANDS)) {
            root.addSubcommand(command);
            CommandLine added = root.getSubcommands().get(name(command));
            List<Class<?>> subcommands = command == MigrationCommand.class ? MigrationCommand.SUBCOMMANDS : List.of();
            int subAt = named.isPresent() ? commandAt(args, at + 1) : -1;
            Optional<Class<?>> namedSub = subAt < 0 ? Optional.empty() : named(subcommands, args[subAt]);
            for (Class<?> subcommand : namedSub.map(List::<Class<?>>of).orElse(subcommands)) {
                added.addSubcommand(subcommand);
            }
        }
        return root;
    }

    /** Where the first argument from {@code from} on that is neither an option nor an option's value is; or -1. */
    private static int commandAt(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            if (args[i].equals("--")) {
                return -1;
            }
            if (!args[i].startsWith("-")) {
                return i;
            }
            if (OPTIONS_WITH_VALUE.contains(args[i])) {
                i++;
            }
        }
        return -1;
    }

    /** {@code --version} without a command: the root's version, which no subcommand takes part in. */
    private static boolean versionOnly(String[] args) {
        List<String> all = List.of(args);
        return (all.contains("-V") || all.contains("--version")) && !all.contains("-h") && !all.contains("--help");
    }

    private static Optional<Class<?>> named(List<Class<?>> commands, String name) {
        return commands.stream().filter(c -> name(c).equals(name)).findFirst();
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }
}
