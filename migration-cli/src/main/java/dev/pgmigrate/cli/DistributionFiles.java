package dev.pgmigrate.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes the files of the distribution that are made from the command's model, as the build of the distribution
 * runs it: {@code man/man1/pgmigrate.1} and {@code completion/pgmigrate.bash} under the directory given. Public
 * for that build only.
 */
public final class DistributionFiles {
    private DistributionFiles() {
    }

    /** {@code DistributionFiles DIR}: writes the manual page and the bash completion script under {@code DIR}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("Usage: DistributionFiles OUTPUT-DIRECTORY");
        }
        Path dir = Path.of(args[0]);
        CommandLine commandLine = CommandTree.whole(new Cli(System.out, System.err));
        write(dir.resolve("man/man1/pgmigrate.1"), ManualPage.of(commandLine));
        write(dir.resolve("completion/pgmigrate.bash"), AutoComplete.bash("pgmigrate", commandLine));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
