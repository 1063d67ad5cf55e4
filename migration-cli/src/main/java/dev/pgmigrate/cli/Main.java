package dev.pgmigrate.cli;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.core.RecordJson;
import java.io.PrintStream;
import picocli.CommandLine;

/**
 * The {@code pgmigrate} command. Only this module prints to the console; everything it prints for a person
 * goes to standard output, errors to standard error, and the process ends with a code of {@link ExitCodes}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        warmUpJson();
        int code = run(args);
        System.out.flush();
        System.exit(code);
    }

    static int run(String[] args) {
        Cli cli = new Cli(System.out, System.err);
        CommandLine commandLine = CommandTree.forArgs(cli, args);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> report(cli, e));
        commandLine.setParameterExceptionHandler((e, parsedArgs) -> {
            cli.err().println("pgmigrate: " + e.getMessage() + TargetServerOption.hint(e));
            CommandLine failed = e.getCommandLine();
            cli.err().println("Run '" + failed.getCommandSpec().qualifiedName() + " --help' for the options and an "
                    + "example.");
            return ExitCodes.USAGE;
        });
        return commandLine.execute(args);
    }

    /**
     * Builds the two JSON mappers and the stored record's serializer on another core while picocli reads the
     * command line: the properties file and the record's first write need them next, and cold they take the main
     * thread 0.1 s of reflection. A class's initialisation runs once; if main gets there first, this one waits.
     */
    private static void warmUpJson() {
        Thread warmUp = new Thread(() -> {
            try {
                Class.forName("dev.pgmigrate.core.MigrationProperties", true, Main.class.getClassLoader());
                RecordJson.mapper().writerFor(StoredMigration.class);
            } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
                // nothing lost: whoever needs them builds them
            }
        }, "pgmigrate-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /** One or two lines for a person; the stack trace only with --verbose. */
    static int report(Cli cli, Throwable e) {
        PrintStream err = cli.err();
        int code;
        if (e instanceof CliException c) {
            err.println("pgmigrate: " + c.getMessage());
            code = c.exitCode();
        } else if (e instanceof InvalidSpecException invalid) {
            err.println("pgmigrate: " + invalid.getMessage());
            err.println("Fix the field(s) named above and run the command again; the README documents every field.");
            code = ExitCodes.USAGE;
        } else if (e instanceof MigrationException m) {
            err.println("pgmigrate: " + m.getMessage());
            code = ExitCodes.of(m.code());
        } else {
            err.println("pgmigrate: unexpected error: " + e + (cli.verbose() ? "" : ". Run again with --verbose "
                    + "for the stack trace, and report it with that."));
            code = ExitCodes.FAILED;
        }
        if (cli.verbose()) {
            e.printStackTrace(err);
        }
        return code;
    }
}
