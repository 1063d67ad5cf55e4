package dev.pgmigrate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Codes are what scripts read: each is spelled once, parses back, and says what to do. */
class MessageCodeTest {
    @Test
    void labelsAreUniqueAndParseBack() {
        assertThat(Arrays.stream(MessageCode.values()).map(MessageCode::label)).doesNotHaveDuplicates()
                .allMatch(label -> label.matches("PGM-[A-Z]+(-[A-Z]+)*"));
        for (MessageCode code : MessageCode.values()) {
            assertThat(MessageCode.fromLabel(code.label().toLowerCase(java.util.Locale.ROOT))).isSameAs(code);
        }
        assertThat(MessageCode.ROLLBACK_INCOMPLETE.label()).isEqualTo("PGM-ROLLBACK-INCOMPLETE");
        assertThatThrownBy(() -> MessageCode.fromLabel("PGM-NOPE")).hasMessageContaining("PGM-ROLLBACK-INCOMPLETE");
    }

    @Test
    void everyFailureAndWarningSaysWhatToDo() {
        assertThat(MessageCode.values()).allSatisfy(code -> {
            assertThat(code.meaning()).endsWith(".");
            assertThat(code.remedy()).endsWith(".");
            if (code.kind() != MessageCode.Kind.NOTE) {
                assertThat(code.remedy()).as(code.label()).isNotEqualTo("None.");
            }
        });
    }

    @Test
    void aMessagePrintsItsCodeBeforeItsText() {
        MigrationMessage m = new MigrationMessage(MessageCode.SERVER_UNREACHABLE, "Connection refused");
        assertThat(m).hasToString("PGM-SERVER-UNREACHABLE: Connection refused");
        assertThat(m.is(MessageCode.SERVER_UNREACHABLE)).isTrue();
        assertThatThrownBy(() -> new MigrationMessage(null, "x")).hasMessageContaining("code");
    }
}
