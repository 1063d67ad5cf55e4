package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.embedded.internal.Processes;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL servers in Docker containers (the official {@code postgres} images), used only where a Docker engine
 * answers; tests call {@link #available()} in an assumption and are skipped elsewhere. Uses the {@code docker}
 * command, so the testkit needs no Docker client library.
 *
 * <pre>{@code
 * assumeTrue(DockerServers.available(), "no Docker engine");
 * try (DockerServers.Container pg = DockerServers.start("postgres:17")) { ... }
 * }</pre>
 *
 * @since 0.1
 */
@Experimental
public final class DockerServers {
    private static volatile Boolean available;

    private DockerServers() {
    }

    /**
     * Whether a Docker engine answers {@code GET /_ping} on its Unix socket ({@code DOCKER_HOST=unix://...}, else
     * {@code /var/run/docker.sock}) within two seconds and the {@code docker} command exists. Asked once per JVM.
     */
    public static boolean available() {
        Boolean known = available;
        if (known == null) {
            known = ping() && dockerCommand().isPresent();
            available = known;
        }
        return known;
    }

    private static boolean ping() {
        String dockerHost = System.getenv("DOCKER_HOST");
        Path socket = dockerHost != null && dockerHost.startsWith("unix://")
                ? Path.of(dockerHost.substring("unix://".length())) : Path.of("/var/run/docker.sock");
        if (!Files.exists(socket)) {
            return false;
        }
        CompletableFuture<Boolean> answer = CompletableFuture.supplyAsync(() -> {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer buffer = ByteBuffer.allocate(512);
                channel.read(buffer);
                return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).contains(" 200 ");
            } catch (IOException e) {
                return false;
            }
        });
        try {
            return answer.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            answer.cancel(true);
            return false;
        }
    }

    private static Optional<Path> dockerCommand() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "docker");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts a container of {@code image} (such as {@code "postgres:17"}) publishing PostgreSQL on a free loopback
     * port, and waits until it accepts connections, at most two minutes.
     *
     * @throws IllegalStateException if no Docker engine answers or the container does not become ready
     */
    public static Container start(String image) {
        requireNonNull(image, "image must not be null");
        if (!available()) {
            throw new IllegalStateException("No Docker engine answers; guard the test with "
                    + "assumeTrue(DockerServers.available())");
        }
        String password = TestDatabases.unique("pw");
        String docker = dockerCommand().orElseThrow().toString();
        String id = Processes.run(List.of(docker, "run", "-d", "--rm", "-e", "POSTGRES_PASSWORD=" + password,
                "-p", "127.0.0.1::5432", image), Optional.empty()).trim();
        id = id.lines().reduce((a, b) -> b).orElse(id);
        Container container = null;
        try {
            String mapping = Processes.run(List.of(docker, "port", id, "5432/tcp"), Optional.empty());
            Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(mapping);
            if (!m.find()) {
                throw new IllegalStateException("docker port gave no loopback mapping: " + mapping);
            }
            container = new Container(docker, id, ExternalServer.parse("postgresql://postgres:" + password
                    + "@127.0.0.1:" + m.group(1) + "?sslmode=disable"));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (true) {
                try (var c = container.server().connect("postgres")) {
                    return container;
                } catch (java.sql.SQLException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Container " + id + " of " + image + " did not accept "
                                + "connections within two minutes", e);
                    }
                    Thread.sleep(250);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting " + image, e);
        } catch (RuntimeException e) {
            Processes.run(List.of(docker, "rm", "-f", id), Optional.empty());
            throw e;
        }
    }

    /**
     * A running container; {@link #close()} removes it.
     *
     * @param docker the docker command
     * @param id the container id
     * @param server how to reach PostgreSQL in it, as {@code postgres}
     * @since 0.1
     */
    public record Container(String docker, String id, ExternalServer server) implements AutoCloseable {
        public Container {
            requireNonNull(docker, "docker must not be null");
            requireNonNull(id, "id must not be null");
            requireNonNull(server, "server must not be null");
        }

        /** Removes the container ({@code docker rm -f}). */
        @Override
        public void close() {
            Processes.run(List.of(docker, "rm", "-f", id), Optional.empty());
        }
    }
}
