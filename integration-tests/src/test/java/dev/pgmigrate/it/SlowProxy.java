package dev.pgmigrate.it;

import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.embedded.LocalPorts;
import dev.pgmigrate.embedded.PostgresServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between the engine and one server, for tests of a slow or stalled network: each chunk is held
 * {@code latencyMillis} before it is passed on, throughput is capped at {@code bytesPerSecond} (0: no cap), and
 * {@link #freeze()} stops passing anything on in either direction until {@link #thaw()}. Closing it closes every
 * socket and ends its threads. Each new connection goes to the server's current port, so a relay follows a
 * server through {@link PostgresServer#restart()}.
 */
final class SlowProxy implements AutoCloseable {
    private final PostgresServer server;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile long latencyMillis;
    private volatile long bytesPerSecond;
    private volatile boolean frozen;
    private volatile boolean closed;
    private volatile boolean cut;

    SlowProxy(PostgresServer server, long latencyMillis, long bytesPerSecond) throws IOException {
        this.server = server;
        this.latencyMillis = latencyMillis;
        this.bytesPerSecond = bytesPerSecond;
        this.listener = LocalPorts.listen(50);
        start("proxy-accept-" + port(), this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The server's admin spec, reached through this relay. */
    ServerSpec serverSpec() {
        ServerSpec direct = server.serverSpec();
        return ServerSpec.builder().host(PostgresServer.HOST).port(port()).adminLogin(direct.adminLogin())
                .password(direct.password().orElseThrow()).sslMode(SslMode.DISABLE).build();
    }

    void latency(long millis) {
        latencyMillis = millis;
    }

    void bytesPerSecond(long rate) {
        bytesPerSecond = rate;
    }

    void freeze() {
        frozen = true;
    }

    void thaw() {
        frozen = false;
    }

    /** Breaks every connection and refuses new ones, as an unreachable server would, until {@link #mend()}. */
    void cut() {
        cut = true;
        sockets.forEach(SlowProxy::closeQuietly);
    }

    void mend() {
        cut = false;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress(PostgresServer.HOST, server.port()), 5000);
                } catch (IOException e) {
                    // The server is down or restarting: refuse the client at once, as the server itself would.
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                sockets.add(client);
                sockets.add(upstream);
                start("proxy-up-" + port(), () -> pump(client, upstream));
                start("proxy-down-" + port(), () -> pump(upstream, client));
            } catch (IOException e) {
                if (!closed) {
                    sleep(10); // the server may be restarting; the client sees its connection refused or closed
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                while (frozen && !closed) {
                    sleep(20);
                }
                long delay = latencyMillis + (bytesPerSecond > 0 ? n * 1000L / bytesPerSecond : 0);
                if (delay > 0) {
                    sleep(delay);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // One side closed or reset; the other is closed below, as a broken network would.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket that is already broken
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        frozen = false;
        listener.close();
        sockets.forEach(SlowProxy::closeQuietly);
        for (Thread thread : threads) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
