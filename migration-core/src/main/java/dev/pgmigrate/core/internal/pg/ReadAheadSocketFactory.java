package dev.pgmigrate.core.internal.pg;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * The driver's sockets, with their input read from the kernel in large gulps. The driver reads a socket through a
 * fixed 8 KiB buffer: a 400 MB copy took 59,000 read calls, a third of the copy workers' CPU spent in the kernel.
 * Reading ahead into a larger buffer turns them into one call per whatever the server has sent, up to
 * {@value #READ_AHEAD_BYTES} bytes. Named in the driver's {@code socketFactory} property, so public with a public
 * constructor; TLS and GSS layer over these sockets as over plain ones.
 */
public final class ReadAheadSocketFactory extends SocketFactory {
    static final int READ_AHEAD_BYTES = 128 * 1024;

    /** Instantiated by the driver, one per connection. */
    public ReadAheadSocketFactory() {
    }

    @Override
    public Socket createSocket() {
        return new ReadAheadSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = createSocket();
        if (local != null) {
            socket.bind(local);
        }
        socket.connect(remote);
        return socket;
    }

    /** Hands out one read-ahead stream for its life: bytes read ahead must reach whoever reads next. */
    private static final class ReadAheadSocket extends Socket {
        private InputStream input;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new ReadAheadInputStream(super.getInputStream());
            }
            return input;
        }
    }

    /** A buffer in front of a socket's stream; one reader at a time, as the driver reads a connection. */
    static final class ReadAheadInputStream extends FilterInputStream {
        private final byte[] buffer;
        private int position;
        private int limit;

        ReadAheadInputStream(InputStream in) {
            this(in, READ_AHEAD_BYTES);
        }

        ReadAheadInputStream(InputStream in, int bufferBytes) {
            super(in);
            buffer = new byte[bufferBytes];
        }

        @Override
        public int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (position == limit) {
                if (len >= buffer.length) {
                    return in.read(b, off, len); // nothing to gain from a copy through the buffer
                }
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(len, limit - position);
            System.arraycopy(buffer, position, b, off, n);
            position += n;
            return n;
        }

        /** One read of what the kernel has (it blocks only while nothing has arrived); false at end of stream. */
        private boolean fill() throws IOException {
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return false;
            }
            position = 0;
            limit = n;
            return true;
        }

        @Override
        public long skip(long n) throws IOException {
            if (n <= 0) {
                return 0;
            }
            int buffered = limit - position;
            if (buffered > 0) {
                int skipped = (int) Math.min(n, buffered);
                position += skipped;
                return skipped;
            }
            return in.skip(n);
        }

        @Override
        public int available() throws IOException {
            return (limit - position) + in.available();
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public synchronized void mark(int readlimit) {
            // not supported
        }

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }
    }
}
