package dev.pgmigrate.embedded;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.embedded.internal.Archives;
import dev.pgmigrate.embedded.internal.FileTrees;
import dev.pgmigrate.embedded.internal.OsUser;
import dev.pgmigrate.embedded.internal.Processes;
import dev.pgmigrate.embedded.internal.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one server: a directory under {@link PostgresServer#tempBase()} named {@code <pid>-<n>-<hex>}
 * after the JVM that owns it (also written to {@code owner.pid}), holding {@code data}, {@code sockets},
 * {@code postgres.log} and {@code bin.path}; and the removal of such directories whose JVM is gone.
 */
final class ServerFiles {
    private static final Logger log = LoggerFactory.getLogger(ServerFiles.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SERVER_DIRECTORY = Pattern.compile("\\d+-\\d+-[0-9a-f]+");
    private static final Map<String, String> TEST_SETTINGS = testSettings();

    private final Path directory;

    private ServerFiles(Path directory) {
        this.directory = directory;
    }

    /** As {@link PostgresServer#tempBase()} documents. */
    static Path tempBase() {
        String configured = System.getProperty(PostgresServer.TEMP_BASE_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(PostgresServer.TEMP_BASE_ENV);
        }
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("java.io.tmpdir"), "pgmigrate-testkit").toAbsolutePath();
        }
        return Path.of(configured).toAbsolutePath();
    }

    /** A new, empty server directory owned by this JVM, which the server user can reach. */
    static ServerFiles create() {
        try {
            Path base = tempBase();
            Archives.createTraversable(base);
            if (OsUser.isRoot() && !Files.getPosixFilePermissions(base).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                // The server user must reach its directory through this one (mktemp -d makes 700).
                Set<PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(base));
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(base, perms);
            }
            Path dir = base.resolve(ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-"
                    + Integer.toHexString(RANDOM.nextInt(1 << 16)));
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
            return new ServerFiles(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a server directory under " + tempBase() + ": "
                    + e.getMessage() + ". Set -D" + PostgresServer.TEMP_BASE_PROPERTY + " to a writable directory.", e);
        }
    }

    /**
     * Fills the directory: a copy of the {@link InitdbTemplate} of {@code binaries} as the data directory, and the
     * testkit's settings, then {@code settings}, appended to its {@code postgresql.conf}.
     *
     * @return the superuser's password in the copy, until the server gets its own
     */
    Secret prepare(PostgresBinaries binaries, Map<String, String> settings) {
        try {
            Files.createDirectory(sockets());
            Files.writeString(directory.resolve("bin.path"), binaries.binDirectory().toString());
            Files.createFile(logFile());
            Files.setPosixFilePermissions(sockets(), PosixFilePermissions.fromString("rwx------"));
            Optional<String> user = OsUser.serverUser();
            if (user.isPresent()) {
                FileTrees.chown(directory, user.get());
            }
            InitdbTemplate template = InitdbTemplate.of(binaries);
            Secret templatePassword = template.superuserPassword();
            // cp -a keeps the server user as owner and the 700 mode PostgreSQL insists on.
            Processes.run(List.of("cp", "-a", template.data().toString(), data().toString()), Optional.empty());
            StringBuilder conf = new StringBuilder("\n# pgmigrate testkit\n");
            Map<String, String> all = new LinkedHashMap<>(TEST_SETTINGS);
            if (binaries.majorVersionNum() >= 110000) {
                all.put("jit", "off");
            }
            if (binaries.usesScram()) {
                all.put("password_encryption", "scram-sha-256");
            }
            all.put("listen_addresses", PostgresServer.HOST);
            all.put("unix_socket_directories", sockets().toString());
            all.putAll(settings);
            all.forEach((k, v) -> conf.append(k).append(" = ").append(Sql.quoteLiteral(v)).append('\n'));
            Files.writeString(data().resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
            return templatePassword;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare a PostgreSQL " + binaries.version() + " data directory in "
                    + directory + ": " + e.getMessage(), e);
        }
    }

    Path directory() {
        return directory;
    }

    Path data() {
        return directory.resolve("data");
    }

    Path sockets() {
        return directory.resolve("sockets");
    }

    Path logFile() {
        return directory.resolve("postgres.log");
    }

    /** The log's last 30 lines, for failure messages. */
    String logTail() {
        return tail(readLog());
    }

    /** The log from byte {@code offset} on (at most 1 MiB); empty when there is nothing new or it cannot be read. */
    String readLogFrom(long offset) {
        try (FileChannel channel = FileChannel.open(logFile())) {
            long size = channel.size();
            if (size <= offset) {
                return "";
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size - offset, 1 << 20));
            channel.read(buffer, offset);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last 30 lines of {@code text}. */
    static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** Deletes the directory and everything in it; a failure is logged as a warning. */
    void deleteQuietly() {
        try {
            FileTrees.delete(directory);
        } catch (IOException e) {
            log.warn("Cannot delete {}", directory, e);
        }
    }

    private String readLog() {
        try {
            return Files.readString(logFile());
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e.getMessage() + ")";
        }
    }

    /** As {@link PostgresServer#reapOrphans()} documents. */
    static int reapOrphans() {
        Path base = tempBase();
        if (!Files.isDirectory(base)) {
            return 0;
        }
        int reaped = 0;
        try (var dirs = Files.list(base)) {
            for (Path dir : dirs.toList()) {
                if (reapIfOrphan(dir)) {
                    reaped++;
                }
            }
        } catch (IOException e) {
            log.warn("Cannot list {} to stop servers of dead JVMs", base, e);
        }
        return reaped;
    }

    private static boolean reapIfOrphan(Path dir) {
        if (!SERVER_DIRECTORY.matcher(dir.getFileName().toString()).matches() || !Files.isDirectory(dir)) {
            return false; // not a server's directory
        }
        Path ownerFile = dir.resolve("owner.pid");
        try {
            if (!Files.isRegularFile(ownerFile)) {
                // A JVM that died between creating the directory and writing its pid; give it a minute.
                long age = System.currentTimeMillis() - Files.getLastModifiedTime(dir).toMillis();
                if (age < 60_000 || !Files.isDirectory(dir)) {
                    return false;
                }
            } else {
                long owner = Long.parseLong(Files.readString(ownerFile).trim());
                if (Processes.isRunning(owner)) {
                    return false;
                }
            }
            Path data = dir.resolve("data");
            Path pidFile = data.resolve("postmaster.pid");
            if (Files.isRegularFile(pidFile)) {
                long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                Optional<ProcessHandle> handle = ProcessHandle.of(postmaster);
                if (Processes.isRunning(postmaster)) {
                    Path binFile = dir.resolve("bin.path");
                    try {
                        Path pgCtl = Path.of(Files.readString(binFile).trim()).resolve("pg_ctl");
                        Processes.run(OsUser.asServerUser(List.of(pgCtl.toString(), "-D", data.toString(),
                                "-m", "immediate", "-w", "stop")), Optional.empty());
                    } catch (RuntimeException | IOException e) {
                        log.debug("pg_ctl could not stop orphan postmaster {}; killing it", postmaster, e);
                        handle.get().destroyForcibly();
                    }
                }
            }
            FileTrees.delete(dir);
            log.info("Removed the server directory {} of a JVM that is gone", dir);
            return true;
        } catch (IOException | RuntimeException e) {
            // Another JVM may be reaping the same directory, or it is not ours to delete; leave it.
            log.debug("Cannot reap {}", dir, e);
            return false;
        }
    }

    private static Map<String, String> testSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("fsync", "off");
        s.put("synchronous_commit", "off");
        s.put("full_page_writes", "off");
        s.put("max_connections", "200");
        s.put("shared_buffers", "64MB");
        s.put("max_wal_size", "1GB");
        s.put("log_min_messages", "warning");
        s.put("log_line_prefix", "%m [%p] %q%u@%d ");
        return Map.copyOf(s);
    }
}
