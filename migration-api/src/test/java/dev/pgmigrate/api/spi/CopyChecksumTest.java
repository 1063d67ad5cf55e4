package dev.pgmigrate.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyChecksumTest {
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0,
        0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] TRAILER = {(byte) 0xff, (byte) 0xff};

    /** A binary tuple of text fields. */
    private static byte[] tuple(String... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(fields.length);
        for (String field : fields) {
            byte[] b = field.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(new byte[] {0, 0, 0, (byte) b.length});
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** A binary stream as PostgreSQL sends it: the header in the first row's message, the trailer alone. */
    private static CopyChecksum.Sum binaryStream(List<byte[]> rows, int piece) {
        CopyChecksum checksum = CopyChecksum.binary();
        for (int i = 0; i <= rows.size(); i++) {
            byte[] message = i == rows.size() ? TRAILER : rows.get(i);
            if (i == 0) {
                message = concat(HEADER, message);
            }
            for (int at = 0; at < message.length; at += piece) {
                checksum.update(message, at, Math.min(piece, message.length - at));
            }
            checksum.endRow();
        }
        return checksum.sum();
    }

    @Test
    void sameRowsGiveTheSameSumInAnyOrderPiecesAndStreams() {
        byte[] a = tuple("1", "alice");
        byte[] b = tuple("2", "bob");
        byte[] c = tuple("3", "carol");
        CopyChecksum.Sum whole = binaryStream(List.of(a, b, c), 1000);
        assertThat(whole.rows()).isEqualTo(3);
        assertThat(binaryStream(List.of(c, a, b), 1000)).isEqualTo(whole);
        assertThat(binaryStream(List.of(b, c, a), 1)).as("fed a byte at a time, header included").isEqualTo(whole);
        assertThat(binaryStream(List.of(a), 7).plus(binaryStream(List.of(c, b), 3))).as("two ranges").isEqualTo(whole);
    }

    @Test
    void anEmptyStreamHasNoRowsAndTheHeaderAndTrailerAreNone() {
        CopyChecksum checksum = CopyChecksum.binary();
        checksum.update(concat(HEADER, TRAILER), 0, HEADER.length + TRAILER.length);
        checksum.endRow();
        assertThat(checksum.sum()).isEqualTo(CopyChecksum.Sum.EMPTY);
    }

    @Test
    void changedSwappedLostAndExtraRowsChangeTheSum() {
        CopyChecksum.Sum original = binaryStream(List.of(tuple("1", "a"), tuple("2", "b")), 1000);
        assertThat(binaryStream(List.of(tuple("1", "b"), tuple("2", "a")), 1000)).as("values swapped")
                .isNotEqualTo(original);
        assertThat(binaryStream(List.of(tuple("1", "a"), tuple("2", "c")), 1000).rows()).isEqualTo(2);
        assertThat(binaryStream(List.of(tuple("1", "a"), tuple("2", "c")), 1000).sum()).isNotEqualTo(original.sum());
        assertThat(binaryStream(List.of(tuple("1", "a")), 1000).rows()).isEqualTo(1);
        assertThat(binaryStream(List.of(tuple("1", "a"), tuple("2", "b"), tuple("2", "b")), 1000).sum())
                .as("a duplicated row does not cancel out").isNotEqualTo(original.sum());
    }

    @Test
    void textRowsAreLinesAndAnEmptyLineIsARow() {
        CopyChecksum text = CopyChecksum.text();
        for (String line : List.of("1\talice\n", "\n", "2\tbob\n")) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            text.update(b, 0, b.length);
            text.endRow();
        }
        assertThat(text.sum().rows()).isEqualTo(3);
        assertThat(text.sum().hex()).hasSize(16);
    }
}
