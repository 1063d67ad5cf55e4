package dev.pgmigrate.cli;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.core.MigrationProperties;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The servers and databases given on the command line instead of, or over, a properties file: {@code --source} and
 * {@code --target} as libpq connection strings ({@link ConnectionString}), {@code --databases}, and each server's
 * type. Never a password: those come from the file, {@code PGPASSWORD}, {@code ~/.pgpass} or a prompt
 * ({@link PasswordSources}).
 */
final class ConnectionOptions {
    @Option(names = "--source", paramLabel = "CONNINFO", description = "The source server, as libpq takes it: "
            + "postgresql://user@host:5432[/dbname][?sslmode=require] or 'host=... port=... user=... sslmode=...'. "
            + "No password: PGPASSWORD, ~/.pgpass or PGPASSFILE give it.")
    String source;

    @Option(names = "--target", paramLabel = "CONNINFO", description = "The target server, in the same forms.")
    String target;

    @Option(names = "--databases", split = ",", paramLabel = "DB[,DB...]", description = "The databases to "
            + "migrate (default: the source's dbname, or the properties file's dbsToMigrate).")
    List<String> databases = new ArrayList<>();

    @Option(names = "--source-type", paramLabel = "TYPE", description = "OnPremises (default), AWS_RDS, "
            + "GCP_CloudSQL, ... as the properties file's sourceServer.type.")
    String sourceType;

    @Option(names = "--target-type", paramLabel = "TYPE", description = "The target's type, such as "
            + "AzureFlexibleServer for a managed target with no superuser.")
    String targetType;

    /**
     * Where {@code server}'s address was given, for a message that asks to correct it: {@code --source} or
     * {@code --target} when given here, else the properties file {@code file}.
     */
    String givenIn(String server, Optional<Path> file) {
        boolean isSource = server.equals(MigrationProperties.SOURCE_SERVER);
        if (isSource ? source != null : target != null) {
            return isSource ? "--source" : "--target";
        }
        return file.map(f -> "the properties file " + f + " (properties." + server + ")")
                .orElse("the properties file");
    }

    /** Whether a server or the databases were given here. */
    boolean given() {
        return source != null || target != null || !databases.isEmpty() || sourceType != null
                || targetType != null;
    }

    /**
     * The migration the command line describes: the properties file's, if one is given, with what is given here in
     * place of its servers, databases, selection and workers. A server given here keeps the file's password only
     * when it is the same login at the same address. Touches no server.
     *
     * @throws InvalidSpecException naming every option at fault, and what to give
     */
    MigrationProperties properties(Optional<Path> file, SelectionOptions selection) {
        return properties(file, Optional.empty(), selection);
    }

    /** As {@link #properties(Optional, SelectionOptions)}, the file read with the target {@code --target-server} names. */
    MigrationProperties properties(Optional<Path> file, Optional<String> targetServer, SelectionOptions selection) {
        List<SpecProblem> problems = new ArrayList<>(selection.problems());
        if (file.isEmpty() && (source == null || target == null)) {
            problems.add(new SpecProblem(source == null && target == null ? "--properties" : source == null
                    ? "--source" : "--target", "(missing)", "give --properties FILE, or the servers: --source "
                    + "postgresql://user@host:5432 --target postgresql://admin@host2 --databases a,b"));
        }
        ConnectionString from = parse("--source", source, problems);
        ConnectionString to = parse("--target", target, problems);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException("the command line", problems);
        }
        MigrationProperties base = file.map(f -> TargetServerOption.read(f, targetServer)).orElse(null);
        List<String> dbs = databases(base, from, to, problems);
        Map<String, String> references = new HashMap<>(base == null ? Map.of() : base.secretReferences());
        ServerSpec sourceSpec = server(from, "--source-type", sourceType, base == null ? null : base.source(),
                MigrationProperties.SOURCE_SERVER, references, problems);
        ServerSpec targetSpec = server(to, "--target-type", targetType, base == null ? null : base.target(),
                MigrationProperties.TARGET_SERVER, references, problems);
        MigrationSettings settings = base == null ? MigrationSettings.defaults() : base.settings();
        if (!problems.isEmpty()) {
            throw new InvalidSpecException("the command line", problems);
        }
        return new MigrationProperties(sourceSpec, targetSpec, dbs,
                base == null ? Optional.empty() : base.option(), base == null ? Optional.empty() : base.mode(),
                selection.applyTo(settings), references, base == null ? List.of() : base.notes());
    }

    private static ConnectionString parse(String option, String text, List<SpecProblem> problems) {
        if (text == null) {
            return null;
        }
        try {
            return ConnectionString.parse(option, text);
        } catch (InvalidSpecException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    private List<String> databases(MigrationProperties base, ConnectionString from, ConnectionString to,
            List<SpecProblem> problems) {
        List<String> dbs = !databases.isEmpty() ? databases
                : from != null && from.database().isPresent() ? List.of(from.database().get())
                : base != null ? base.databases() : List.of();
        if (!databases.isEmpty() && from != null && from.database().filter(d -> !databases.contains(d)).isPresent()) {
            problems.add(new SpecProblem("--source", "dbname=" + from.database().get(), "names a database that "
                    + "--databases does not; name the databases once, in --databases or as the source's dbname"));
        }
        if (to != null && to.database().filter(d -> !d.equals("postgres") && !List.of(d).equals(dbs)).isPresent()) {
            problems.add(new SpecProblem("--target", "dbname=" + to.database().get(), "each database keeps its "
                    + "source's name on the target: leave dbname out of --target"));
        }
        problems.addAll(MigrationSpec.databaseProblems("--databases", dbs));
        return dbs;
    }

    private static ServerSpec server(ConnectionString given, String typeOption, String type, ServerSpec fromFile,
            String key, Map<String, String> references, List<SpecProblem> problems) {
        SourceServerType serverType = null;
        if (type != null) {
            try {
                serverType = ConnectionString.type(typeOption, type);
            } catch (InvalidSpecException e) {
                problems.addAll(e.problems());
            }
        }
        if (given == null) {
            if (fromFile == null || serverType == null) {
                return fromFile;
            }
            return new ServerSpec(fromFile.host(), fromFile.port(), fromFile.adminLogin(), fromFile.password(),
                    fromFile.sslMode(), serverType, fromFile.fullyQualifiedDomainName());
        }
        ServerSpec built;
        try {
            built = ServerSpec.builder().host(given.host()).port(given.port()).adminLogin(given.user())
                    .sslMode(given.sslMode()).fullyQualifiedDomainName(given.hostaddr().orElse(null))
                    .type(serverType != null ? serverType : fromFile != null ? fromFile.type()
                            : SourceServerType.ON_PREMISES).build();
        } catch (InvalidSpecException e) {
            String option = key.equals(MigrationProperties.SOURCE_SERVER) ? "--source" : "--target";
            e.problems().forEach(p -> problems.add(new SpecProblem(option, p.value(), p.rule())));
            return null;
        }
        if (fromFile != null && fromFile.adminLogin().equals(built.adminLogin())
                && fromFile.address().equals(built.address())) {
            return built.withLogin(built.adminLogin(), fromFile.password());
        }
        references.remove(key); // the file's password was for its own server
        return built;
    }

    /** The options again, as a background run is given them. */
    List<String> args() {
        List<String> args = new ArrayList<>();
        if (source != null) {
            args.add("--source=" + source);
        }
        if (target != null) {
            args.add("--target=" + target);
        }
        if (!databases.isEmpty()) {
            args.add("--databases=" + String.join(",", databases));
        }
        if (sourceType != null) {
            args.add("--source-type=" + sourceType);
        }
        if (targetType != null) {
            args.add("--target-type=" + targetType);
        }
        return args;
    }
}
