package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.MigrationProperties;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.RecordJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compares each database of a properties file on the source with the one of the same name on "
                + "the target: every table's row count and content checksum (computed on both servers at once, from "
                + "one snapshot of the source), object counts per schema and kind, and sequence values. Changes "
                + "nothing on either server.", "",
                "Exit codes: 0 identical, 1 a difference, 64 bad usage or properties file, 69 a server unreachable."},
        footer = {"", "Examples:", "  pgmigrate verify --properties migration.json",
                "  pgmigrate verify --source postgresql://postgres@10.0.0.4 --target postgresql://admin@pg.example.com "
                        + "--databases shop --exclude-table-data public.logs"})
final class VerifyCommand extends CliCommand {
    @Option(names = "--properties", paramLabel = "FILE",
            description = "The JSON properties file: servers and dbsToMigrate; or give --source, --target and "
                    + "--databases instead.")
    Path properties;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    SelectionOptions selection;

    @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
            description = "table (default) or json.")
    String output;

    @Option(names = "--prompt-password", description = "Ask for passwords the file does not give, on the terminal.")
    boolean promptPassword;

    @Mixin
    TargetServerOption target;

    @Override
    public Integer call() throws Exception {
        Cli cli = cli();
        if (!output.equals("table") && !output.equals("json")) {
            throw new CliException(ExitCodes.USAGE, "--output must be table or json, not '" + output + "'.");
        }
        MigrationProperties file = Passwords.complete(cli, connection.properties(Optional.ofNullable(properties),
                target.value(), selection), promptPassword);
        TargetServerOption.printNotes(cli, file, output.equals("json"));
        MigrationSpec spec = file.toSpec("verify");
        Runs.checkOptions(cli, spec.settings(), Optional.ofNullable(properties));
        Runs.requireReachable(spec, connection.givenIn(MigrationProperties.SOURCE_SERVER,
                Optional.ofNullable(properties)), connection.givenIn(MigrationProperties.TARGET_SERVER,
                Optional.ofNullable(properties)));
        // Every database is compared, one that cannot be (missing on a side, say) named beside the others'
        // results instead of ending the command before them.
        List<VerificationReport> reports = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        Integer failure = null;
        try (MigrationService service = cli.service(Passwords.forStoredMigrations(cli))) {
            for (String db : spec.databases()) {
                try {
                    VerificationReport report = service.verify(spec.source(), db, spec.target(), db,
                            spec.settings());
                    reports.add(report);
                    lines.add(db + ": " + Reports.verification(report).strip());
                } catch (MigrationException e) {
                    failure = failure == null ? ExitCodes.of(e.code()) : failure;
                    lines.add(db + ": not compared: " + e.getMessage());
                    if (output.equals("json")) {
                        cli.err().println("pgmigrate: database " + db + " not compared: " + e.getMessage());
                    }
                }
            }
        }
        boolean matches = reports.stream().allMatch(VerificationReport::matches);
        if (output.equals("json")) {
            cli.out().println(RecordJson.mapper().writeValueAsString(reports));
        } else {
            lines.forEach(cli.out()::println);
        }
        return failure != null ? failure : matches ? ExitCodes.SUCCEEDED : ExitCodes.FAILED;
    }
}
