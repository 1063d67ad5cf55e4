package dev.pgmigrate.copy;

import dev.pgmigrate.api.spi.CopyColumn;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Leaves out the blanks that pad {@code character(n)} values in binary COPY messages on their way to the target.
 *
 * <p>A {@code character(n)} value is stored padded with blanks to n characters, and its binary form carries them.
 * The target's input function counts a value's characters and pads it to n again, so the same bytes are stored
 * whether the blanks travel or not; left out, they cost neither the network nor the target, whose count of them
 * was a quarter of its CPU loading {@code pgbench_accounts} (its {@code char(84)} of blanks). Only for a target column of the source's type: into
 * {@code text} the blanks would be lost, so the engine says when the target's columns have the source's types.
 *
 * <p>The source sends one row per message, the first after the stream's header. Messages are trimmed in place, in
 * the order they come; one that passes untrimmed (a row larger than the buffer) is {@linkplain #passedOver()
 * reported}, so that the header is looked for only in the first.
 */
final class CharPadding {
    private static final Pattern FIXED_WIDTH = Pattern.compile("character\\(\\d+\\)");
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** The signature, the flags and the header extension's length. */
    private static final int HEADER = SIGNATURE.length + 8;
    private static final VarHandle INT2 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT4 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT8 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final long EIGHT_BLANKS = 0x2020202020202020L;
    private static final byte[] BLANKS = " ".repeat(256).getBytes(StandardCharsets.US_ASCII);

    /** Per column, whether it is a {@code character(n)}. */
    private final boolean[] padded;
    private boolean headerAhead = true;

    private CharPadding(boolean[] padded) {
        this.padded = padded;
    }

    /** For rows of {@code columns}; empty when none of them is a {@code character(n)}. */
    static Optional<CharPadding> of(List<CopyColumn> columns) {
        boolean[] padded = new boolean[columns.size()];
        boolean any = false;
        for (int i = 0; i < padded.length; i++) {
            padded[i] = FIXED_WIDTH.matcher(columns.get(i).type()).matches();
            any |= padded[i];
        }
        return any ? Optional.of(new CharPadding(padded)) : Optional.empty();
    }

    /** Notes that a message went to the target as it came. */
    void passedOver() {
        headerAhead = false;
    }

    /**
     * Trims the message {@code b[off, off + length)} in place and returns its new length.
     *
     * @throws IllegalStateException when it is not whole rows of this table's columns
     */
    int trim(byte[] b, int off, int length) {
        int end = off + length;
        int read = headerAhead ? afterHeader(b, off, end) : off;
        headerAhead = false;
        int write = read;
        while (read < end) {
            need(end - read >= 2);
            int fields = (short) INT2.get(b, read);
            if (write != read) {
                INT2.set(b, write, (short) fields);
            }
            read += 2;
            write += 2;
            if (fields == -1) { // the trailer
                continue;
            }
            need(fields == padded.length);
            for (int i = 0; i < fields; i++) {
                need(end - read >= 4);
                int size = (int) INT4.get(b, read);
                int data = Math.max(size, 0);
                need(size >= -1 && end - read - 4 >= data);
                if (size > 0 && padded[i]) {
                    int kept = withoutBlanks(b, read + 4, size);
                    INT4.set(b, write, kept);
                    if (write != read) {
                        System.arraycopy(b, read + 4, b, write + 4, kept);
                    }
                    write += 4 + kept;
                } else {
                    if (write != read) {
                        System.arraycopy(b, read, b, write, 4 + data);
                    }
                    write += 4 + data;
                }
                read += 4 + data;
            }
        }
        return write - off;
    }

    private static int afterHeader(byte[] b, int off, int end) {
        need(end - off >= HEADER);
        for (int i = 0; i < SIGNATURE.length; i++) {
            need(b[off + i] == SIGNATURE[i]);
        }
        int extension = (int) INT4.get(b, off + SIGNATURE.length + 4);
        need(extension >= 0 && end - off - HEADER >= extension);
        return off + HEADER + extension;
    }

    /**
     * The length of {@code b[off, off + length)}, {@code length > 0}, without its trailing blanks: a value of blanks
     * only, the commonest padded one, is found at once, else eight bytes at a time while it can.
     */
    private static int withoutBlanks(byte[] b, int off, int length) {
        if (b[off + length - 1] != ' ') {
            return length;
        }
        if (length <= BLANKS.length && Arrays.mismatch(b, off, off + length, BLANKS, 0, length) < 0) {
            return 0;
        }
        int n = length;
        while (n >= 8 && (long) INT8.get(b, off + n - 8) == EIGHT_BLANKS) {
            n -= 8;
        }
        while (n > 0 && b[off + n - 1] == ' ') {
            n--;
        }
        return n;
    }

    private static void need(boolean wellFormed) {
        if (!wellFormed) {
            throw new IllegalStateException("The source's binary COPY data did not hold whole rows of the table's "
                    + "columns in each message, as PostgreSQL sends them");
        }
    }
}
