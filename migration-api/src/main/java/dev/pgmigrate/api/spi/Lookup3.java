package dev.pgmigrate.api.spi;

/**
 * Bob Jenkins' lookup3 hash as PostgreSQL's {@code hashfn.c} has it on a little-endian server:
 * {@code hash_bytes_extended} over a value fed in pieces of any size, its length known at the start, with a seed of
 * 0, and the functions of the integer types built on it.
 */
final class Lookup3 {
    private static final int INIT = 0x9e3779b9 + 3923095;
    private static final java.lang.invoke.VarHandle LITTLE_ENDIAN_INT = java.lang.invoke.MethodHandles
            .byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private int a;
    private int b;
    private int c;
    private final byte[] carry = new byte[12];
    private int carried;
    private final long seed;
    /** The state {@link #start} last set up, by length: a column's values often share one (an int's always). */
    private int startedLength = -1;
    private int startedA;
    private int startedB;
    private int startedC;

    /** Hashes with {@code seed}: 0 for none, else it perturbs the state as one more block would. */
    Lookup3(long seed) {
        this.seed = seed;
    }

    /** The hash of a whole value, {@code hash_bytes_extended(k, length, seed)}. */
    long hash(byte[] k, int offset, int length) {
        start(length);
        feed(k, offset, length);
        return finish();
    }

    /** {@code hash_bytes_uint32_extended(k, seed)}: the seed's mix, then the word's final one. */
    long word(int k) {
        start(4);
        return finalMix(a + k, b, c);
    }

    /** Starts a value of {@code length} bytes. */
    void start(int length) {
        carried = 0;
        if (length == startedLength) {
            a = startedA;
            b = startedB;
            c = startedC;
            return;
        }
        a = b = c = INIT + length;
        if (seed != 0) { // as a block of the seed's high word, its low word and 0
            LITTLE_ENDIAN_INT.set(carry, 0, (int) (seed >>> 32));
            LITTLE_ENDIAN_INT.set(carry, 4, (int) seed);
            LITTLE_ENDIAN_INT.set(carry, 8, 0);
            blocks(carry, 0, 12);
        }
        startedLength = length;
        startedA = a;
        startedB = b;
        startedC = c;
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
            blocks(carry, 0, 12);
            carried = 0;
        }
        if (end - offset >= 12) {
            offset = blocks(k, offset, end);
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
        return finalMix(a, b, c);
    }

    /**
     * Adds each whole 12-byte block of {@code k[offset, end)} to the state and mixes it ({@code mix(a, b, c)});
     * returns where the blocks stopped. Over locals in one loop: C1, the launcher's only compiler, inlines no method
     * this large and keeps fields in memory, and this loop is most of the hashing of a long value.
     */
    private int blocks(byte[] k, int offset, int end) {
        int a = this.a;
        int b = this.b;
        int c = this.c;
        while (end - offset >= 12) {
            a += (int) LITTLE_ENDIAN_INT.get(k, offset);
            b += (int) LITTLE_ENDIAN_INT.get(k, offset + 4);
            c += (int) LITTLE_ENDIAN_INT.get(k, offset + 8);
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            offset += 12;
        }
        this.a = a;
        this.b = b;
        this.c = c;
        return offset;
    }

    /** {@code hashint8extended(v, 0)}: the two halves folded into one, as int2, int4 and int8 hash alike. */
    static long hashInt8(long v) {
        return hashUint32(foldInt8(v));
    }

    /** {@code hashint8extended(v, seed)}'s word: the two halves of {@code v} folded into one. */
    static int foldInt8(long v) {
        int lo = (int) v;
        int hi = (int) (v >>> 32);
        return lo ^ (v >= 0 ? hi : ~hi);
    }

    /** {@code hash_bytes_uint32_extended(k, 0)}: lookup3's final mix of one word. */
    static long hashUint32(int k) {
        return finalMix(INIT + 4 + k, INIT + 4, INIT + 4);
    }

    /** lookup3's {@code final(a, b, c)}, then the 64-bit result: {@code b} high, {@code c} low. */
    private static long finalMix(int a, int b, int c) {
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return (long) b << 32 | (c & 0xffffffffL);
    }
}
