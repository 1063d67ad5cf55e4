package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The manual page holds every command users may run, and only those, in troff that takes no text for a request. */
class ManualPageTest {
    private static final PrintStream NOWHERE = new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8);

    @Test
    void describesEveryVisibleCommandWithItsOptionsAndExamples() {
        String page = ManualPage.of(CommandTree.whole(new Cli(NOWHERE, NOWHERE)));

        assertThat(page).startsWith(".TH PGMIGRATE 1 ")
                .contains(".SS pgmigrate migration create", ".SS pgmigrate migration cancel", ".SS pgmigrate verify",
                        ".SS pgmigrate demo", ".SS pgmigrate plugins")
                .contains("\\fB\\-\\-plugin\\-path\\fR=\\fIDIR\\fR", "\\fB\\-\\-wait\\fR\n")
                .contains("pgmigrate migration create \\-\\-name shop\\-move \\-\\-properties migration.json")
                .doesNotContain("run-detached", "run\\-detached", "${");
    }

    @Test
    void escapesBackslashesHyphensAndALeadingDot() {
        assertThat(ManualPage.escape("C:\\x --a")).isEqualTo("C:\\ex \\-\\-a");
        assertThat(ManualPage.escape(".pgmigrate")).isEqualTo("\\&.pgmigrate");
        assertThat(ManualPage.escape("'quoted'")).isEqualTo("\\&'quoted'");
    }
}
