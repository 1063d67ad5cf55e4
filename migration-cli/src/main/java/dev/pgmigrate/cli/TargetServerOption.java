package dev.pgmigrate.cli;

import dev.pgmigrate.core.MigrationProperties;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --target-server HOST[:PORT]}: the target named on the command line, as the managed service's CLI names
 * its target server, for a properties file written for that CLI, which names none. A file that names a target
 * too must name the same one. Mixed into the commands that read a properties file.
 */
final class TargetServerOption {
    static final String NAME = "--target-server";

    @Option(names = NAME, paramLabel = "HOST[:PORT]",
            description = "The target server, as the managed service's CLI names it, for a properties file that "
                    + "names none (its targetDbServerFullyQualifiedDomainName or targetServer, if given, must name "
                    + "the same server). An IPv6 host goes in brackets: [::1]:5432.")
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
}
