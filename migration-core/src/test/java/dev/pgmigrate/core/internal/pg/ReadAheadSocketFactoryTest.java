package dev.pgmigrate.core.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadAheadSocketFactoryTest {
    @Test
    void deliversEveryByteInOrderWithFewerReadsOfTheUnderlyingStream() throws IOException {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        AtomicInteger reads = new AtomicInteger();
        InputStream counted = new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                reads.incrementAndGet();
                return super.read(b, off, Math.min(len, 10_000)); // a socket hands over what has arrived
            }
        };
        var in = new ReadAheadSocketFactory.ReadAheadInputStream(counted, 32 * 1024);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(in.read());
        assertThat(in.skip(9)).isEqualTo(9);
        out.write(new byte[9]);
        byte[] chunk = new byte[700];
        int n;
        while ((n = in.read(chunk, 0, chunk.length)) > 0) {
            out.write(chunk, 0, n);
        }
        assertThat(n).isEqualTo(-1);
        assertThat(in.read()).isEqualTo(-1);
        byte[] expected = data.clone();
        java.util.Arrays.fill(expected, 1, 10, (byte) 0);
        assertThat(out.toByteArray()).isEqualTo(expected);
        // 100,000 bytes in reads of at most 10,000: 10, then one for each of the two reads at the end; not one
        // per 700-byte chunk.
        assertThat(reads.get()).isEqualTo(12);
    }

    @Test
    void aReadLargerThanTheBufferGoesStraightThrough() throws IOException {
        AtomicInteger largest = new AtomicInteger();
        InputStream source = new ByteArrayInputStream(new byte[200_000]) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                largest.accumulateAndGet(len, Math::max);
                return super.read(b, off, len);
            }
        };
        var in = new ReadAheadSocketFactory.ReadAheadInputStream(source, 1024);
        assertThat(in.read(new byte[100_000], 0, 100_000)).isEqualTo(100_000);
        assertThat(largest.get()).isEqualTo(100_000);
    }

    @Test
    void aSocketKeepsOneStreamSoBytesReadAheadAreNotLost() throws Exception {
        try (ServerSocket server = belowEphemeralPorts();
                Socket client = new ReadAheadSocketFactory().createSocket(server.getInetAddress(),
                        server.getLocalPort());
                Socket accepted = server.accept()) {
            OutputStream toClient = accepted.getOutputStream();
            toClient.write(new byte[] {1, 2, 3, 4});
            toClient.flush();
            assertThat(client.getInputStream().read()).isEqualTo(1);
            assertThat(client.getInputStream()).isSameAs(client.getInputStream());
            byte[] rest = new byte[3];
            assertThat(client.getInputStream().readNBytes(rest, 0, 3)).isEqualTo(3);
            assertThat(rest).containsExactly(2, 3, 4);
        }
    }

    /** A loopback listener below 32768, where Linux never puts an outgoing connection's port. */
    private static ServerSocket belowEphemeralPorts() throws java.io.IOException {
        java.util.Random random = new java.util.Random();
        java.io.IOException last = null;
        for (int attempt = 0; attempt < 200; attempt++) {
            ServerSocket socket = new ServerSocket();
            try {
                socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(),
                        20000 + random.nextInt(12768)), 1);
                return socket;
            } catch (java.io.IOException e) {
                socket.close();
                last = e;
            }
        }
        throw last;
    }
}
