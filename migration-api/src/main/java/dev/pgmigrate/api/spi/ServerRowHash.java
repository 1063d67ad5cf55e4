package dev.pgmigrate.api.spi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The hash PostgreSQL 14 and later computes for a row itself, computed from the row's binary COPY form as it
 * streams by: {@code hashint8extended(h1 # ... # hn, 0)}, {@code hi} column i's hash by its type's extended hash
 * function seeded by {@code i} (0 for NULL), each column as the target's verification query writes it (a text
 * column under {@code COLLATE "C"}, a float as {@code float8send(c::float8)}, numeric, json and jsonb as
 * {@code c::text}). So the sum of a copy's rows compares with the sum the target
 * computes over its stored rows, without reading them back. Only for columns of the types below, whose binary form
 * determines that hash; the text types' bytes must be those the target stores (a UTF-8 database, as the driver
 * speaks UTF-8). The functions are Bob Jenkins' lookup3 as PostgreSQL's {@code hashfn.c} has it, on a
 * little-endian server; a server that hashes otherwise only fails the comparison, which the engine then makes
 * again on both servers.
 */
final class ServerRowHash {
    private static final int BINARY_HEADER_BYTES = 19;

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
    /** Each column's, seeded by its position. */
    private final Lookup3[] hashers;
    private final NumericText numeric = new NumericText();
    private final byte[] float8 = new byte[8];
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
        this.hashers = new Lookup3[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            hashers[i] = new Lookup3(i + 1);
        }
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
                        offset = wholeFields(bytes, offset, end);
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
                        hashers[field].feed(bytes, offset + 1, n - 1);
                    } else {
                        hashers[field].feed(bytes, offset, n);
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
        return Lookup3.hashInt8(h);
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
            hashers[field].start(kind == Kind.JSONB ? length - 1 : length);
        }
        if (length == 0) {
            endField();
        } else {
            state = DATA;
        }
    }

    /**
     * Hashes the fields whole in {@code bytes[offset, end)} where they lie (a row's usually are, one message each),
     * up to the first that is not; returns where it stopped. In locals, since the C1 compiler keeps fields in memory.
     */
    private int wholeFields(byte[] b, int offset, int end) {
        Kind[] columns = kinds;
        int at = field;
        long hash = rowHash;
        while (at < columns.length && end - offset >= 4) {
            int length = b[offset] << 24 | (b[offset + 1] & 0xff) << 16 | (b[offset + 2] & 0xff) << 8
                    | (b[offset + 3] & 0xff);
            if (length > end - offset - 4) {
                break;
            }
            offset += 4;
            long value = 0; // SQL NULL
            if (length >= 0) {
                value = valueHash(columns[at], hashers[at], b, offset, length);
                offset += length;
            }
            hash ^= value;
            at++;
        }
        field = at;
        rowHash = hash;
        gatheredLength = 0;
        state = at == columns.length ? DONE : LENGTH;
        return offset;
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
        Lookup3 hasher = hashers[field];
        combine(kind.gathered ? valueHash(kind, hasher, gathered, 0, gatheredLength) : hasher.finish());
    }

    /**
     * The hash of one value of {@code kind}, whose binary form is {@code b[off, off + len)}, by its column's
     * {@code hasher}.
     */
    private long valueHash(Kind kind, Lookup3 hasher, byte[] b, int off, int len) {
        return switch (kind) {
            case INT2 -> hasher.word((short) ((b[off] & 0xff) << 8 | (b[off + 1] & 0xff)));
            case INT4 -> hasher.word(readInt(b, off));
            case INT8 -> hasher.word(Lookup3.foldInt8((long) readInt(b, off) << 32
                    | (readInt(b, off + 4) & 0xffffffffL)));
            case CHAR -> hasher.word(b[off]);
            case FLOAT4 -> hashFloat4(readInt(b, off), hasher);
            case BPCHAR -> hasher.hash(b, off, withoutTrailingSpaces(b, off, len));
            case NUMERIC -> hasher.hash(numeric.text(), 0, numeric.write(b, off));
            case BYTES -> hasher.hash(b, off, len);
            case JSONB -> hasher.hash(b, off + 1, len - 1);
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

    /** Adds a column's hash to the row's. */
    private void combine(long columnHash) {
        rowHash ^= columnHash;
        field++;
        gatheredLength = 0;
        state = field == kinds.length ? DONE : LENGTH;
    }

    private long hashFloat4(int bits, Lookup3 hasher) {
        long d = Double.doubleToRawLongBits(Float.intBitsToFloat(bits));
        for (int i = 0; i < 8; i++) {
            float8[i] = (byte) (d >>> (56 - 8 * i));
        }
        return hasher.hash(float8, 0, 8);
    }

    private static int readInt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

}
