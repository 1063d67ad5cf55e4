package dev.pgmigrate.cli;

import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
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

    private final PrintStream out;
    private final PrintStream err;
    private Path stateDirOption;
    private List<Path> pluginPath = List.of();
    private Plugins plugins;
    private boolean verbose;
    private boolean loggingConfigured;

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

    boolean verbose() {
        return verbose;
    }

    void verbose(boolean value) {
        this.verbose = value;
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
     * otherwise as {@code target} says. Library log lines never reach the console uninvited.
     */
    void configureLogging(LogTarget target) {
        if (loggingConfigured) {
            return;
        }
        loggingConfigured = true;
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.cacheOutputStream", "false");
        if (verbose) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
            return;
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        if (target == LogTarget.STDERR) {
            return;
        }
        // slf4j-simple writes to whatever System.err is when it logs; the CLI keeps the real one in err().
        Path log = logDirectory().resolve("pgmigrate.log");
        try {
            Files.createDirectories(log.getParent());
            System.setErr(new PrintStream(new FileOutputStream(log.toFile(), true), true, StandardCharsets.UTF_8));
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
