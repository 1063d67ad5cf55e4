package dev.pgmigrate.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a file the user names, at most a set number of bytes: a password file that is really {@code /dev/zero} or a
 * log must fail with a message, not run the JVM out of memory.
 */
final class BoundedFiles {
    /** A password file holds one password. */
    static final int PASSWORD_BYTES = 64 * 1024;
    /** A properties file holds a spec, not data. */
    static final int PROPERTIES_BYTES = 16 * 1024 * 1024;

    /** Thrown when the file holds more than the limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(Path file, int limit) {
            super(file + " holds more than " + limit + " bytes");
        }
    }

    private BoundedFiles() {
    }

    /**
     * The file's text as UTF-8, or as UTF-16 when it starts with that byte order mark, without the mark (Windows
     * editors write one; the managed service's CLI reads such files); throws {@link TooLarge} past {@code limit}
     * bytes, without reading the rest.
     */
    static String read(Path file, int limit) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(limit + 1);
        }
        if (bytes.length > limit) {
            throw new TooLarge(file, limit);
        }
        Charset charset = StandardCharsets.UTF_8;
        int offset = 0;
        if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) {
            offset = 3;
        } else if (startsWith(bytes, 0xFE, 0xFF)) {
            charset = StandardCharsets.UTF_16BE;
            offset = 2;
        } else if (startsWith(bytes, 0xFF, 0xFE)) {
            charset = StandardCharsets.UTF_16LE;
            offset = 2;
        }
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset)).toString();
        } catch (CharacterCodingException e) {
            throw new java.nio.charset.MalformedInputException(0);
        }
    }

    private static boolean startsWith(byte[] bytes, int... mark) {
        if (bytes.length < mark.length) {
            return false;
        }
        for (int i = 0; i < mark.length; i++) {
            if ((bytes[i] & 0xFF) != mark[i]) {
                return false;
            }
        }
        return true;
    }
}
