package dev.pgmigrate.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers this JVM has open: each {@link PostgresServer} starts here, the shared ones are kept by
 * configuration, and a shutdown hook closes whatever is still open when the JVM exits. The first start in a JVM
 * also stops the servers of JVMs that died ({@link ServerFiles#reapOrphans()}).
 */
final class OpenServers {
    // Under PostgresServer's name: a server's start is the line people look for, as it always was.
    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static final Set<PostgresServer> OPEN = ConcurrentHashMap.newKeySet();
    private static final Map<String, PostgresServer> SHARED = new ConcurrentHashMap<>();
    private static final AtomicBoolean STARTED_ONCE = new AtomicBoolean();

    private OpenServers() {
    }

    /**
     * Starts a server: its directory, its data directory, its process and its logins. Blocks until it accepts
     * connections; a server that fails half-way is closed before the exception leaves.
     */
    static PostgresServer start(PostgresBinaries binaries, ServerProfile profile, Map<String, String> settings) {
        if (STARTED_ONCE.compareAndSet(false, true)) {
            registerShutdownHook();
            int reaped = ServerFiles.reapOrphans();
            if (reaped > 0) {
                log.info("Cleaned up {} servers left by JVMs that died", reaped);
            }
        }
        long start = System.nanoTime();
        ServerFiles files = ServerFiles.create();
        PostgresServer server = new PostgresServer(binaries, profile, files);
        OPEN.add(server);
        try {
            server.boot(settings);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.info("Started {} in {} ms; files in {}", server, (System.nanoTime() - start) / 1_000_000,
                files.directory());
        return server;
    }

    /** The shared server of {@code key}, started with {@code starter} on first use; never closed before exit. */
    static PostgresServer shared(String key, Supplier<PostgresServer> starter) {
        return SHARED.computeIfAbsent(key, k -> {
            PostgresServer started = starter.get();
            started.markShared();
            return started;
        });
    }

    /** Called once {@code server} is closed. */
    static void forget(PostgresServer server) {
        OPEN.remove(server);
    }

    private static void registerShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<Thread> closers = new ArrayList<>();
            for (PostgresServer server : List.copyOf(OPEN)) {
                Thread t = new Thread(server::closeNow, "pgmigrate-testkit-close");
                closers.add(t);
                t.start();
            }
            for (Thread t : closers) {
                try {
                    t.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "pgmigrate-testkit-shutdown"));
    }
}
