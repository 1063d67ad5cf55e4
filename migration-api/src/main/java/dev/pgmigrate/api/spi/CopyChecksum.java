package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Experimental;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * An order-independent checksum of the rows of a COPY stream, fed as the stream is read: the number of rows and the
 * sum, modulo 2<sup>64</sup>, of a 64-bit hash of each row's bytes exactly as COPY sends them. The same rows give
 * the same checksum in any order and in any number of streams (a table copied in ranges), so a mover's checksum of
 * what it read from the source compares with one of the target's table read back in the same format.
 *
 * <p>In binary format a row is one tuple: the file header that starts a stream and the trailer that ends it are
 * not rows. In text format a row is one line with its newline. A row may be fed in pieces of any size. Not
 * thread-safe: one per stream.
 *
 * <p>A row's hash is its length and its CRC-32 (hardware-accelerated in every JIT mode), mixed into 64 bits by a
 * non-linear bijection, so that values swapped between rows do not cancel out in the sum. A row changed alone is
 * found for certain when its length changed, when up to 32 consecutive bits changed, or when up to 3 bits changed in
 * a row under 11 KB; any other change escapes with a chance of 1 in 2<sup>32</sup> per row. A second CRC (CRC-32C) would
 * make that 2<sup>64</sup> but is no intrinsic of the C1 compiler that the launcher runs: it doubled the hashing's
 * CPU. It finds corruption and lost, extra or changed rows; it is no cryptographic digest.
 *
 * <p>{@link #likeServer} makes instead the checksum a PostgreSQL server of version 14 or later computes over its own
 * rows (see {@link Sum#likeServer()}), so that a copy's checksum compares with the target's without reading the
 * target's rows back.
 *
 * @since 0.3
 */
@Experimental
public final class CopyChecksum {
    /** Binary COPY's header: signature (11 bytes), flags (4) and the header extension's length (4, always 0). */
    private static final int BINARY_HEADER_BYTES = 19;

    private final boolean binary;
    /** The row hash of {@link #likeServer}; null for CRC-32's. */
    private final ServerRowHash server;
    private final CRC32 crc32 = new CRC32();
    private int headerLeft;
    private int rowLength;
    /** A binary row's first two bytes: -1 there is the trailer, not a row. */
    private int rowStart;
    private long rows;
    private long sum;

    private CopyChecksum(boolean binary, ServerRowHash server) {
        this.binary = binary;
        this.server = server;
        this.headerLeft = binary ? BINARY_HEADER_BYTES : 0;
    }

    /** A checksum of a binary COPY stream. */
    public static CopyChecksum binary() {
        return new CopyChecksum(true, null);
    }

    /** A checksum of a text COPY stream. */
    public static CopyChecksum text() {
        return new CopyChecksum(false, null);
    }

    /**
     * A checksum of a binary COPY stream of {@code columns}, each row hashed as a PostgreSQL server of version 14
     * or later hashes it in {@code hashint8extended(h1 # h2 # ... # hn, 0)}, where {@code hi} is column i's hash by
     * its type's own extended hash function with {@code i} as the seed ({@code hashint4extended(c, 1)}, 0 for
     * NULL), a text column under {@code COLLATE "C"}, a float as {@code float8send(c::float8)}, numeric, json and
     * jsonb as {@code c::text}: the engine's verification sums that over the target's table on the target.
     * Empty unless every column is of a type whose binary form determines that hash: smallint, integer, bigint,
     * boolean, "char", real, double precision, numeric, date, time, timestamp, timestamptz, oid, uuid, text,
     * varchar, character, name, bytea, json, jsonb. A row's hash is 64 bits from 32 (the last fold), so a changed
     * row escapes with a chance of 1 in 2<sup>32</sup>; values swapped between rows or columns do not cancel out.
     *
     * @since 0.3
     */
    public static Optional<CopyChecksum> likeServer(List<CopyColumn> columns) {
        Objects.requireNonNull(columns, "columns must not be null");
        return ServerRowHash.of(columns).map(hash -> new CopyChecksum(true, hash));
    }

    /** Feeds the next {@code length} bytes of the current row (for binary, of the stream's header first). */
    public void update(byte[] bytes, int offset, int length) {
        if (server != null) {
            server.update(bytes, offset, length);
            return;
        }
        if (headerLeft > 0) {
            int skipped = Math.min(headerLeft, length);
            headerLeft -= skipped;
            offset += skipped;
            length -= skipped;
        }
        if (length <= 0) {
            return;
        }
        if (binary && rowLength < 2) {
            for (int i = 0; i < length && rowLength + i < 2; i++) {
                rowStart = (rowStart << 8) | (bytes[offset + i] & 0xff);
            }
        }
        crc32.update(bytes, offset, length);
        rowLength += length;
    }

    /** Ends the current row: one COPY data message. A message that held only the header or the trailer is none. */
    public void endRow() {
        if (server != null) {
            if (server.endRow()) {
                rows++;
                sum += server.rowHash();
            }
            return;
        }
        boolean trailer = binary && rowLength == 2 && rowStart == 0xffff;
        if (rowLength > 0 || !binary) {
            if (!trailer) {
                rows++;
                sum += mix((long) rowLength << 32 | crc32.getValue());
            }
        }
        crc32.reset();
        rowLength = 0;
        rowStart = 0;
    }

    /** The checksum of the rows ended so far. */
    public Sum sum() {
        return new Sum(rows, sum, server != null);
    }

    /** MurmurHash3's 64-bit finalizer: a bijection in which every input bit changes about half the output bits. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * A checksum's value.
     *
     * @param rows the rows counted
     * @param sum the sum of their hashes, modulo 2<sup>64</sup>
     * @param likeServer whether each row was hashed as a PostgreSQL server hashes it ({@link #likeServer}), else
     *     by CRC-32
     */
    public record Sum(long rows, long sum, boolean likeServer) {
        /** No rows. */
        public static final Sum EMPTY = new Sum(0, 0);

        /** A sum of rows hashed by CRC-32. */
        public Sum(long rows, long sum) {
            this(rows, sum, false);
        }

        /**
         * The checksum of both sets of rows together; {@link #EMPTY} takes the other's kind.
         *
         * @throws IllegalArgumentException if the two sums hash rows differently
         */
        public Sum plus(Sum other) {
            Objects.requireNonNull(other, "other must not be null");
            if (equals(EMPTY)) {
                return other;
            }
            if (!other.equals(EMPTY) && likeServer != other.likeServer) {
                throw new IllegalArgumentException("Cannot add a sum of rows hashed by CRC-32 to one hashed as a "
                        + "server hashes them");
            }
            return new Sum(rows + other.rows, sum + other.sum, likeServer);
        }

        /** The sum as 16 hexadecimal digits. */
        public String hex() {
            return String.format("%016x", sum);
        }
    }
}
