package dev.pgmigrate.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root command; its subcommands are added by {@link CommandTree}. */
@Command(name = "pgmigrate", mixinStandardHelpOptions = true, versionProvider = PgmigrateCommand.Version.class,
        description = "Migrates PostgreSQL databases from a source server to a target server of the same or a "
                + "newer major version, offline or online (changes streamed until a cutover): premigration "
                + "validation, parallel copy, verification, cancel with rollback.",
        footer = {"", "Examples:", "  pgmigrate demo",
                "  pgmigrate migration create --name shop-move --properties migration.json --wait",
                "  pgmigrate migration list", "  pgmigrate migration show --name shop-move",
                "  pgmigrate verify --properties migration.json", "",
                "Exit codes: 0 succeeded, 1 failed, 2 validation failed, 3 canceled, 64 bad usage or properties "
                        + "file, 69 a server unreachable.",
                "Migrations are kept in --state-dir, else $PGMIGRATE_HOME, else ~/.pgmigrate."})
final class PgmigrateCommand implements Callable<Integer> {
    private final Cli cli;

    @Spec
    CommandSpec spec;

    PgmigrateCommand(Cli cli) {
        this.cli = cli;
    }

    Cli cli() {
        return cli;
    }

    @Option(names = "--state-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Where migrations are kept (default: $PGMIGRATE_HOME, else ~/.pgmigrate).")
    void stateDir(Path dir) {
        cli.stateDirOption(dir);
    }

    @Option(names = "--plugin-path", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "A directory of plugin jars (validators, data movers) to use besides those built in, the "
                    + "distribution's plugins/ and <state-dir>/plugins; may be repeated.")
    void pluginPath(java.util.List<Path> dirs) {
        cli.pluginPath(dirs);
    }

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show library logs (DEBUG) and stack traces on standard error.")
    void verbose(boolean verbose) {
        cli.verbose(verbose);
    }

    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "text|json",
            description = "The library's log lines as text (default) or one JSON object per line: time, level, "
                    + "logger, message.")
    void logFormat(LogOutput.Format format) {
        cli.logFormat(format);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(cli.out());
        return ExitCodes.USAGE;
    }

    /** The version, the commit it was built from, and the JVM running it. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pgmigrate " + dev.pgmigrate.core.PgmigrateVersion.current().display(),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                            + System.getProperty("java.vendor") + "), " + System.getProperty("os.name") + " "
                            + System.getProperty("os.arch")};
        }
    }
}
