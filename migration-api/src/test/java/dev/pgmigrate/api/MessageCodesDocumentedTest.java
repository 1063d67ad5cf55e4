package dev.pgmigrate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's table of codes is this enum, row for row, so the documentation cannot drift from the code. */
class MessageCodesDocumentedTest {
    private static final String START = "<!-- message codes: generated from MessageCode; MessageCodesDocumentedTest -->";
    private static final String END = "<!-- end of message codes -->";

    static String table() {
        return "| code | kind | meaning | what to do |\n|---|---|---|---|\n" + Arrays.stream(MessageCode.values())
                .map(c -> "| `" + c.label() + "` | " + c.kind().label() + " | " + c.meaning() + " | " + c.remedy()
                        + " |\n")
                .collect(Collectors.joining());
    }

    @Test
    void theReadmeListsEveryCodeWithItsRemedy() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        assertThat(readme).contains(START).contains(END);
        String documented = readme.substring(readme.indexOf(START) + START.length() + 1, readme.indexOf(END));
        if (!documented.equals(table())) {
            Files.writeString(Path.of("target", "message-codes.md"), table(), StandardCharsets.UTF_8);
        }
        assertThat(documented).as("README.md between the markers; target/message-codes.md holds the text to paste there").isEqualTo(table());
    }
}
