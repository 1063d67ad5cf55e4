package dev.pgmigrate.copy;

import dev.pgmigrate.api.spi.CopyChecksum;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.postgresql.core.PGStream;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * Reads a table back as a mover read it from the source, feeding each row to a {@link CopyChecksum} and keeping
 * none: the target's side of a verification by checksums of the copy. Rows come straight off the driver's protocol
 * stream where it can be reached ({@link ProtocolStream}), through a buffer reused for every row, else one at a
 * time through the driver's API.
 */
final class CopyReadBack {
    private static final int COPY_DATA = 'd';
    private static final int BUFFER_BYTES = 64 * 1024;

    private CopyReadBack() {
    }

    /** Runs {@code copyOutSql} on {@code connection} and returns the checksum of its rows. */
    static CopyChecksum.Sum read(Connection connection, String copyOutSql, CopyChecksum checksum) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        try (var out = CancelOnClose.copyOut(pg, copyOutSql)) {
            Optional<PGStream> stream = ProtocolStream.of(pg);
            if (stream.isPresent()) {
                readMessages(stream.get(), out.op(), checksum);
            } else {
                for (byte[] row; (row = out.op().readFromCopy()) != null; ) {
                    checksum.update(row, 0, row.length);
                    checksum.endRow();
                }
            }
        }
        return checksum.sum();
    }

    /** As {@link CopyStreamer} reads the source: data messages here, every other message left to the driver. */
    private static void readMessages(PGStream stream, CopyOut out, CopyChecksum checksum) throws SQLException {
        byte[] buf = new byte[BUFFER_BYTES];
        try {
            while (true) {
                if (stream.peekChar() != COPY_DATA) {
                    byte[] row = out.readFromCopy();
                    if (row == null) {
                        return;
                    }
                    checksum.update(row, 0, row.length);
                    checksum.endRow();
                    continue;
                }
                stream.receiveChar();
                int remaining = stream.receiveInteger4() - 4;
                while (remaining > 0) {
                    int n = Math.min(remaining, buf.length);
                    stream.receive(buf, 0, n);
                    checksum.update(buf, 0, n);
                    remaining -= n;
                }
                checksum.endRow();
            }
        } catch (IOException e) {
            throw new PSQLException("Database connection failed when reading back a table for its checksum",
                    PSQLState.CONNECTION_FAILURE, e);
        }
    }
}
