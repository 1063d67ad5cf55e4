package dev.pgmigrate.embedded;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.embedded.internal.OsUser;
import dev.pgmigrate.embedded.internal.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server process of one {@link PostgresServer}: started with {@code pg_ctl} on a free port from
 * {@link LocalPorts}, awaited until it accepts connections, stopped. Owns the port and whether the process runs;
 * its owner serializes {@link #start()} and {@link #stop(Shutdown)}.
 */
final class Postmaster {
    /** How {@code pg_ctl stop} ends the server. */
    enum Shutdown {
        /** Waits for a clean shutdown ({@code -m fast}): sessions are ended, the data is checkpointed. */
        FAST("fast"),
        /** Ends every process at once ({@code -m immediate}); the next start recovers. */
        IMMEDIATE("immediate");

        private final String mode;

        Shutdown(String mode) {
            this.mode = mode;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Postmaster.class);

    private final PostgresBinaries binaries;
    private final ServerFiles files;
    private final Secret superuserPassword;
    private volatile int port;
    private volatile boolean running;

    Postmaster(PostgresBinaries binaries, ServerFiles files, Secret superuserPassword) {
        this.binaries = binaries;
        this.files = files;
        this.superuserPassword = superuserPassword;
    }

    /** The port of the last start; 0 before the first. */
    int port() {
        return port;
    }

    boolean isRunning() {
        return running;
    }

    /**
     * Starts the server on a free port, retrying on another port when one is taken before PostgreSQL binds it.
     *
     * @throws IllegalStateException if it failed, was not ready within a minute, or found no free port in 5
     *     attempts; the message holds the end of its log
     */
    void start() {
        for (int attempt = 0; attempt < 5; attempt++) {
            int candidate = LocalPorts.free();
            try {
                Files.writeString(files.data().resolve("postgresql.conf"), "port = " + candidate + "\n",
                        StandardOpenOption.APPEND);
                long logOffset = Files.size(files.logFile());
                // -W: pg_ctl of 9.6 polls once a second; polling here is much quicker.
                Processes.run(OsUser.asServerUser(List.of(binaries.program("pg_ctl").toString(),
                        "-D", files.data().toString(), "-l", files.logFile().toString(), "-W", "start")),
                        Optional.of(files.directory()));
                if (awaitReady(candidate, logOffset)) {
                    port = candidate;
                    running = true;
                    return;
                }
                log.debug("Port {} was taken before PostgreSQL bound it; trying another", candidate);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start PostgreSQL in " + files.data(), e);
            }
        }
        throw new IllegalStateException("PostgreSQL " + binaries.version() + " found no free port in 5 attempts. "
                + "Its log says:\n" + files.logTail());
    }

    /** Stops the server with {@code pg_ctl stop} and waits up to 10 s more for the postmaster to exit. */
    void stop(Shutdown shutdown) {
        Optional<Long> postmaster = pid();
        long start = System.nanoTime();
        // -W and our own wait: pg_ctl of 9.6 polls once a second.
        Processes.run(OsUser.asServerUser(List.of(binaries.program("pg_ctl").toString(), "-D",
                files.data().toString(), "-m", shutdown.mode, "-W", "stop")), Optional.of(files.directory()));
        waitForExit(postmaster);
        running = false;
        if (postmaster.isPresent() && Processes.isRunning(postmaster.get())) {
            log.warn("Postmaster {} of {} still runs 10 s after pg_ctl stopped it", postmaster.get(),
                    files.directory());
        }
        log.debug("Stopped the server in {} ({} mode) in {} ms", files.directory(), shutdown.mode,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Stops the server at once if it runs, and kills the postmaster if {@code pg_ctl} cannot; never throws. */
    void stopNow() {
        try {
            if (running) {
                stop(Shutdown.IMMEDIATE);
            }
        } catch (RuntimeException e) {
            log.warn("pg_ctl could not stop the server in {}; killing it", files.directory(), e);
            pid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
            running = false;
        }
    }

    /** The postmaster's process id from {@code postmaster.pid}, or empty when the server does not run. */
    Optional<Long> pid() {
        try {
            Path pidFile = files.data().resolve("postmaster.pid");
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Waits until the server accepts connections: {@code postmaster.pid} says {@code ready} (10 and later), or a
     * TCP connection succeeds (9.6).
     *
     * @return false if the port was taken, after the postmaster exited
     * @throws IllegalStateException if the server failed or did not get ready within a minute
     */
    private boolean awaitReady(int candidate, long logOffset) throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        Path pidFile = files.data().resolve("postmaster.pid");
        boolean statusLine = binaries.majorVersionNum() >= 100000;
        while (System.nanoTime() < deadline) {
            String logText = files.readLogFrom(logOffset);
            if (logText.contains("could not bind") || logText.contains("already in use")) {
                waitForExit(pid());
                return false;
            }
            Optional<Long> pid = pid();
            if ((logText.contains("FATAL:") || logText.contains("PANIC:"))
                    && (pid.isEmpty() || !Processes.isRunning(pid.get()))) {
                waitForExit(pid);
                if (!Files.isRegularFile(pidFile)) {
                    throw new IllegalStateException("PostgreSQL " + binaries.version() + " did not start in "
                            + files.directory() + ". Its log says:\n" + ServerFiles.tail(logText));
                }
            }
            if (Files.isRegularFile(pidFile)) {
                List<String> lines = readLines(pidFile);
                if (statusLine ? lines.size() >= 8 && lines.get(7).trim().equals("ready") : answers(candidate)) {
                    return true;
                }
            }
            try {
                Thread.sleep(15);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while PostgreSQL " + binaries.version() + " started", e);
            }
        }
        throw new IllegalStateException("PostgreSQL " + binaries.version() + " in " + files.directory() + " was not "
                + "ready within a minute. Its log says:\n" + files.logTail());
    }

    /** Whether a 9.6 server on {@code candidate} answers a login with anything but "starting up". */
    private boolean answers(int candidate) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(PostgresServer.HOST, candidate), 200);
        } catch (IOException e) {
            return false;
        }
        Properties props = new Properties();
        props.setProperty("user", PostgresServer.SUPERUSER);
        props.setProperty("password", superuserPassword.reveal());
        props.setProperty("connectTimeout", "5");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + PostgresServer.HOST + ":" + candidate
                + "/postgres?sslmode=disable", props)) {
            return true;
        } catch (SQLException e) {
            // A wrong password (the first start still has the template's) proves the server is up.
            return !"57P03".equals(e.getSQLState()) && !"08001".equals(e.getSQLState());
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of(); // being written or removed; the next poll sees it
        }
    }

    private static void waitForExit(Optional<Long> pid) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (pid.isPresent() && Processes.isRunning(pid.get()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
