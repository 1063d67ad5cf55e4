package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command a remedy or a message tells the user to run, quoted as {@code 'pgmigrate ...'}, is one the command
 * line takes as written (its placeholders, such as NAME, filled in): a remedy once said {@code 'pgmigrate
 * validate'}, which is an unmatched argument.
 */
class CommandsInTextsTest {
    private static final PrintStream NOWHERE = new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8);
    private static final Pattern QUOTED = Pattern.compile("'pgmigrate ([^']*)'");
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyCommandAMessageCodeNamesIsRunnable() {
        Map<String, String> commands = new LinkedHashMap<>();
        for (MessageCode code : MessageCode.values()) {
            quoted(code.meaning() + " " + code.remedy()).forEach(c -> commands.put(c, code.label()));
        }
        assertThat(commands).isNotEmpty();
        assertThat(unparsable(commands)).isEmpty();
    }

    @Test
    void everyCommandTheSourcesQuoteInTheirMessagesIsRunnable() throws IOException {
        Map<String, String> commands = new LinkedHashMap<>();
        for (String module : List.of("migration-api", "migration-core", "migration-validators", "migration-copy",
                "migration-cli")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> quoted(literals(f))
                        .forEach(c -> commands.put(c, ROOT.relativize(f).toString())));
            }
        }
        assertThat(commands).hasSizeGreaterThan(5);
        assertThat(unparsable(commands)).isEmpty();
    }

    @Test
    void everyCommandTheReadmeQuotesIsRunnable() throws IOException {
        Map<String, String> commands = new LinkedHashMap<>();
        quoted(Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8))
                .forEach(c -> commands.put(c, "README.md"));
        assertThat(commands).isNotEmpty();
        assertThat(unparsable(commands)).isEmpty();
    }

    /** Each command that picocli does not parse, with where it was found and picocli's complaint. */
    private static List<String> unparsable(Map<String, String> commands) {
        List<String> bad = new ArrayList<>();
        commands.forEach((command, where) -> {
            String[] args = Arrays.stream(command.trim().split("\\s+")).map(CommandsInTextsTest::filledIn)
                    .toArray(String[]::new);
            try {
                CommandLine.ParseResult parsed = CommandTree.whole(new Cli(NOWHERE, NOWHERE)).parseArgs(args);
                if (!parsed.hasSubcommand()) {
                    bad.add(where + ": 'pgmigrate " + command + "' names no command");
                }
            } catch (CommandLine.ParameterException e) {
                bad.add(where + ": 'pgmigrate " + command + "': " + e.getMessage());
            }
        });
        return bad;
    }

    /** A placeholder (NAME, FILE, N) as a user would fill it in. */
    private static String filledIn(String word) {
        return switch (word) {
            case "N" -> "1";
            case "NAME" -> "shop-move";
            case "FILE" -> "migration.json";
            default -> word;
        };
    }

    private static Stream<String> quoted(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = QUOTED.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found.stream();
    }

    /**
     * A source file with its string literals joined where the code concatenates them ({@code "a " + "b"}), and an
     * expression between two literals ({@code "--name " + name + "'"}) read as a NAME.
     */
    private static String literals(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8)
                    .replaceAll("\"\\s*\\+\\s*[\\w.()]+\\s*\\+\\s*\"", "NAME")
                    .replaceAll("\"\\s*\\+\\s*\"", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
