package dev.pgmigrate.embedded;

import dev.pgmigrate.api.Experimental;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;

/**
 * Ports for servers a test starts on loopback, always below 32768: from there up Linux hands out the ports of
 * outgoing connections, so a test server on such a port can collide with any client's connection on the machine.
 *
 * <p>{@code try (ServerSocket proxy = LocalPorts.listen(50)) { ... proxy.getLocalPort() ... }}
 *
 * @since 0.1
 */
@Experimental
public final class LocalPorts {
    /** The lowest port handed out. */
    public static final int LOWEST = 20000;
    /** The highest port handed out: the one below Linux's first ephemeral port. */
    public static final int HIGHEST = 32767;
    private static final SecureRandom RANDOM = new SecureRandom();

    private LocalPorts() {
    }

    /**
     * A socket listening on {@link PostgresServer#HOST} at a free port between {@value #LOWEST} and
     * {@value #HIGHEST}, chosen at random so parallel JVMs rarely meet.
     *
     * @throws UncheckedIOException if 200 random ports were all taken
     */
    public static ServerSocket listen(int backlog) {
        IOException last = null;
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = LOWEST + RANDOM.nextInt(HIGHEST - LOWEST + 1);
            ServerSocket socket = null;
            try {
                socket = new ServerSocket();
                socket.bind(new InetSocketAddress(InetAddress.getByName(PostgresServer.HOST), candidate), backlog);
                return socket;
            } catch (IOException e) {
                last = e;
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // nothing was bound
                    }
                }
            }
        }
        throw new UncheckedIOException("Cannot find a free TCP port on " + PostgresServer.HOST + " between " + LOWEST
                + " and " + HIGHEST, last);
    }

    /** A port that was free a moment ago, for a program that binds it itself (a server, a closed port to refuse). */
    public static int free() {
        try (ServerSocket socket = listen(1)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
