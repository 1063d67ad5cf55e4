package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.MigrationProperties;
import dev.pgmigrate.core.MigrationService;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --target-server HOST[:PORT]}: the target named on the command line, as the managed service's CLI names
 * its target server, for a properties file written for that CLI, which names none (a file that names a target too
 * must name the same one); and which target's migration a command means when migrations of the same name exist on
 * several targets (a name is unique per target server). The one declaration of the option, mixed into the commands
 * that read a properties file or find a stored migration by its name.
 */
final class TargetServerOption {
    static final String NAME = "--target-server";

    @Option(names = NAME, paramLabel = "HOST[:PORT]",
            description = "The target server, as the managed service's CLI names it: for a properties file that "
                    + "names none (its targetDbServerFullyQualifiedDomainName or targetServer, if given, must name "
                    + "the same server), and to choose among migrations of one name on several targets ('pgmigrate "
                    + "migration list' shows them; without PORT, any port of HOST). An IPv6 host goes in brackets: "
                    + "[::1]:5432.")
    String value;

    /**
     * What to add to a usage error: where {@code --name} and {@code --migration-name} were both given, that they
     * are one option here, while the managed service's CLI names its target server with {@code --name}.
     */
    static String hint(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.OverwrittenOptionException overwritten && overwritten.getOverwritten().isOption()
                && List.of(((CommandLine.Model.OptionSpec) overwritten.getOverwritten()).names())
                        .contains("--migration-name")) {
            return ". --name and --migration-name are one option here, the migration's name: give it once. (The "
                    + "managed service's CLI names its target server with --name; here that is " + NAME
                    + " HOST[:PORT], which create takes.)";
        }
        return "";
    }

    /** The target server given, if any. */
    Optional<String> value() {
        return Optional.ofNullable(value);
    }

    /** Reads {@code file} with the target given here, if any. */
    MigrationProperties read(Path file) {
        return read(file, value());
    }

    static MigrationProperties read(Path file, Optional<String> targetServer) {
        return targetServer.map(t -> MigrationProperties.read(file, t)).orElseGet(() -> MigrationProperties.read(file));
    }

    /**
     * Prints what reading the file noted (which field or option named the target, fields ignored): on standard
     * error when standard output carries JSON, else on standard output.
     */
    static void printNotes(Cli cli, MigrationProperties properties, boolean jsonOnStdout) {
        for (String note : properties.notes()) {
            if (jsonOnStdout) {
                cli.err().println("pgmigrate: note: " + note);
            } else {
                cli.out().println("Note: " + note);
            }
        }
    }

    /**
     * The target of the migration called {@code name}: the one given here, else the only target that has a
     * migration of that name.
     *
     * @throws CliException (64) when no migration has the name there, or several targets have one and the option
     *     does not choose
     */
    ServerSpec of(Cli cli, MigrationService service, String name) {
        List<MigrationRecord> named = service.list().stream().filter(r -> r.name().equals(name))
                .filter(r -> value == null || matches(r.spec().target(), value)).toList();
        if (named.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "No migration named '" + name + "'"
                    + (value == null ? "" : " on target " + value) + " in " + cli.stateDir() + "; 'pgmigrate "
                    + "migration list' shows the names" + (value == null ? "" : " and targets") + " (use --state-dir "
                    + "or " + Cli.HOME_ENV + " for another directory).");
        }
        if (named.size() > 1) {
            throw new CliException(ExitCodes.USAGE, "Migrations named '" + name + "' exist on " + named.size()
                    + " targets: " + String.join(", ", named.stream().map(r -> r.spec().target().address()).toList())
                    + ". Add " + NAME + " HOST:PORT to choose one.");
        }
        return named.get(0).spec().target();
    }

    /** Whether {@code target} is the server {@code given} names: its host or the name it connects to, and port. */
    static boolean matches(ServerSpec target, String given) {
        String host = given;
        Optional<Integer> port = Optional.empty();
        int colon = given.lastIndexOf(':');
        // host:port, [v6]:port or a bare host; an IPv6 address without brackets has colons and no port.
        if (colon > 0 && given.indexOf(':') == colon || given.startsWith("[") && given.contains("]:")) {
            try {
                port = Optional.of(Integer.parseInt(given.substring(colon + 1)));
                host = given.substring(0, colon);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String wanted = bare.toLowerCase(Locale.ROOT);
        boolean sameHost = wanted.equals(target.host().toLowerCase(Locale.ROOT))
                || wanted.equals(target.connectHost().toLowerCase(Locale.ROOT));
        return sameHost && port.map(p -> p == target.port()).orElse(true);
    }
}
