package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.MigrationService;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --target-server HOST[:PORT]}: which target's migration a command means when migrations of the same name
 * exist on several targets (a name is unique per target server). The one declaration of the option, mixed into
 * the commands that find a stored migration by its name.
 */
final class TargetServer {
    static final String OPTION = "--target-server";

    @Option(names = OPTION, paramLabel = "HOST[:PORT]",
            description = "The migration's target server, when migrations of this name exist on several targets "
                    + "('migration list' shows them); without PORT, any port of HOST.")
    String value;

    /**
     * The target of the migration called {@code name}: the one given with {@code --target-server}, else the only
     * target that has a migration of that name.
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
                    + ". Add " + OPTION + " HOST:PORT to choose one.");
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
