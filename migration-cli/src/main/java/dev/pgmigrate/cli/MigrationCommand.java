package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.MigrationHandle;
import dev.pgmigrate.core.MigrationProperties;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.RecordJson;
import dev.pgmigrate.core.report.MigrationReport;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgmigrate migration}: the managed service's command group, one nested class per subcommand, as picocli
 * declares a group. Past 400 lines because each subcommand's options and help text sit with it; what they do is
 * in {@link Runs}, {@link Reports} and the library, so each class here is a page of declarations and a few calls.
 */
@Command(name = "migration", mixinStandardHelpOptions = true,
        description = "Create, list, show, cut over, cancel and resume migrations.",
        footer = {"", "Example:", "  pgmigrate migration create --name shop-move --properties migration.json --wait"})
final class MigrationCommand implements Callable<Integer> {
    static final String RUN_DETACHED = "run-detached";
    /** Its subcommands, in the order of its usage; added by {@link CommandTree}, only the one named when one is. */
    static final List<Class<?>> SUBCOMMANDS = List.of(Create.class, ListCommand.class, Show.class, Report.class,
            Update.class, Cancel.class, Resume.class, RunDetached.class);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return ExitCodes.USAGE;
    }

    enum Output { table, json }

    enum TextOrJson { text, json }

    enum ShowOutput { table, json, html, az_json }

    enum ReportFormat { html, json }

    enum Filter { all, active }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Starts a migration described by a JSON properties file, or by --source, --target and "
                    + "--databases; pg_dump's -n/-N/-t/-T/--exclude-table-data/-s/-a choose what moves.",
                    "Without --wait it runs in a background process and this command returns at once; with --wait it "
                            + "runs here, shows its progress, and exits when it ends (Ctrl-C cancels it and rolls "
                            + "back the target).",
                    "An online migration (--migration-mode online) follows the source's changes once copied and "
                            + "waits (WaitingForUserAction) until 'pgmigrate migration update --cutover --name NAME', "
                            + "run from another terminal, triggers its cutover.",
                    "Passwords come from the file (a string, {\"env\": \"VAR\"} or {\"file\": \"path\"}), else "
                            + "from PGPASSWORD or ~/.pgpass (PGPASSFILE), else from a prompt on the terminal; never "
                            + "from the command line."},
            footer = {"", "Examples:",
                    "  pgmigrate migration create --name shop-move --properties migration.json",
                    "  pgmigrate migration create --name shop-move --source postgresql://postgres@10.0.0.4:5432 "
                            + "--target postgresql://admin@pg.example.com?sslmode=require --databases shop "
                            + "--exclude-table 'public.audit_*' --jobs 4 --wait",
                    "  pgmigrate migration create --name shop-check --properties migration.json "
                            + "--migration-option Validate --wait",
                    "  pgmigrate migration create --migration-name shop-move --properties migration_body.json "
                            + "--target-server pg.example.com   (the managed service's file, as is)",
                    "", "Exit codes with --wait: 0 succeeded, 1 failed, 2 validation failed, 3 canceled; always: 64 "
                            + "bad usage or properties file, 69 a server unreachable."})
    static final class Create extends CliCommand {
        @Option(names = {"--name", "--migration-name"}, required = true, paramLabel = "NAME",
                description = "The migration's name: letters, digits and '-', not starting with '-', at most 63 "
                        + "characters; unique per target server.")
        String name;

        @Option(names = "--properties", paramLabel = "FILE",
                description = "The JSON properties file: servers, databases, option, mode and settings; or give "
                        + "--source, --target and --databases instead.")
        Path properties;

        @Mixin
        ConnectionOptions connection;

        @Mixin
        MigrationOptions selection;

        @Option(names = "--migration-option", paramLabel = "OPTION",
                description = "Validate, ValidateAndMigrate or Migrate; wins over the file (default: the file's, "
                        + "else ValidateAndMigrate).")
        String option;

        @Option(names = "--migration-mode", paramLabel = "MODE",
                description = "Offline (default) or Online: the copy is followed by the source's changes until "
                        + "'pgmigrate migration update --name NAME --cutover'; wins over the file.")
        String mode;

        @Option(names = "--wait", description = "Run in the foreground with live progress until the migration ends.")
        boolean wait;

        @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
                description = "With --wait: text progress (bars on a terminal, timestamped lines elsewhere), or one "
                        + "JSON object per line. Default: ${DEFAULT-VALUE}.")
        TextOrJson output;

        @Option(names = "--prompt-password", description = "Ask on the terminal for any password the file does not "
                + "give; an error when there is no terminal.")
        boolean promptPassword;

        @Mixin
        TargetServerOption target;

        @Option(names = "--replace", description = "Start again a migration of this name that ended on this target; "
                + "its record is kept ('pgmigrate migration list --all', 'pgmigrate migration show --name NAME "
                + "--attempt N').")
        boolean replace;

        @Override
        public Integer call() throws Exception {
            Cli cli = cli();
            if (wait) {
                cli.interrupts().arm(); // from here on, Ctrl-C ends with 3, canceled, and leaves nothing behind
            }
            Runs.Request request = Runs.request(cli, name, properties, target.value(), connection, selection,
                    option, mode, promptPassword);
            TargetServerOption.printNotes(cli, request.properties(), wait && output == TextOrJson.json);
            Runs.requireReachable(request.spec(), connection.givenIn(MigrationProperties.SOURCE_SERVER,
                    request.propertiesFile()), connection.givenIn(MigrationProperties.TARGET_SERVER,
                    request.propertiesFile()));
            if (!wait) {
                return Runs.background(cli, request, replace);
            }
            try (MigrationService service = cli.service()) {
                return Runs.foreground(cli, service, request,
                        ProgressPrinter.choose(cli, output == TextOrJson.json), replace);
            }
        }
    }

    @Command(name = RUN_DETACHED, hidden = true,
            description = "Internal: runs a migration started by 'create' without --wait; passwords on stdin.")
    static final class RunDetached extends CliCommand {
        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--properties")
        Path properties;

        @Mixin
        ConnectionOptions connection;

        @Mixin
        MigrationOptions selection;

        @Option(names = "--migration-option", required = true)
        String option;

        @Option(names = "--migration-mode", required = true)
        String mode;

        @Mixin
        TargetServerOption target;

        @Option(names = "--replace")
        boolean replace;

        @Override
        public Integer call() throws Exception {
            Cli cli = cli();
            cli.configureLogging(Cli.LogTarget.STDERR);
            MigrationProperties file = Passwords.receive(connection.properties(Optional.ofNullable(properties),
                    target.value(), selection), System.in);
            Runs.Request request = new Runs.Request(name, Optional.ofNullable(properties), target.value(), file,
                    file.toSpec(name, dev.pgmigrate.api.MigrationOption.fromLabel(option),
                            dev.pgmigrate.api.MigrationMode.fromLabel(mode)), List.of());
            try (MigrationService service = cli.service()) {
                return Runs.foreground(cli, service, request, ProgressPrinter.Style.LINES, replace);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"The grid of migrations, newest first: Name, Status, Migration mode, Migration type, "
                    + "Source server, Source server type, Target server, Databases, Duration, Start time."},
            footer = {"", "Examples:", "  pgmigrate migration list", "  pgmigrate migration list --filter active "
                    + "--output json"})
    static final class ListCommand extends CliCommand {
        @Option(names = "--filter", paramLabel = "all|active", defaultValue = "all",
                description = "all (default), or active: only those in progress.")
        Filter filter;

        @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
                description = "A table (default) or a JSON array of the full records.")
        Output output;

        @Option(names = "--all", description = "Also the earlier attempts of each name that --replace replaced, "
                + "numbered in an Attempt column ('pgmigrate migration show --name NAME --attempt N' shows one).")
        boolean all;

        @Override
        public Integer call() throws Exception {
            Cli cli = cli();
            try (MigrationService service = cli.service()) {
                List<Attempts.Numbered> attempts = (all ? Attempts.all(service) : service.list().stream()
                        .map(r -> new Attempts.Numbered(r, 0)).toList()).stream()
                        .filter(a -> filter == Filter.all || !a.record().status().isFinal()).toList();
                List<MigrationRecord> records = attempts.stream().map(Attempts.Numbered::record).toList();
                if (output == Output.json) {
                    cli.out().println(RecordJson.mapper().writeValueAsString(records));
                } else if (records.isEmpty()) {
                    cli.out().println((filter == Filter.active ? "No migration is in progress" : "No migrations yet")
                            + " in " + cli.stateDir() + ".");
                } else {
                    cli.out().print(all ? Reports.gridOfAttempts(attempts, Instant.now())
                            : Reports.grid(records, Instant.now()));
                }
            }
            return ExitCodes.SUCCEEDED;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Everything about one migration: status and substatus, validation results (instance and "
                    + "per database, failures first, each with its remedy), per-database and per-table progress, "
                    + "errors, verification and notes.",
            footer = {"", "Example:", "  pgmigrate migration show --name shop-move --output json"})
    static final class Show extends CliCommand {
        @Option(names = {"--name", "--migration-name"}, required = true, paramLabel = "NAME",
                description = "The migration's name (--migration-name, as the managed service's CLI calls it).")
        String name;

        @Option(names = "--output", paramLabel = "table|json|html|az-json", defaultValue = "table",
                converter = ShowOutputs.class,
                description = "Text (default), the full record as JSON, the HTML report (as 'pgmigrate migration "
                        + "report --name NAME --format html' writes it), or az-json: the managed service's status "
                        + "JSON, as 'az postgres flexible-server migration show' prints it.")
        ShowOutput output;

        @Mixin
        TargetServerOption target;

        @Option(names = "--attempt", paramLabel = "N", description = "An earlier attempt of this name, replaced "
                + "with 'pgmigrate migration create --name NAME --replace': 1 is the first ('pgmigrate migration "
                + "list --all' numbers them). Default: the current one.")
        Integer attempt;

        @Override
        public Integer call() throws Exception {
            Cli cli = cli();
            try (MigrationService service = cli.service()) {
                Attempts.Attempt shown = Attempts.find(cli, service, name, target, attempt);
                MigrationRecord record = shown.record();
                switch (output) {
                    case json -> cli.out().println(RecordJson.mapper().writeValueAsString(record));
                    case html -> Report.toStdout(cli, shown.report(service), ReportFormat.html);
                    case az_json -> cli.out().println(AzureStatus.of(shown.report(service)));
                    case table -> {
                        cli.out().print(Reports.show(record, Instant.now()));
                        if (shown.of() > 1) {
                            cli.out().println("\nAttempt " + shown.number() + " of " + shown.of() + " of this name on "
                                    + "target " + shown.target().address() + " ('pgmigrate migration list --all' "
                                    + "lists them).");
                        }
                        // A migration still running holds its journal's changes as work, not as leftovers.
                        boolean over = record.status().isFinal() || record.interrupted();
                        List<String> left = shown.current() && over ? service.leftOnTarget(name, shown.target())
                                : List.of();
                        List<String> leftOnSource = shown.current() && over
                                ? service.leftOnSource(name, shown.target()) : List.of();
                        cli.out().print(Reports.leftBehind(name, left, leftOnSource));
                    }
                }
            }
            return ExitCodes.SUCCEEDED;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = {"Writes the report of one migration: a self-contained HTML page (inline CSS and SVG, no "
                    + "script, nothing fetched) or JSON.",
                    "It shows the phases on a timeline, every database and table with rows, bytes, time and "
                            + "throughput, the validation results with their remedies, the verification, errors and "
                            + "notes. The JSON is the full record plus those figures."},
            footer = {"", "Examples:", "  pgmigrate migration report --name shop-move --file shop-move.html",
                    "  pgmigrate migration report --name shop-move --format json > shop-move.json"})
    static final class Report extends CliCommand {
        @Option(names = {"--name", "--migration-name"}, required = true, paramLabel = "NAME",
                description = "The migration's name (--migration-name, as the managed service's CLI calls it).")
        String name;

        @Option(names = "--format", paramLabel = "html|json",
                description = "html or json. Default: json when --file ends in .json, else html.")
        ReportFormat format;

        @Option(names = "--file", paramLabel = "PATH",
                description = "Write the report to this file, replacing it; without it, to standard output.")
        Path file;

        @Mixin
        TargetServerOption target;

        @Override
        public Integer call() throws Exception {
            Cli cli = cli();
            ReportFormat chosen = format != null ? format : file != null && file.getFileName().toString()
                    .toLowerCase(Locale.ROOT).endsWith(".json") ? ReportFormat.json : ReportFormat.html;
            try (MigrationService service = cli.service()) {
                MigrationReport report = Attempts.find(cli, service, name, target, null).report(service);
                if (file == null) {
                    toStdout(cli, report, chosen);
                    return ExitCodes.SUCCEEDED;
                }
                try {
                    if (chosen == ReportFormat.html) {
                        report.writeHtml(file);
                    } else {
                        report.writeJson(file);
                    }
                } catch (IOException e) {
                    throw new CliException(ExitCodes.FAILED, "Cannot write the report to " + file.toAbsolutePath()
                            + ": " + e + ". Choose a writable path with --file, or leave it out to print the report.",
                            e);
                }
                cli.out().println("Wrote the " + chosen.name().toUpperCase(Locale.ROOT)
                        + " report of migration " + name + " to " + file.toAbsolutePath());
            }
            return ExitCodes.SUCCEEDED;
        }

        static void toStdout(Cli cli, MigrationReport report, ReportFormat format) throws IOException {
            // UTF-8 whatever the console's charset: the page declares it, and JSON is UTF-8 by definition.
            Writer out = new OutputStreamWriter(cli.out(), StandardCharsets.UTF_8);
            if (format == ReportFormat.html) {
                report.writeHtml(out);
            } else {
                report.writeJson(out);
                out.write(System.lineSeparator());
            }
            out.flush();
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = {"Changes a migration in progress, as the managed service's 'migration update' does: "
                    + "exactly one of --cancel and --cutover.",
                    "--cutover triggers an online migration's cutover once it waits for it (status "
                            + "WaitingForUserAction / WaitingForCutoverTrigger): stop the writes to the source "
                            + "first; the migration applies the source's last changes, sets the sequences, verifies "
                            + "the target and ends. It returns once the cutover was asked for; 'pgmigrate "
                            + "migration show --name NAME' follows it and states the downtime. An offline migration "
                            + "cuts over automatically."},
            footer = {"", "Examples:", "  pgmigrate migration update --name shop-move --cutover",
                    "  pgmigrate migration update --name shop-move --cancel",
                    "", "Exit codes: 0 done or asked for, 1 the migration does not take it (offline, not waiting "
                            + "for the cutover, or ended), 64 bad usage or an unknown name."})
    static final class Update extends CliCommand {
        @Option(names = {"--name", "--migration-name"}, required = true, paramLabel = "NAME",
                description = "The migration's name (--migration-name, as the managed service's CLI calls it).")
        String name;

        @Option(names = "--cancel", description = "Cancel the migration and roll back what it changed on the target.")
        boolean cancel;

        @Option(names = "--cutover", description = "Trigger the cutover of an online migration that waits for it.")
        boolean cutover;

        @Mixin
        TargetServerOption target;

        @Override
        public Integer call() {
            if (cancel == cutover) {
                throw new CliException(ExitCodes.USAGE, "Say what to change with exactly one of --cancel (stop the "
                        + "migration and roll back the target) and --cutover (cut an online migration over once it "
                        + "waits for it)" + (cancel ? "; not both." : "."));
            }
            if (cancel) {
                return Cancel.cancel(cli(), name, target, Optional.empty());
            }
            Cli cli = cli();
            try (MigrationService service = cli.service()) {
                MigrationRecord asked = service.cutover(name, target.of(cli, service, name));
                cli.out().println("Cutover of migration " + name + " asked for" + asked.cutoverRequestedAt()
                        .map(at -> " at " + Format.time(at)).orElse("") + ": it applies the source's last changes, "
                        + "sets the sequences, verifies the target and ends.");
                cli.out().println("  Watch it:   pgmigrate migration show --name " + name
                        + (cli.stateDirGiven() ? " --state-dir " + cli.stateDir() : ""));
            }
            return ExitCodes.SUCCEEDED;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = {"Cancels a migration in progress and rolls back every change it made on the target "
                    + "(databases it created are dropped, roles it created removed).",
                    "A migration running in another process is asked to stop through the state directory; one whose "
                            + "process died is rolled back here. Waits until it has ended.",
                    "One past its point of no return (every database in place and verified) is finished instead of "
                            + "rolled back: it ends Succeeded, and the command exits 1."},
            footer = {"", "Example:", "  pgmigrate migration cancel --name shop-move"})
    static final class Cancel extends CliCommand {
        private static final Duration WAIT = Duration.ofMinutes(10);

        @Option(names = {"--name", "--migration-name"}, required = true, paramLabel = "NAME",
                description = "The migration's name (--migration-name, as the managed service's CLI calls it).")
        String name;

        @Option(names = "--properties", paramLabel = "FILE", description = "The properties file that started the "
                + "migration, for a password it gave as plain text (not stored with the migration) when there is no "
                + "terminal to ask on.")
        Path properties;

        @Mixin
        TargetServerOption target;

        @Override
        public Integer call() {
            return cancel(cli(), name, target, properties == null ? Optional.empty()
                    : Optional.of(target.read(properties)));
        }

        static int cancel(Cli cli, String name, TargetServerOption server, Optional<MigrationProperties> given) {
            try (MigrationService service = cli.service(Passwords.forStoredMigrations(cli, given))) {
                ServerSpec target = server.of(cli, service, name);
                MigrationRecord before = service.show(name, target).orElseThrow();
                List<String> leftBefore = service.leftOnTarget(name, target);
                if (before.status().isFinal() && leftBefore.isEmpty()
                        && service.leftOnSource(name, target).isEmpty()) {
                    throw new CliException(ExitCodes.USAGE, "Migration " + name + " already ended (" + before.status()
                            .label() + "); only a migration in progress can be canceled.");
                }
                MigrationRecord after = service.cancel(name, target);
                if (!after.status().isFinal()) {
                    cli.out().println("Asked the process running migration " + name + " to cancel; waiting for it "
                            + "to stop and roll back the target...");
                    Instant deadline = Instant.now().plus(WAIT);
                    while (!after.status().isFinal() && Instant.now().isBefore(deadline)) {
                        Thread.sleep(250);
                        after = service.show(name, target).orElse(after);
                        if (after.interrupted()) {
                            after = service.cancel(name, target);
                        }
                    }
                }
                if (!after.status().isFinal()) {
                    throw new CliException(ExitCodes.FAILED, "Migration " + name + " has not stopped after "
                            + WAIT.toMinutes() + " minutes; 'pgmigrate migration show --name " + name
                            + "' shows where it is.");
                }
                List<String> left = after.status() == dev.pgmigrate.api.MigrationStatus.SUCCEEDED ? List.of()
                        : service.leftOnTarget(name, target);
                if (before.status().isFinal() && left.isEmpty()
                        && after.status() != dev.pgmigrate.api.MigrationStatus.SUCCEEDED) {
                    return rollbackFinished(cli, after, leftBefore);
                }
                cli.out().println("Migration " + name + ": " + after.status().label()
                        + (after.status() == dev.pgmigrate.api.MigrationStatus.CANCELED
                                ? "; its changes on the target were rolled back."
                                : after.status() == dev.pgmigrate.api.MigrationStatus.SUCCEEDED
                                ? "; it had passed its point of no return (every database in place and verified), "
                                + "so it was completed, not rolled back." : "."));
                after.errors().forEach(e -> cli.out().println("  - " + e));
                if (!left.isEmpty()) {
                    cli.out().println("The rollback did not finish; left on the target:");
                    left.forEach(l -> cli.out().println("  - " + l));
                    cli.out().println("Run this cancel again once the target is reachable: pgmigrate migration "
                            + "cancel --name " + name);
                }
                return after.status() == dev.pgmigrate.api.MigrationStatus.CANCELED ? ExitCodes.SUCCEEDED
                        : ExitCodes.FAILED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.FAILED, "Interrupted while waiting for migration " + name
                        + " to stop; the cancel was asked for and goes on.");
            }
        }
    }

    /**
     * What a cancel says when it finished the rollback of a migration that had ended with changes its own rollback
     * could not undo: the rollback is complete, what it undid, and why the migration had ended. The migration keeps
     * its status (it failed, and that stays its history); the cancel did what it was asked, so it exits 0.
     */
    private static int rollbackFinished(Cli cli, MigrationRecord after, List<String> undone) {
        cli.out().println("Migration " + after.name() + ": its rollback is complete now; nothing it made is left on "
                + "the target. Undone by this cancel:");
        undone.forEach(l -> cli.out().println("  - " + l));
        cli.out().println("The migration keeps its status, " + after.status().label()
                + (after.errors().isEmpty() ? "." : "; it had ended with:"));
        after.errors().forEach(e -> cli.out().println("  - " + e));
        return ExitCodes.SUCCEEDED;
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = {"Resumes a migration whose process died: finished tables are kept, the rest is copied "
                    + "again. Runs in the foreground until it ends.",
                    "A password the properties file gave as plain text is not stored with the migration: it is asked "
                            + "for on the terminal, or read from the file given with --properties; without either, "
                            + "the resume is refused and nothing is changed."},
            footer = {"", "Examples:", "  pgmigrate migration resume --name shop-move",
                    "  pgmigrate migration resume --name shop-move --properties migration.json"})
    static final class Resume extends CliCommand {
        @Option(names = {"--name", "--migration-name"}, required = true, paramLabel = "NAME",
                description = "The migration's name (--migration-name, as the managed service's CLI calls it).")
        String name;

        @Option(names = "--properties", paramLabel = "FILE", description = "The properties file that started the "
                + "migration, for a password it gave as plain text (not stored with the migration) when there is no "
                + "terminal to ask on.")
        Path properties;

        @Mixin
        TargetServerOption target;

        @Override
        public Integer call() throws Exception {
            Cli cli = cli();
            Optional<MigrationProperties> given = properties == null ? Optional.empty()
                    : Optional.of(target.read(properties));
            try (MigrationService service = cli.service(Passwords.forStoredMigrations(cli, given))) {
                ServerSpec on = target.of(cli, service, name);
                ProgressPrinter printer = new ProgressPrinter(cli.out(), ProgressPrinter.choose(cli, false));
                MigrationHandle handle;
                try {
                    handle = service.resume(name, on, printer);
                } catch (MigrationException e) {
                    throw new CliException(ExitCodes.of(e.code()), e.getMessage(), e);
                }
                printer.watch(handle);
                MigrationRecord done;
                try {
                    done = handle.await();
                } finally {
                    printer.close();
                }
                cli.out().print(Reports.ending(done, Instant.now(), Runs.leftOnTarget(service, done),
                        Runs.leftOnSource(service, done)));
                return Runs.exitCode(done);
            }
        }
    }
}
