package dev.pgmigrate.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.spi.CopyColumn;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trimming itself, on messages laid out as PostgreSQL's binary COPY sends them. */
class CharPaddingTest {
    static final List<CopyColumn> COLUMNS = List.of(new CopyColumn("id", "integer", true),
            new CopyColumn("code", "character(8)", true), new CopyColumn("note", "text", true),
            new CopyColumn("wide", "character(300)", true));

    @Test
    void trimsOnlyCharacterColumnsAndOnlyTheirTrailingBlanks() throws IOException {
        CharPadding padding = CharPadding.of(COLUMNS).orElseThrow();
        byte[] first = message(true, row(7, "ab      ", "kept  ", " a" + " ".repeat(298)));
        byte[] second = message(false, row(8, "        ", "  ", "w".repeat(300)));
        byte[] third = message(false, row(9, null, null, "x y" + " ".repeat(297)));
        byte[] trailer = {(byte) 0xff, (byte) 0xff};

        assertThat(trimmed(padding, first)).isEqualTo(message(true, row(7, "ab", "kept  ", " a")));
        assertThat(trimmed(padding, second)).isEqualTo(message(false, row(8, "", "  ", "w".repeat(300))));
        assertThat(trimmed(padding, third)).isEqualTo(message(false, row(9, null, null, "x y")));
        assertThat(trimmed(padding, trailer)).isEqualTo(trailer);
    }

    @Test
    void looksForTheHeaderOnlyInTheFirstMessageEvenWhenThatPassedUntrimmed() throws IOException {
        CharPadding padding = CharPadding.of(COLUMNS).orElseThrow();
        padding.passedOver(); // the first message, header and row, was larger than the buffer

        assertThat(trimmed(padding, message(false, row(1, "a   ", "", "b ")))).isEqualTo(
                message(false, row(1, "a", "", "b")));
    }

    @Test
    void isNotNeededWithoutCharacterColumns() {
        assertThat(CharPadding.of(List.of(new CopyColumn("t", "text", true),
                new CopyColumn("v", "character varying(8)", true), new CopyColumn("a", "character(8)[]", true),
                new CopyColumn("d", "public.\"character\"", true)))).isEmpty();
        assertThat(CharPadding.of(List.of())).isEmpty();
    }

    @Test
    void refusesMessagesThatAreNotWholeRowsOfTheTable() throws IOException {
        CharPadding padding = CharPadding.of(COLUMNS).orElseThrow();
        padding.passedOver();
        byte[] whole = message(false, row(1, "a", "b", "c"));

        assertThatThrownBy(() -> trimmed(padding, Arrays.copyOf(whole, whole.length - 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("whole rows");
        byte[] otherTable = message(false, new byte[] {0, 1, 0, 0, 0, 4, 0, 0, 0, 1});
        assertThatThrownBy(() -> trimmed(padding, otherTable)).isInstanceOf(IllegalStateException.class);
        CharPadding fresh = CharPadding.of(COLUMNS).orElseThrow();
        assertThatThrownBy(() -> trimmed(fresh, whole)).as("no header where the first message must have one")
                .isInstanceOf(IllegalStateException.class);
    }

    private static byte[] trimmed(CharPadding padding, byte[] message) {
        // In the middle of a larger buffer, as the mover keeps it.
        byte[] buffer = new byte[message.length + 10];
        System.arraycopy(message, 0, buffer, 5, message.length);
        int length = padding.trim(buffer, 5, message.length);
        return Arrays.copyOfRange(buffer, 5, 5 + length);
    }

    private static byte[] message(boolean header, byte[] row) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        if (header) {
            out.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0});
            out.writeInt(0);
            out.writeInt(3); // a header extension, passed over whole
            out.write(new byte[] {9, 9, 9});
        }
        out.write(row);
        return bytes.toByteArray();
    }

    private static byte[] row(int id, String code, String note, String wide) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(4);
        out.writeInt(4);
        out.writeInt(id);
        for (String value : new String[] {code, note, wide}) {
            if (value == null) {
                out.writeInt(-1);
            } else {
                byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
                out.writeInt(utf8.length);
                out.write(utf8);
            }
        }
        return bytes.toByteArray();
    }
}
