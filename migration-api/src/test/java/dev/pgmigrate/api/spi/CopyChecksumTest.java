package dev.pgmigrate.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void sumsOfRowsHashedDifferentlyDoNotAdd() {
        CopyChecksum.Sum crc = new CopyChecksum.Sum(2, 7);
        CopyChecksum.Sum server = new CopyChecksum.Sum(3, 5, true);
        assertThat(CopyChecksum.Sum.EMPTY.plus(server)).isEqualTo(server);
        assertThat(server.plus(CopyChecksum.Sum.EMPTY)).isEqualTo(server);
        assertThat(server.plus(server)).isEqualTo(new CopyChecksum.Sum(6, 10, true));
        assertThat(crc.likeServer()).isFalse();
        assertThatThrownBy(() -> crc.plus(server)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CRC-32");
    }

    @Test
    void aRowHashedAsTheServerHashesItIsTheSameInAnyPieces() {
        List<CopyColumn> columns = List.of(new CopyColumn("id", "integer", true), new CopyColumn("v", "text", true),
                new CopyColumn("n", "numeric", true));
        // A binary COPY stream: the header, two rows (one with a NULL), the trailer, each message fed as a whole
        // and then byte by byte.
        byte[] header = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] first = {0, 3, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 13, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j',
            'k', 'l', 'm', 0, 0, 0, 10, 0, 1, 0, 0, 0x40, 0, 0, 2, 0, 42};
        byte[] second = {0, 3, 0, 0, 0, 4, 0, 0, 0, 8, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 8,
            0, 0, 0, 0, 0, 0, 0, 0};
        byte[] trailer = {(byte) 0xff, (byte) 0xff};
        CopyChecksum whole = CopyChecksum.likeServer(columns).orElseThrow();
        CopyChecksum pieces = CopyChecksum.likeServer(columns).orElseThrow();
        byte[] headerAndFirst = new byte[header.length + first.length];
        System.arraycopy(header, 0, headerAndFirst, 0, header.length);
        System.arraycopy(first, 0, headerAndFirst, header.length, first.length);
        for (byte[] message : List.of(headerAndFirst, second, trailer)) {
            whole.update(message, 0, message.length);
            whole.endRow();
            for (int i = 0; i < message.length; i++) {
                pieces.update(message, i, 1);
            }
            pieces.endRow();
        }
        assertThat(whole.sum().rows()).isEqualTo(2);
        assertThat(whole.sum().likeServer()).isTrue();
        assertThat(pieces.sum()).isEqualTo(whole.sum());
        assertThat(CopyChecksum.likeServer(List.of(new CopyColumn("p", "point", true)))).isEmpty();
    }
}
