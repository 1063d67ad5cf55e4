package dev.pgmigrate.cli;

import dev.pgmigrate.api.ServerSpec;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Checks that a server answers on its TCP port before a migration is created, so an unreachable server ends
 * the command with exit code 69 and leaves nothing behind. It opens a socket and closes it: no login.
 */
final class Reachability {
    private Reachability() {
    }

    /** @param givenIn where the server was given, such as {@code --source}: the place its fix names */
    static void require(String role, ServerSpec server, String givenIn, Duration timeout) {
        String where = server.connectHost() + ":" + server.port();
        int millis = (int) Math.min(Math.max(timeout.toMillis(), 1000), 15_000);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.connectHost(), server.port()), millis);
        } catch (UnknownHostException e) {
            throw unreachable(role, where, "the host name '" + server.connectHost() + "' is unknown. Check the "
                    + role + " server's host in " + givenIn + ", or give its IP address there.", e);
        } catch (ConnectException e) {
            throw unreachable(role, where, "the connection was refused: nothing listens there. Check the " + role
                    + " server's port, that PostgreSQL runs, and that its listen_addresses includes this address.", e);
        } catch (SocketTimeoutException e) {
            throw unreachable(role, where, "no answer within " + millis / 1000 + " s. Check the host, the firewall "
                    + "or security group, or raise settings.connectTimeoutSeconds.", e);
        } catch (NoRouteToHostException e) {
            throw unreachable(role, where, "there is no route to that host. Check the address and the network.", e);
        } catch (IOException e) {
            throw unreachable(role, where, e.getMessage() + ". Check the host and port in " + givenIn + ".", e);
        }
    }

    private static CliException unreachable(String role, String where, String why, Exception cause) {
        return new CliException(ExitCodes.UNAVAILABLE, "Cannot reach the " + role + " server at " + where + ": " + why
                + " No migration was created.", cause);
    }
}
