package dev.pgmigrate.api.spi;

import java.nio.charset.StandardCharsets;

/** numeric's text form, as {@code numeric_out} writes it, made from its binary COPY form into a buffer reused. */
final class NumericText {
    private byte[] text = new byte[64];

    /** The buffer {@link #write} wrote into. */
    byte[] text() {
        return text;
    }

    /**
     * Writes numeric's text form, as {@code numeric_out} writes it, from its binary form at {@code b[off]} into
     * {@link #text()}; returns its length.
     */
    int write(byte[] b, int off) {
        int ndigits = (short) ((b[off] & 0xff) << 8 | (b[off + 1] & 0xff));
        int weight = (short) ((b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff));
        int sign = (b[off + 4] & 0xff) << 8 | (b[off + 5] & 0xff);
        int dscale = (short) ((b[off + 6] & 0xff) << 8 | (b[off + 7] & 0xff));
        String special = switch (sign) {
            case 0xC000 -> "NaN";
            case 0xD000 -> "Infinity";
            case 0xF000 -> "-Infinity";
            default -> null;
        };
        if (special != null) {
            byte[] word = special.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(word, 0, text, 0, word.length);
            return word.length;
        }
        int most = 2 + 4 * Math.max(1, weight + 1) + 1 + dscale + 4;
        if (text.length < most) {
            text = new byte[most];
        }
        byte[] t = text;
        int n = 0;
        if (sign == 0x4000) {
            t[n++] = '-';
        }
        int d;
        if (weight < 0) {
            d = weight + 1;
            t[n++] = '0';
        } else {
            for (d = 0; d <= weight; d++) {
                n = put4(t, n, digit(b, off, ndigits, d));
                if (d == 0) { // the first group without its leading zeros, one digit at least
                    int zeros = 0;
                    while (zeros < 3 && t[n - 4 + zeros] == '0') {
                        zeros++;
                    }
                    System.arraycopy(t, n - 4 + zeros, t, n - 4, 4 - zeros);
                    n -= zeros;
                }
            }
        }
        if (dscale > 0) {
            t[n++] = '.';
            int last = n + dscale;
            for (int i = 0; i < dscale; d++, i += 4) {
                n = put4(t, n, digit(b, off, ndigits, d));
            }
            n = last;
        }
        return n;
    }

    private static int digit(byte[] b, int off, int ndigits, int d) {
        if (d < 0 || d >= ndigits) {
            return 0;
        }
        int i = off + 8 + 2 * d;
        return (short) ((b[i] & 0xff) << 8 | (b[i + 1] & 0xff));
    }

    private static int put4(byte[] t, int n, int digit) {
        t[n] = (byte) ('0' + digit / 1000);
        t[n + 1] = (byte) ('0' + digit / 100 % 10);
        t[n + 2] = (byte) ('0' + digit / 10 % 10);
        t[n + 3] = (byte) ('0' + digit % 10);
        return n + 4;
    }
}
