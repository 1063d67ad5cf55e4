package dev.pgmigrate.cli;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationProperties;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.StoredMigration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Starting migrations: reading the input, running in the foreground with progress, or in a background process. */
final class Runs {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private Runs() {
    }

    /**
     * What {@code create} was given, checked.
     *
     * @param propertiesFile the properties file, when one was given
     * @param targetServer the command line's {@code --target-server}, if given
     * @param commandLine the servers, databases and selection given as options, for a background run
     */
    record Request(String name, Optional<Path> propertiesFile, Optional<String> targetServer,
            MigrationProperties properties, MigrationSpec spec, List<String> commandLine) {
    }

    /**
     * Checks the name and options, reads the properties file and asks for missing passwords; touches no server.
     *
     * @throws InvalidSpecException or {@link CliException} (64) naming what is wrong
     */
    static Request request(Cli cli, String name, Path file, String option, String mode, boolean promptPassword) {
        return request(cli, name, file, Optional.empty(), new ConnectionOptions(), new SelectionOptions(), option,
                mode, promptPassword);
    }

    /**
     * As {@link #request(Cli, String, Path, String, String, boolean)}, with the target {@code --target-server}
     * names, and the servers, databases and selection the command line gives in place of the file's, or without a
     * file.
     */
    static Request request(Cli cli, String name, Path file, Optional<String> targetServer,
            ConnectionOptions connection, SelectionOptions selection, String option, String mode,
            boolean promptPassword) {
        List<SpecProblem> problems = new ArrayList<>(MigrationSpec.nameProblems("--name", name));
        MigrationOption optionOverride = null;
        MigrationMode modeOverride = null;
        try {
            optionOverride = option == null ? null : MigrationOption.fromLabel(option);
        } catch (IllegalArgumentException e) {
            problems.add(new SpecProblem("--migration-option", option, "use Validate, ValidateAndMigrate or Migrate"));
        }
        try {
            modeOverride = mode == null ? null : MigrationMode.fromLabel(mode);
        } catch (IllegalArgumentException e) {
            problems.add(new SpecProblem("--migration-mode", mode, "use Offline or Online"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException("the command line", problems);
        }
        MigrationProperties properties = Passwords.complete(cli, connection.properties(Optional.ofNullable(file),
                targetServer, selection), promptPassword);
        MigrationSpec spec = properties.toSpec(name,
                optionOverride != null ? optionOverride : properties.option().orElse(MigrationOption.VALIDATE_AND_MIGRATE),
                modeOverride != null ? modeOverride : properties.mode().orElse(MigrationMode.OFFLINE));
        checkOptions(cli, spec.settings(), Optional.ofNullable(file));
        List<String> commandLine = new ArrayList<>(connection.args());
        commandLine.addAll(selection.args());
        return new Request(name, Optional.ofNullable(file).map(Path::toAbsolutePath), targetServer, properties, spec,
                commandLine);
    }

    /**
     * Refuses the file's {@code settings.options} with a bad value or an unknown name under a prefix pgmigrate or a
     * plugin declares, as every other error of the file is refused: naming the file and the field from
     * {@code properties.} on. Options come only from a file; none, and no plugin is looked for.
     */
    static void checkOptions(Cli cli, MigrationSettings settings, Optional<Path> file) {
        if (settings.options().isEmpty()) {
            return;
        }
        List<SpecProblem> problems = cli.plugins().optionProblems(settings);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(file.map(Path::toString).orElse(null), problems.stream()
                    .map(p -> new SpecProblem("properties." + p.field(), p.value(), p.rule())).toList());
        }
    }

    /**
     * Fails with exit code 69 when either server does not answer on its port (the source's failure first). Both
     * are asked at once: over a network, one round trip instead of two before the migration starts. Each
     * {@code ...GivenIn} says where that server was given ({@code --source}, a properties file), for the fix.
     */
    static void requireReachable(MigrationSpec spec, String sourceGivenIn, String targetGivenIn) {
        java.util.concurrent.CompletableFuture<Void> target = java.util.concurrent.CompletableFuture.runAsync(
                () -> Reachability.require("target", spec.target(), targetGivenIn, spec.settings().connectTimeout()));
        Reachability.require("source", spec.source(), sourceGivenIn, spec.settings().connectTimeout());
        try {
            target.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }

    /**
     * Runs a migration here until it ends, showing progress; Ctrl-C cancels it and rolls the target back.
     *
     * @return the exit code of its final status
     */
    static int foreground(Cli cli, MigrationService service, Request request, ProgressPrinter.Style style) {
        return foreground(cli, service, request, style, false);
    }

    /**
     * Runs a migration here until it ends, as {@link #foreground(Cli, MigrationService, Request,
     * ProgressPrinter.Style)}; with {@code replace}, in place of an ended one of its name (kept in the history).
     */
    static int foreground(Cli cli, MigrationService service, Request request, ProgressPrinter.Style style,
            boolean replace) {
        ProgressPrinter printer = new ProgressPrinter(cli.out(), style);
        Interrupts interrupts = cli.interrupts();
        interrupts.starting();
        // The shutdown hook is for what signals do not reach (SIGHUP), and for a JVM that refuses the handlers.
        Thread onExit = null;
        MigrationRecord done;
        try {
            MigrationHandle handle = replace
                    ? service.startReplacing(request.spec(), request.properties().secretReferences(), printer)
                    : service.start(request.spec(), request.properties().secretReferences(), printer);
            if (style != ProgressPrinter.Style.JSON) {
                cli.out().println("Migration " + handle.name() + " started (" + request.spec().option().displayName()
                        + ", " + request.spec().source().address() + " -> " + request.spec().target().address()
                        + ", " + Format.names(request.spec().databases()) + "). Ctrl-C cancels it and rolls "
                        + "back the target.");
                if (request.spec().mode() == MigrationMode.ONLINE && request.spec().option().migrates()) {
                    cli.out().println("Once copied it follows the source until you trigger the cutover from "
                            + "another terminal: pgmigrate migration update --cutover --name " + handle.name()
                            + stateDirOption(cli));
                }
            }
            printer.watch(handle);
            onExit = new Thread(() -> cancelAtExit(cli, handle), "pgmigrate-interrupt");
            Runtime.getRuntime().addShutdownHook(onExit);
            interrupts.running(handle, h -> canceling(cli, printer, style, h.name()));
            try {
                done = handle.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handle.cancel();
                throw new CliException(ExitCodes.CANCELED, "Interrupted; migration " + handle.name()
                        + " was canceled.");
            }
            printer.finish(done);
        } finally {
            interrupts.disarm();
            printer.close();
            if (onExit != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onExit);
                } catch (IllegalStateException e) {
                    // The JVM is already shutting down: the hook is running and finishes the cancel.
                }
            }
        }
        if (style == ProgressPrinter.Style.JSON) {
            printer.printRecord(done);
        } else {
            cli.out().println();
            cli.out().print(Reports.ending(done, Instant.now(), leftOnTarget(service, done),
                    leftOnSource(service, done)));
        }
        return exitCode(done);
    }

    /** What a migration that ended still holds on the target; its record alone when it cannot be read. */
    static List<String> leftOnTarget(MigrationService service, MigrationRecord done) {
        if (done.status() == MigrationStatus.SUCCEEDED) {
            return List.of();
        }
        try {
            return service.leftOnTarget(done.name(), done.spec().target());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** What a migration that ended still holds on the source; none when it cannot be read. */
    static List<String> leftOnSource(MigrationService service, MigrationRecord done) {
        if (done.status() == MigrationStatus.SUCCEEDED) {
            return List.of();
        }
        try {
            return service.leftOnSource(done.name(), done.spec().target());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** Says that the migration is being canceled: under the bars on a terminal, else on standard error. */
    private static void canceling(Cli cli, ProgressPrinter printer, ProgressPrinter.Style style, String name) {
        if (style == ProgressPrinter.Style.BARS) {
            printer.canceling("Interrupted: canceling migration " + name + " and rolling back the target...");
        } else {
            cli.err().println();
            cli.err().println("pgmigrate: interrupted; canceling migration " + name + " and rolling back the "
                    + "target...");
        }
    }

    /** At an exit no signal handler saw: cancels the migration and waits for its rollback. */
    private static void cancelAtExit(Cli cli, MigrationHandle handle) {
        if (handle.record().status().isFinal()) {
            return;
        }
        cli.err().println();
        cli.err().println("pgmigrate: interrupted; canceling migration " + handle.name() + " and rolling back the "
                + "target...");
        try {
            handle.cancel();
            handle.await(Duration.ofMinutes(5));
        } catch (Exception e) {
            cli.err().println("pgmigrate: the rollback did not finish: " + e.getMessage() + ". Run 'pgmigrate "
                    + "migration cancel --name " + handle.name() + "' to finish it.");
        }
    }

    /** The exit code for a final record; a failure because a server went away or stopped answering is 69. */
    static int exitCode(MigrationRecord done) {
        if (done.status() == MigrationStatus.FAILED && (done.failedWith(MessageCode.SERVER_UNREACHABLE)
                || done.failedWith(MessageCode.SERVER_NOT_ANSWERING))) {
            return ExitCodes.UNAVAILABLE;
        }
        return ExitCodes.of(done.status());
    }

    /**
     * Starts the migration in a detached background process running this same program in a JVM set up as this
     * one, hands it the passwords on its standard input, and returns once it has stored the migration.
     */
    static int background(Cli cli, Request request, boolean replace) throws IOException, InterruptedException {
        FileMigrationStore.requireOwnDirectory(cli.stateDir()); // before its log is written there
        Path logs = cli.logDirectory();
        Files.createDirectories(logs);
        Path log = logs.resolve(request.name() + "-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC).format(Instant.now()) + ".log");
        List<String> arguments = new ArrayList<>(List.of("--state-dir", cli.stateDir().toString()));
        if (cli.verbose()) {
            arguments.add("--verbose");
        }
        if (cli.logFormat() != LogOutput.Format.text) {
            arguments.addAll(List.of("--log-format", cli.logFormat().name()));
        }
        cli.pluginPath().forEach(dir -> arguments.addAll(List.of("--plugin-path", dir.toAbsolutePath().toString())));
        arguments.addAll(List.of("migration", MigrationCommand.RUN_DETACHED, "--name", request.name(),
                "--migration-option", request.spec().option().label(), "--migration-mode",
                request.spec().mode().label()));
        request.propertiesFile().ifPresent(file -> arguments.addAll(List.of("--properties", file.toString())));
        request.targetServer().ifPresent(t -> arguments.addAll(List.of(TargetServerOption.NAME, t)));
        if (replace) {
            arguments.add("--replace");
        }
        arguments.addAll(request.commandLine()); // never a password: the options refuse one
        ProcessBuilder builder = new ProcessBuilder(BackgroundJvm.command(arguments)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        BackgroundJvm.environment(builder.environment());
        Instant launched = Instant.now().minusSeconds(1);
        Process child = builder.start();
        Passwords.send(request.properties(), child.getOutputStream());

        FileMigrationStore store = new FileMigrationStore(cli.stateDir());
        String namespace = MigrationService.namespaceOf(request.spec().target());
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            Optional<StoredMigration> stored = store.load(namespace, request.name());
            if (stored.isPresent() && !stored.get().record().createdAt().isBefore(launched)) {
                printStarted(cli, request, child.pid(), log);
                return ExitCodes.SUCCEEDED;
            }
            if (!child.isAlive()) {
                int code = child.exitValue();
                cli.err().println("pgmigrate: the background process ended before the migration started (exit code "
                        + code + "):");
                tail(log).forEach(l -> cli.err().println("  " + l));
                return code == 0 ? ExitCodes.FAILED : code;
            }
            Thread.sleep(100);
        }
        throw new CliException(ExitCodes.FAILED, "The background process (pid " + child.pid() + ") did not store "
                + "migration " + request.name() + " within " + START_TIMEOUT.toSeconds() + " s; see " + log + ".");
    }

    private static List<String> tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return lines.subList(Math.max(0, lines.size() - 15), lines.size());
    }

    /** The lines printed when a background migration has started. */
    private static void printStarted(Cli cli, Request request, long pid, Path log) {
        String stateDir = stateDirOption(cli);
        String name = request.name();
        cli.out().println("Migration " + name + " started in the background (process " + pid + ").");
        cli.out().println("  Watch it:   pgmigrate migration show --name " + name + stateDir);
        cli.out().println("  All:        pgmigrate migration list" + stateDir);
        if (request.spec().mode() == MigrationMode.ONLINE && request.spec().option().migrates()) {
            cli.out().println("  Cut over:   pgmigrate migration update --cutover --name " + name + stateDir
                    + "   (once it is WaitingForUserAction)");
        }
        cli.out().println("  Cancel it:  pgmigrate migration cancel --name " + name + stateDir);
        cli.out().println("  Its log:    " + log);
    }

    /** {@code --state-dir DIR} when this command was given one, for the commands it suggests. */
    static String stateDirOption(Cli cli) {
        return cli.stateDirGiven() ? " --state-dir " + cli.stateDir() : "";
    }
}
