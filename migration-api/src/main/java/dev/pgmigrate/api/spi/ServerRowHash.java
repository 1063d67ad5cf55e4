package dev.pgmigrate.api.spi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The hash PostgreSQL 14 and later computes for a row itself, computed from the row's binary COPY form as it
 * streams by: {@code hashint8extended(hash_record_extended(ROW(c1, ..., cn), 0), 0)}, each column as the target's
 * verification query writes it (a text column under {@code COLLATE "C"}, a float as {@code float8send(c::float8)},
 * numeric, json and jsonb as {@code c::text}). So the sum of a copy's rows compares with the sum the target
 * computes over its stored rows, without reading them back. Only for columns of the types below, whose binary form
 * determines that hash; the text types' bytes must be those the target stores (a UTF-8 database, as the driver
 * speaks UTF-8). The functions are Bob Jenkins' lookup3 as PostgreSQL's {@code hashfn.c} has it, on a
 * little-endian server; a server that hashes otherwise only fails the comparison, which the engine then makes
 * again on both servers.
 */
final class ServerRowHash {
    private static final int BINARY_HEADER_BYTES = 19;
    private static final int JENKINS_INIT = 0x9e3779b9 + 3923095;

    /** How a column's binary value is hashed. */
    private enum Kind {
        /** int2: sign-extended to 32 bits. */
        INT2(true),
        /** int4, date, oid. */
        INT4(true),
        /** int8, timestamp, timestamptz, time: folded to 32 bits as {@code hashint8extended} does. */
        INT8(true),
        /** bool and "char": one signed byte. */
        CHAR(true),
        /** real: hashed as the 8 bytes of {@code float8send(c::float8)}. */
        FLOAT4(true),
        /** bpchar: its bytes without trailing spaces. */
        BPCHAR(true),
        /** numeric: hashed as its text form. */
        NUMERIC(true),
        /** text, varchar, name, bytea, json, uuid, double precision: the value's bytes as sent. */
        BYTES(false),
        /** jsonb: its text form, which follows a version byte. */
        JSONB(false);

        /** Whether the value is gathered whole before it is hashed, else hashed as it streams. */
        final boolean gathered;

        Kind(boolean gathered) {
            this.gathered = gathered;
        }
    }

    private final Kind[] kinds;
    private final Jenkins jenkins = new Jenkins();
    /** For a value gathered whole. */
    private final Jenkins scratch = new Jenkins();
    private final byte[] float8 = new byte[8];
    /** The text form of the last numeric value hashed. */
    private byte[] numericText = new byte[64];
    private static final byte[] SPACES = new byte[256];

    static {
        Arrays.fill(SPACES, (byte) ' ');
    }
    private int headerLeft = BINARY_HEADER_BYTES;
    /** What is being read: the field count, a field's length, or its bytes. */
    private int state = COUNT;
    private static final int COUNT = 0;
    private static final int LENGTH = 1;
    private static final int DATA = 2;
    private static final int DONE = 3;
    /** A count or length read across pieces: its bytes so far and how many. */
    private int partial;
    private int partialBytes;
    private int field;
    private int remaining;
    private byte[] gathered = new byte[64];
    private int gatheredLength;
    private long rowHash;
    private boolean trailer;
    private boolean started;

    private ServerRowHash(Kind[] kinds) {
        this.kinds = kinds;
    }

    /** A hash for rows of these columns, or empty when one of them is of a type this cannot hash. */
    static Optional<ServerRowHash> of(List<CopyColumn> columns) {
        if (columns.isEmpty()) {
            return Optional.empty();
        }
        List<Kind> kinds = new ArrayList<>(columns.size());
        for (CopyColumn column : columns) {
            Kind kind = kindOf(column.type());
            if (kind == null) {
                return Optional.empty();
            }
            kinds.add(kind);
        }
        return Optional.of(new ServerRowHash(kinds.toArray(Kind[]::new)));
    }

    /** Whether every one of {@code columns} is of a type this hashes. */
    static boolean hashes(List<CopyColumn> columns) {
        return !columns.isEmpty() && columns.stream().allMatch(c -> kindOf(c.type()) != null);
    }

    private static Kind kindOf(String formatType) {
        String type = formatType.replaceAll("\\(\\d+(,\\d+)?\\)", "");
        return switch (type) {
            case "smallint" -> Kind.INT2;
            case "integer", "date", "oid" -> Kind.INT4;
            case "bigint", "timestamp without time zone", "timestamp with time zone", "time without time zone" ->
                    Kind.INT8;
            case "boolean", "\"char\"" -> Kind.CHAR;
            case "real" -> Kind.FLOAT4;
            case "character" -> Kind.BPCHAR;
            case "numeric" -> Kind.NUMERIC;
            case "text", "character varying", "name", "bytea", "json", "uuid", "double precision" -> Kind.BYTES;
            case "jsonb" -> Kind.JSONB;
            default -> null;
        };
    }

    /** Feeds the next {@code length} bytes of the stream: the header first, then each row's. */
    void update(byte[] bytes, int offset, int length) {
        int end = offset + length;
        if (headerLeft > 0) {
            int skipped = Math.min(headerLeft, length);
            headerLeft -= skipped;
            offset += skipped;
        }
        while (offset < end) {
            started = true;
            switch (state) {
                case COUNT -> {
                    offset = readPartial(bytes, offset, end, 2);
                    if (partialBytes == 2) {
                        int count = (short) partial;
                        partialBytes = 0;
                        trailer = count == -1;
                        // Another number of fields than columns hashes as nothing: the comparison then fails and
                        // is made again on both servers.
                        state = trailer || count != kinds.length ? DONE : LENGTH;
                    }
                }
                case LENGTH -> {
                    if (partialBytes == 0) {
                        // The fields whole in this piece (a row's usually are): hashed where they lie.
                        while (state == LENGTH && end - offset >= 4) {
                            int valueLength = readInt(bytes, offset);
                            if (valueLength > end - offset - 4) {
                                break;
                            }
                            offset += 4;
                            if (valueLength < 0) {
                                combine(0); // SQL NULL
                            } else {
                                combine(valueHash(kinds[field], bytes, offset, valueLength));
                                offset += valueLength;
                            }
                        }
                        if (state != LENGTH || offset == end) {
                            continue;
                        }
                    }
                    offset = readPartial(bytes, offset, end, 4);
                    if (partialBytes == 4) {
                        partialBytes = 0;
                        startField(partial);
                    }
                }
                case DATA -> {
                    int n = Math.min(remaining, end - offset);
                    Kind kind = kinds[field];
                    if (kind.gathered) {
                        gather(bytes, offset, n);
                    } else if (kind == Kind.JSONB && gatheredLength == 0) {
                        gatheredLength = 1; // the version byte, which the text form has not
                        jenkins.feed(bytes, offset + 1, n - 1);
                    } else {
                        jenkins.feed(bytes, offset, n);
                    }
                    offset += n;
                    remaining -= n;
                    if (remaining == 0) {
                        endField();
                    }
                }
                default -> offset = end; // bytes past the row's last field: none in a well-formed stream
            }
        }
    }

    /**
     * Ends the current row (one COPY data message) and returns whether it was one: a message that held only the
     * header, or the trailer, is none.
     */
    boolean endRow() {
        boolean row = started && !trailer;
        started = false;
        trailer = false;
        state = COUNT;
        partialBytes = 0;
        field = 0;
        return row;
    }

    /** The hash of the row just ended. */
    long rowHash() {
        long h = rowHash;
        rowHash = 0;
        return hashInt8(h);
    }

    private int readPartial(byte[] bytes, int offset, int end, int size) {
        if (partialBytes == 0 && end - offset >= size) {
            partial = size == 2 ? (bytes[offset] & 0xff) << 8 | (bytes[offset + 1] & 0xff) : readInt(bytes, offset);
            partialBytes = size;
            return offset + size;
        }
        while (offset < end && partialBytes < size) {
            partial = (partialBytes == 0 ? 0 : partial << 8) | (bytes[offset++] & 0xff);
            partialBytes++;
        }
        return offset;
    }

    private void startField(int length) {
        if (length < 0) {
            combine(0); // SQL NULL
            return;
        }
        Kind kind = kinds[field];
        gatheredLength = 0;
        remaining = length;
        if (!kind.gathered) {
            jenkins.start(kind == Kind.JSONB ? length - 1 : length);
        }
        if (length == 0) {
            endField();
        } else {
            state = DATA;
        }
    }

    private void gather(byte[] bytes, int offset, int n) {
        if (gatheredLength + n > gathered.length) {
            gathered = java.util.Arrays.copyOf(gathered, Math.max(gathered.length * 2, gatheredLength + n));
        }
        System.arraycopy(bytes, offset, gathered, gatheredLength, n);
        gatheredLength += n;
    }

    private void endField() {
        Kind kind = kinds[field];
        combine(kind.gathered ? valueHash(kind, gathered, 0, gatheredLength) : jenkins.finish());
    }

    /** The hash of one value of {@code kind}, whose binary form is {@code b[off, off + len)}. */
    private long valueHash(Kind kind, byte[] b, int off, int len) {
        return switch (kind) {
            case INT2 -> hashUint32((short) ((b[off] & 0xff) << 8 | (b[off + 1] & 0xff)));
            case INT4 -> hashUint32(readInt(b, off));
            case INT8 -> hashInt8((long) readInt(b, off) << 32 | (readInt(b, off + 4) & 0xffffffffL));
            case CHAR -> hashUint32(b[off]);
            case FLOAT4 -> hashFloat4(readInt(b, off));
            case BPCHAR -> scratch.hash(b, off, withoutTrailingSpaces(b, off, len));
            case NUMERIC -> scratch.hash(numericText, 0, numericText(b, off));
            case BYTES -> scratch.hash(b, off, len);
            case JSONB -> scratch.hash(b, off + 1, len - 1);
        };
    }

    /** bpchar's hash leaves its padding out; a value of spaces only, the commonest padded one, is found at once. */
    private static int withoutTrailingSpaces(byte[] b, int off, int len) {
        int n = len;
        if (n > 0 && b[off + n - 1] == ' ') {
            if (n <= SPACES.length && Arrays.mismatch(b, off, off + n, SPACES, 0, n) < 0) {
                return 0;
            }
            while (n > 0 && b[off + n - 1] == ' ') {
                n--;
            }
        }
        return n;
    }

    /** As {@code hash_record_extended} adds each column's hash. */
    private void combine(long elementHash) {
        rowHash = rowHash * 31 + elementHash;
        field++;
        gatheredLength = 0;
        state = field == kinds.length ? DONE : LENGTH;
    }

    private long hashFloat4(int bits) {
        long d = Double.doubleToRawLongBits(Float.intBitsToFloat(bits));
        for (int i = 0; i < 8; i++) {
            float8[i] = (byte) (d >>> (56 - 8 * i));
        }
        return scratch.hash(float8, 0, 8);
    }

    private static int readInt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    /** {@code hashint8extended(v, 0)}: the two halves folded into one, as int2, int4 and int8 hash alike. */
    static long hashInt8(long v) {
        int lo = (int) v;
        int hi = (int) (v >>> 32);
        lo ^= v >= 0 ? hi : ~hi;
        return hashUint32(lo);
    }

    /** {@code hash_bytes_uint32_extended(k, 0)}: lookup3's final mix of one word. */
    static long hashUint32(int k) {
        int a = JENKINS_INIT + 4 + k;
        int b = JENKINS_INIT + 4;
        int c = JENKINS_INIT + 4;
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return (long) b << 32 | (c & 0xffffffffL);
    }

    /** lookup3 over a value fed in pieces of any size, its length known at the start. */
    private static final class Jenkins {
        private static final java.lang.invoke.VarHandle LITTLE_ENDIAN_INT = java.lang.invoke.MethodHandles
                .byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
        int a;
        int b;
        int c;
        private final byte[] carry = new byte[12];
        private int carried;

        /** The hash of a whole value. */
        long hash(byte[] k, int offset, int length) {
            start(length);
            feed(k, offset, length);
            return finish();
        }

        void start(int length) {
            a = b = c = JENKINS_INIT + length;
            carried = 0;
        }

        void feed(byte[] k, int offset, int length) {
            int end = offset + length;
            if (carried > 0) {
                int n = Math.min(12 - carried, length);
                System.arraycopy(k, offset, carry, carried, n);
                carried += n;
                offset += n;
                if (carried < 12) {
                    return;
                }
                block(carry, 0);
                carried = 0;
            }
            while (end - offset >= 12) {
                block(k, offset);
                offset += 12;
            }
            if (offset < end) {
                System.arraycopy(k, offset, carry, 0, end - offset);
                carried = end - offset;
            }
        }

        long finish() {
            byte[] t = carry;
            switch (carried) {
                case 11: c += (t[10] & 0xff) << 24; // fall through
                case 10: c += (t[9] & 0xff) << 16; // fall through
                case 9: c += (t[8] & 0xff) << 8; // fall through
                case 8: b += (t[7] & 0xff) << 24; // fall through
                case 7: b += (t[6] & 0xff) << 16; // fall through
                case 6: b += (t[5] & 0xff) << 8; // fall through
                case 5: b += t[4] & 0xff; // fall through
                case 4: a += (t[3] & 0xff) << 24; // fall through
                case 3: a += (t[2] & 0xff) << 16; // fall through
                case 2: a += (t[1] & 0xff) << 8; // fall through
                case 1: a += t[0] & 0xff; // fall through
                default: break;
            }
            carried = 0;
            fin();
            return (long) b << 32 | (c & 0xffffffffL);
        }


        private void block(byte[] k, int i) {
            a += (int) LITTLE_ENDIAN_INT.get(k, i);
            b += (int) LITTLE_ENDIAN_INT.get(k, i + 4);
            c += (int) LITTLE_ENDIAN_INT.get(k, i + 8);
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        }

        private void fin() {
            c ^= b; c -= Integer.rotateLeft(b, 14);
            a ^= c; a -= Integer.rotateLeft(c, 11);
            b ^= a; b -= Integer.rotateLeft(a, 25);
            c ^= b; c -= Integer.rotateLeft(b, 16);
            a ^= c; a -= Integer.rotateLeft(c, 4);
            b ^= a; b -= Integer.rotateLeft(a, 14);
            c ^= b; c -= Integer.rotateLeft(b, 24);
        }
    }

    /**
     * Writes numeric's text form, as {@code numeric_out} writes it, from its binary form at {@code b[off]} into
     * {@link #numericText}; returns its length.
     */
    private int numericText(byte[] b, int off) {
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
            byte[] text = special.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, numericText, 0, text.length);
            return text.length;
        }
        int most = 2 + 4 * Math.max(1, weight + 1) + 1 + dscale + 4;
        if (numericText.length < most) {
            numericText = new byte[most];
        }
        byte[] t = numericText;
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
