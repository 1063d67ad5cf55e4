package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What every command shares: the console streams, the global options, and where migrations are kept. */
final class Cli {
    static final String HOME_ENV = "PGMIGRATE_HOME";

    private PrintStream out;
    private PrintStream err;
    private LogOutput.Format logFormat = LogOutput.Format.text;
    private Path stateDirOption;
    private List<Path> pluginPath = List.of();
    private Plugins plugins;
    private boolean verbose;
    private boolean loggingConfigured;
    private Interrupts interrupts;

    Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** Ctrl-C and SIGTERM while this command runs a migration in the foreground. */
    Interrupts interrupts() {
        if (interrupts == null) {
            interrupts = new Interrupts(this);
        }
        return interrupts;
    }

    boolean verbose() {
        return verbose;
    }

    void verbose(boolean value) {
        this.verbose = value;
    }

    /** {@code --log-format}: how the library's log lines are written. */
    void logFormat(LogOutput.Format format) {
        this.logFormat = format;
    }

    LogOutput.Format logFormat() {
        return logFormat;
    }

    void stateDirOption(Path dir) {
        this.stateDirOption = dir;
    }

    void pluginPath(List<Path> dirs) {
        this.pluginPath = List.copyOf(dirs);
    }

    /** The directories given with {@code --plugin-path}, as given. */
    List<Path> pluginPath() {
        return pluginPath;
    }

    /** Where plugin jars are looked for: {@link PluginDirectories#of}. */
    List<PluginDirectories.Directory> pluginDirectories() {
        return PluginDirectories.of(pluginPath, stateDir());
    }

    /** The plugins on the class path and in the plugin directories, found once; logging is set up first. */
    Plugins plugins() {
        if (plugins == null) {
            configureLogging(LogTarget.FILE);
            plugins = PluginDirectories.discover(pluginDirectories());
        }
        return plugins;
    }

    boolean stateDirGiven() {
        return stateDirOption != null;
    }

    /** {@code --state-dir}, else {@code $PGMIGRATE_HOME}, else {@code ~/.pgmigrate}. */
    Path stateDir() {
        if (stateDirOption != null) {
            return stateDirOption.toAbsolutePath();
        }
        String home = System.getenv(HOME_ENV);
        if (home != null && !home.isBlank()) {
            return Path.of(home).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".pgmigrate").toAbsolutePath();
    }

    /** Whether a person sits at a terminal: both standard input and output are one. */
    boolean interactive() {
        return System.console() != null;
    }

    /** A service keeping migrations in the state directory; logging is set up first. */
    MigrationService service() {
        configureLogging(LogTarget.FILE);
        return MigrationService.builder().store(new FileMigrationStore(stateDir())).plugins(plugins()).build();
    }

    MigrationService service(MigrationService.CredentialsProvider credentials) {
        configureLogging(LogTarget.FILE);
        return MigrationService.builder().store(new FileMigrationStore(stateDir())).plugins(plugins())
                .credentials(credentials).build();
    }

    enum LogTarget {
        /** INFO and above appended to {@code <state-dir>/logs/pgmigrate.log}; the console stays the CLI's. */
        FILE,
        /** INFO and above to standard error, which a background run sends to its own log file. */
        STDERR
    }

    /**
     * Sets up slf4j-simple before the first library class logs: with {@code --verbose}, DEBUG to standard error;
     * otherwise as {@code target} says. Library log lines never reach the console uninvited. In JSON
     * ({@code --log-format json}) each is one JSON object per line; for {@link LogTarget#STDERR}, a background run
     * whose standard output and error are one file, this command's own lines are written whole with them, so the
     * two never mix within a line.
     */
    void configureLogging(LogTarget target) {
        if (loggingConfigured) {
            return;
        }
        loggingConfigured = true;
        LogOutput output = new LogOutput(logFormat);
        output.configureLibraryFormat();
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.cacheOutputStream", "false");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "info");
        boolean whole = logFormat == LogOutput.Format.json || target == LogTarget.STDERR;
        if (whole) {
            // An event is written at its flush; one left unflushed at exit (a stack trace printed directly) too.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.flush(), "pgmigrate-log-flush"));
        }
        if (target == LogTarget.STDERR) {
            out = output.lines(new FileOutputStream(FileDescriptor.out), "INFO", LogOutput.PROGRESS_LOGGER);
            err = output.lines(new FileOutputStream(FileDescriptor.err), "WARN", "dev.pgmigrate.cli");
        }
        if (verbose || target == LogTarget.STDERR) {
            if (whole) {
                System.setErr(output.events(new FileOutputStream(FileDescriptor.err)));
            }
            return;
        }
        // slf4j-simple writes to whatever System.err is when it logs; the CLI keeps the real one in err().
        Path log = logDirectory().resolve("pgmigrate.log");
        try {
            // A state directory the store refuses gets nothing written into it first, the log included: the
            // command then fails on the store's refusal, and the library's warnings meanwhile reach the console.
            FileMigrationStore.requireOwnDirectory(stateDir());
        } catch (MigrationException refused) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            return;
        }
        try {
            Files.createDirectories(log.getParent());
            FileOutputStream file = new FileOutputStream(log.toFile(), true);
            System.setErr(whole ? output.events(file) : new PrintStream(file, true, StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            err.println("pgmigrate: cannot write the log " + log + " (" + e.getMessage() + "); logging warnings to "
                    + "the console instead.");
        }
    }

    /** Where logs go: {@code <state-dir>/logs}. */
    Path logDirectory() {
        return stateDir().resolve("logs");
    }
}
