package dev.pgmigrate.embedded;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.embedded.internal.Archives;
import dev.pgmigrate.embedded.internal.FileTrees;
import dev.pgmigrate.embedded.internal.OsUser;
import dev.pgmigrate.embedded.internal.Processes;
import dev.pgmigrate.embedded.internal.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started for tests: loopback only, a free port, its own data directory and socket
 * directory, settings for speed rather than durability.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.builder().version("17").profile(ServerProfile.MANAGED)
 *         .setting("work_mem", "8MB").start()) {
 *     pg.createDatabase("shop");
 *     pg.execute("shop", "CREATE TABLE t (id int PRIMARY KEY)");
 * }
 * }</pre>
 *
 * <p>When the JVM runs as root the server programs run as an unprivileged user (system property
 * {@value OsUser#PROPERTY}, default {@code nobody}), because PostgreSQL refuses root. Files live under
 * {@link #tempBase()}. {@link #close()} stops the server and deletes its files; a JVM shutdown hook closes every
 * server still open, and the first start in a JVM stops servers left behind by JVMs that died
 * ({@link #reapOrphans()}).
 *
 * <p>The superuser is {@value #SUPERUSER}; the admin login handed to the product under test depends on the
 * {@link ServerProfile}. Both have random passwords; TCP logins use {@code scram-sha-256} ({@code md5} on 9.6).
 * Instances are thread-safe.
 *
 * @since 0.1
 */
@Experimental
public final class PostgresServer implements TestServer, AutoCloseable {
    /** System property naming the directory servers keep their files in. */
    public static final String TEMP_BASE_PROPERTY = "pgmigrate.testkit.dir";
    /** Environment variable naming that directory when the system property is not set. */
    public static final String TEMP_BASE_ENV = "PGMIGRATE_TESTKIT_DIR";
    /** The superuser every server has. */
    public static final String SUPERUSER = "postgres";
    /** The admin login of a {@link ServerProfile#MANAGED} server. */
    public static final String MANAGED_ADMIN = "pgadmin";
    /** The address servers listen on. */
    public static final String HOST = "127.0.0.1";

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static final Set<PostgresServer> OPEN = ConcurrentHashMap.newKeySet();
    private static final Map<String, PostgresServer> SHARED = new ConcurrentHashMap<>();
    private static final AtomicBoolean STARTED_ONCE = new AtomicBoolean();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<String, String> TEST_SETTINGS = testSettings();
    private static final String TEMPLATES = "templates";
    private static final java.util.regex.Pattern SERVER_DIRECTORY =
            java.util.regex.Pattern.compile("\\d+-\\d+-[0-9a-f]+");

    private final PostgresBinaries binaries;
    private final ServerProfile profile;
    private final Path directory;
    private final Secret superuserPassword;
    private final Secret adminPassword;
    private final Object lifecycle = new Object();
    private volatile boolean shared;
    private volatile int port;
    private volatile boolean running;
    private volatile boolean closed;
    private int versionNum;
    private String version;
    private Secret templatePassword;

    private PostgresServer(PostgresBinaries binaries, ServerProfile profile, Path directory) {
        this.binaries = binaries;
        this.profile = profile;
        this.directory = directory;
        this.superuserPassword = Secret.of(randomPassword());
        this.adminPassword = profile == ServerProfile.SUPERUSER ? superuserPassword : Secret.of(randomPassword());
    }

    /** A new builder: the {@link ServerProfile#SUPERUSER} profile, no version yet. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a server of {@code version} with the {@link ServerProfile#SUPERUSER} profile; blocks until it
     * accepts connections.
     *
     * @param version a major such as {@code "17"} or a full version, as {@link PostgresBinaries#of(String)} takes
     */
    public static PostgresServer start(String version) {
        return builder().version(version).start();
    }

    /**
     * The directory servers keep their data, sockets and logs in: the system property
     * {@value #TEMP_BASE_PROPERTY}, else the environment variable {@value #TEMP_BASE_ENV}, else
     * {@code ${java.io.tmpdir}/pgmigrate-testkit}. Every server's command line names it, so
     * {@code pgrep -f <tempBase>} finds stray servers.
     */
    public static Path tempBase() {
        String configured = System.getProperty(TEMP_BASE_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(TEMP_BASE_ENV);
        }
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("java.io.tmpdir"), "pgmigrate-testkit").toAbsolutePath();
        }
        return Path.of(configured).toAbsolutePath();
    }

    /**
     * Stops servers under {@link #tempBase()} whose JVM has died, and deletes their files. Called once per JVM
     * by the first {@link Builder#start()}.
     *
     * @return how many servers' directories were removed
     */
    public static int reapOrphans() {
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

    // ------------------------------------------------------------------ lifecycle

    /**
     * A data directory fresh from {@code initdb} for these binaries, made once and shared by every server and JVM
     * (copying it is much faster than {@code initdb}), with the superuser password it was made with.
     */
    private static Path template(PostgresBinaries binaries) {
        String key = binaries.version() + "-" + Integer.toHexString(binaries.binDirectory().toString().hashCode())
                + "-" + OsUser.serverUser().orElse("self");
        // Beside the binaries, not under tempBase(): nothing there reaps it, and it outlives the servers.
        Path target = PostgresBinaries.defaultCache().resolve(TEMPLATES).resolve(key);
        Path template = buildTemplate(binaries, target);
        if (!Files.isRegularFile(template.resolve("superuser.password"))
                || !Files.isRegularFile(template.resolve("data").resolve("PG_VERSION"))) {
            log.warn("The initdb template {} is incomplete; making it again", template);
            try {
                FileTrees.delete(template);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete the incomplete template " + template, e);
            }
            template = buildTemplate(binaries, target);
        }
        return template;
    }

    private static Path buildTemplate(PostgresBinaries binaries, Path target) {
        return Archives.buildOnce(target, temp -> {
            long start = System.nanoTime();
            Path data = temp.resolve("data");
            Files.createDirectory(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            Path pwfile = temp.resolve("pwfile");
            Path password = temp.resolve("superuser.password");
            String secret = randomPassword();
            Files.writeString(password, secret);
            Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(pwfile, secret + "\n");
            Optional<String> user = OsUser.serverUser();
            if (user.isPresent()) {
                FileTrees.chown(data, user.get());
                FileTrees.chown(pwfile, user.get());
            }
            boolean scram = binaries.majorVersionNum() >= 100000;
            List<String> initdb = new ArrayList<>(List.of(binaries.program("initdb").toString(),
                    "-D", data.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile, "-E", "UTF8",
                    "--auth-local=trust", "--auth-host=" + (scram ? "scram-sha-256" : "md5"), "-N"));
            try {
                List<String> withLocale = new ArrayList<>(initdb);
                withLocale.add("--locale=C.UTF-8");
                Processes.run(OsUser.asServerUser(withLocale), Optional.of(temp));
            } catch (IllegalStateException e) {
                // Old servers may not know C.UTF-8; C is always there.
                log.debug("initdb with C.UTF-8 failed for {}; retrying with locale C", binaries, e);
                FileTrees.delete(data);
                Files.createDirectory(data);
                Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
                if (user.isPresent()) {
                    FileTrees.chown(data, user.get());
                }
                initdb.add("--locale=C");
                Processes.run(OsUser.asServerUser(initdb), Optional.of(temp));
            }
            Files.delete(pwfile);
            log.debug("Made the initdb template of {} in {} ms", binaries, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private void initialize(Map<String, String> settings) {
        try {
            Path data = dataDirectory();
            Path sockets = socketDirectory();
            Files.createDirectory(sockets);
            Files.writeString(directory.resolve("bin.path"), binaries.binDirectory().toString());
            Files.createFile(logFile());
            Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwx------"));
            Optional<String> user = OsUser.serverUser();
            if (user.isPresent()) {
                FileTrees.chown(directory, user.get());
            }
            Path template = template(binaries);
            templatePassword = Secret.of(Files.readString(template.resolve("superuser.password")).trim());
            // cp -a keeps the server user as owner and the 700 mode PostgreSQL insists on.
            Processes.run(List.of("cp", "-a", template.resolve("data").toString(), data.toString()),
                    Optional.empty());
            boolean scram = binaries.majorVersionNum() >= 100000;
            StringBuilder conf = new StringBuilder("\n# pgmigrate testkit\n");
            Map<String, String> all = new LinkedHashMap<>(TEST_SETTINGS);
            if (binaries.majorVersionNum() >= 110000) {
                all.put("jit", "off");
            }
            if (scram) {
                all.put("password_encryption", "scram-sha-256");
            }
            all.put("listen_addresses", HOST);
            all.put("unix_socket_directories", sockets.toString());
            all.putAll(settings);
            all.forEach((k, v) -> conf.append(k).append(" = ").append(Sql.quoteLiteral(v)).append('\n'));
            Files.writeString(data.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare a PostgreSQL " + binaries.version() + " data directory in "
                    + directory + ": " + e.getMessage(), e);
        }
    }

    private void startProcess() {
        for (int attempt = 0; attempt < 5; attempt++) {
            int candidate = freePort();
            try {
                Files.writeString(dataDirectory().resolve("postgresql.conf"), "port = " + candidate + "\n",
                        StandardOpenOption.APPEND);
                long logOffset = Files.size(logFile());
                // -W: pg_ctl of 9.6 polls once a second; polling here is much quicker.
                Processes.run(OsUser.asServerUser(List.of(binaries.program("pg_ctl").toString(),
                        "-D", dataDirectory().toString(), "-l", logFile().toString(), "-W", "start")),
                        Optional.of(directory));
                if (awaitReady(candidate, logOffset)) {
                    port = candidate;
                    running = true;
                    return;
                }
                log.debug("Port {} was taken before PostgreSQL bound it; trying another", candidate);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start PostgreSQL in " + dataDirectory(), e);
            }
        }
        throw new IllegalStateException("PostgreSQL " + binaries.version() + " found no free port in 5 attempts. "
                + "Its log says:\n" + logTail());
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
        Path pidFile = dataDirectory().resolve("postmaster.pid");
        boolean statusLine = binaries.majorVersionNum() >= 100000;
        while (System.nanoTime() < deadline) {
            String logText = readLogFrom(logOffset);
            if (logText.contains("could not bind") || logText.contains("already in use")) {
                waitForExit(postmasterPid());
                return false;
            }
            Optional<Long> pid = postmasterPid();
            if ((logText.contains("FATAL:") || logText.contains("PANIC:"))
                    && (pid.isEmpty() || !Processes.isRunning(pid.get()))) {
                waitForExit(pid);
                if (!Files.isRegularFile(pidFile)) {
                    throw new IllegalStateException("PostgreSQL " + binaries.version() + " did not start in "
                            + directory + ". Its log says:\n" + tail(logText));
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
        throw new IllegalStateException("PostgreSQL " + binaries.version() + " in " + directory + " was not ready "
                + "within a minute. Its log says:\n" + logTail());
    }

    /** Whether a 9.6 server on {@code candidate} answers a login with anything but "starting up". */
    private boolean answers(int candidate) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(HOST, candidate), 200);
        } catch (IOException e) {
            return false;
        }
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", superuserPassword.reveal());
        props.setProperty("connectTimeout", "5");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + candidate
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

    private String readLogFrom(long offset) {
        try (var channel = java.nio.channels.FileChannel.open(logFile())) {
            long size = channel.size();
            if (size <= offset) {
                return "";
            }
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(size - offset, 1 << 20));
            channel.read(buffer, offset);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
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

    private void afterStart() {
        try (Connection c = connect("postgres", SUPERUSER, templatePassword);
                java.sql.Statement st = c.createStatement()) {
            // The copied template knows its own password; give this server a fresh one.
            st.execute("SET password_encryption = '" + (binaries.majorVersionNum() >= 100000 ? "scram-sha-256" : "on")
                    + "'");
            st.execute("ALTER ROLE " + SUPERUSER + " PASSWORD " + Sql.quoteLiteral(superuserPassword.reveal()));
        } catch (SQLException e) {
            throw Sql.failure("set the superuser password of " + this, e);
        }
        List<String> facts = Sql.query(() -> connect("postgres"), "postgres",
                "SELECT current_setting('server_version_num'), current_setting('server_version')").get(0);
        versionNum = Integer.parseInt(facts.get(0));
        version = facts.get(1);
        if (profile == ServerProfile.MANAGED) {
            execute("postgres",
                    "SET password_encryption = '" + (versionNum >= 100000 ? "scram-sha-256" : "on") + "'",
                    "CREATE ROLE " + MANAGED_ADMIN + " LOGIN CREATEDB CREATEROLE PASSWORD "
                            + Sql.quoteLiteral(adminPassword.reveal()),
                    "GRANT pg_signal_backend TO " + MANAGED_ADMIN);
        }
    }

    /**
     * Stops the server, waiting for it to shut down cleanly ({@code pg_ctl stop -m fast}); its files stay, so
     * {@link #restart()} can start it again. Does nothing if it is not running.
     */
    public void stop() {
        synchronized (lifecycle) {
            if (running) {
                pgCtlStop("fast");
            }
        }
    }

    /**
     * Stops the server if it runs and starts it again on a new free port, with the same data.
     *
     * @throws IllegalStateException if it was closed
     */
    public void restart() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("Cannot restart " + this + ": it was closed");
            }
            stop();
            startProcess();
        }
    }

    /** Whether the server process runs. */
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops the server at once ({@code pg_ctl stop -m immediate}) and deletes its directory. Idempotent; never
     * throws: a failure is logged as a warning. Does nothing on a shared server ({@link Builder#startShared()}),
     * which stops when the JVM exits.
     */
    @Override
    public void close() {
        if (shared) {
            log.debug("Not closing {}: it is shared by this JVM's tests and stops when the JVM exits", this);
            return;
        }
        closeNow();
    }

    /** Whether this is a server shared by the JVM, which {@link #close()} leaves running. */
    public boolean isShared() {
        return shared;
    }

    private void closeNow() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            OPEN.remove(this);
            try {
                if (running) {
                    pgCtlStop("immediate");
                }
            } catch (RuntimeException e) {
                log.warn("pg_ctl could not stop the server in {}; killing it", directory, e);
                postmasterPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
                running = false;
            }
            try {
                FileTrees.delete(directory);
            } catch (IOException e) {
                log.warn("Cannot delete {}", directory, e);
            }
        }
    }

    private void pgCtlStop(String mode) {
        Optional<Long> postmaster = postmasterPid();
        long start = System.nanoTime();
        // -W and our own wait: pg_ctl of 9.6 polls once a second.
        Processes.run(OsUser.asServerUser(List.of(binaries.program("pg_ctl").toString(), "-D",
                dataDirectory().toString(), "-m", mode, "-W", "stop")), Optional.of(directory));
        waitForExit(postmaster);
        running = false;
        if (postmaster.isPresent() && Processes.isRunning(postmaster.get())) {
            log.warn("Postmaster {} of {} still runs 10 s after pg_ctl stopped it", postmaster.get(), directory);
        }
        log.debug("Stopped {} ({} mode) in {} ms", this, mode, (System.nanoTime() - start) / 1_000_000);
    }

    /** The postmaster's process id from {@code postmaster.pid}, or empty when the server does not run. */
    public Optional<Long> postmasterPid() {
        try {
            Path pidFile = dataDirectory().resolve("postmaster.pid");
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ facts

    /** Always {@value #HOST}. */
    @Override
    public String host() {
        return HOST;
    }

    /** The TCP port; it changes on {@link #restart()}. */
    @Override
    public int port() {
        return port;
    }

    /** {@code server_version_num}, such as {@code 90624} or {@code 170006}. */
    @Override
    public int versionNum() {
        return versionNum;
    }

    /** {@code server_version}, such as {@code "17.6"}. */
    public String version() {
        return version;
    }

    /** The major, such as {@code "9.6"} or {@code "17"}. */
    @Override
    public String majorLabel() {
        return binaries.majorLabel();
    }

    /** The binaries this server runs. */
    public PostgresBinaries binaries() {
        return binaries;
    }

    /** The profile it was started with. */
    public ServerProfile profile() {
        return profile;
    }

    /** The login the product under test gets: {@value #SUPERUSER} or {@value #MANAGED_ADMIN}. */
    @Override
    public String adminLogin() {
        return profile == ServerProfile.SUPERUSER ? SUPERUSER : MANAGED_ADMIN;
    }

    /** The admin login's password. */
    public Secret adminPassword() {
        return adminPassword;
    }

    /** The password of {@value #SUPERUSER}. */
    public Secret superuserPassword() {
        return superuserPassword;
    }

    /** How to reach this server as its admin login, without TLS, as an on-premises server. */
    @Override
    public ServerSpec serverSpec() {
        return serverSpec(SourceServerType.ON_PREMISES);
    }

    /** How to reach this server as its admin login, without TLS, claiming it is a server of {@code type}. */
    public ServerSpec serverSpec(SourceServerType type) {
        requireNonNull(type, "type must not be null");
        return ServerSpec.builder().host(HOST).port(port).adminLogin(adminLogin()).password(adminPassword)
                .sslMode(SslMode.DISABLE).type(type).build();
    }

    /** How to reach this server as {@value #SUPERUSER}, without TLS. */
    public ServerSpec superuserSpec() {
        return ServerSpec.builder().host(HOST).port(port).adminLogin(SUPERUSER).password(superuserPassword)
                .sslMode(SslMode.DISABLE).type(SourceServerType.ON_PREMISES).build();
    }

    /** The server's own directory, holding {@code data}, {@code sockets} and {@code postgres.log}. */
    public Path directory() {
        return directory;
    }

    /** The data directory. */
    public Path dataDirectory() {
        return directory.resolve("data");
    }

    /** The directory of the server's Unix-domain socket. */
    public Path socketDirectory() {
        return directory.resolve("sockets");
    }

    /** The directory of {@code initdb}, {@code pg_ctl} and {@code postgres}. */
    public Path binDirectory() {
        return binaries.binDirectory();
    }

    /** The server's log file. */
    public Path logFile() {
        return directory.resolve("postgres.log");
    }

    /** The log's last lines, for failure messages. */
    public String logTail() {
        return tail(readLog());
    }

    // ------------------------------------------------------------------ SQL

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>?sslmode=disable}; holds no credentials. */
    public String jdbcUrl(String database) {
        requireNonNull(database, "database must not be null");
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + "?sslmode=disable";
    }

    /** A new connection to {@code database} as {@value #SUPERUSER}; the caller closes it. */
    @Override
    public Connection connect(String database) throws SQLException {
        return connect(database, SUPERUSER, superuserPassword);
    }

    /** A new connection to {@code database} as the admin login; the caller closes it. */
    @Override
    public Connection connectAsAdmin(String database) throws SQLException {
        return connect(database, adminLogin(), adminPassword);
    }

    /** A new connection to {@code database} as {@code login}; the caller closes it. */
    public Connection connect(String database, String login, Secret password) throws SQLException {
        requireNonNull(login, "login must not be null");
        requireNonNull(password, "password must not be null");
        Properties props = new Properties();
        props.setProperty("user", login);
        props.setProperty("password", password.reveal());
        props.setProperty("ApplicationName", "pgmigrate-testkit");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /** Never shows a password. */
    @Override
    public String toString() {
        return "PostgreSQL " + (version != null ? version : binaries.version()) + " at " + HOST + ":" + port + " ("
                + profile.label() + ", admin " + adminLogin() + ")";
    }

    // ------------------------------------------------------------------ helpers

    private String readLog() {
        try {
            return Files.readString(logFile());
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e.getMessage() + ")";
        }
    }

    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static int freePort() {
        return LocalPorts.free();
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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

    /**
     * Configures and starts a {@link PostgresServer}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private String version;
        private PostgresBinaries binaries;
        private ServerProfile profile = ServerProfile.SUPERUSER;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
        }

        /** The version to start, such as {@code "17"} or {@code "17.6.0"}; ignored when binaries are given. */
        public Builder version(String version) {
            this.version = requireNonNull(version, "version must not be null");
            return this;
        }

        /** The binaries to run, such as {@link PostgresBinaries#system(int)}. */
        public Builder binaries(PostgresBinaries binaries) {
            this.binaries = requireNonNull(binaries, "binaries must not be null");
            return this;
        }

        /** Which admin login the server hands out; {@link ServerProfile#SUPERUSER} unless set. */
        public Builder profile(ServerProfile profile) {
            this.profile = requireNonNull(profile, "profile must not be null");
            return this;
        }

        /** Sets any {@code postgresql.conf} parameter; overrides the testkit's own defaults. */
        public Builder setting(String name, String value) {
            requireNonNull(name, "name must not be null");
            requireNonNull(value, "value must not be null");
            if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                throw new IllegalArgumentException("'" + name + "' is not a PostgreSQL parameter name");
            }
            settings.put(name, value);
            return this;
        }

        /** Sets every parameter of {@code map}, as {@link #setting(String, String)} does. */
        public Builder settings(Map<String, String> map) {
            requireNonNull(map, "map must not be null");
            map.forEach(this::setting);
            return this;
        }

        /** Sets {@code shared_preload_libraries}, such as {@code "pg_stat_statements"}. */
        public Builder sharedPreloadLibraries(String... libraries) {
            requireNonNull(libraries, "libraries must not be null");
            return setting("shared_preload_libraries", String.join(",", libraries));
        }

        /**
         * The server this JVM shares for this configuration (binaries or version, profile, settings), started on
         * first use. Its {@link PostgresServer#close()} does nothing: it stops when the JVM exits. Tests that share
         * it each work in their own database ({@link TestDatabases#unique(String)}).
         */
        public PostgresServer startShared() {
            return startShared(0);
        }

        /**
         * Like {@link #startShared()}, but the server of {@code slot} among several this JVM shares for one
         * configuration: a test that needs two distinct servers alike asks for slots 0 and 1.
         */
        public PostgresServer startShared(int slot) {
            String versionKey = binaries != null ? binaries.binDirectory().toString()
                    : PostgresBinaries.fullVersion(version);
            String key = versionKey + "|" + profile + "|" + settings + "|" + slot;
            PostgresServer server = SHARED.computeIfAbsent(key, k -> {
                PostgresServer started = start();
                started.shared = true;
                return started;
            });
            return server;
        }

        /**
         * Creates the data directory, starts the server and creates the admin login; blocks until it accepts
         * connections, typically about a second.
         *
         * @throws IllegalStateException if no version or binaries were given, or the server did not start; the
         *     message holds the end of its log
         */
        public PostgresServer start() {
            if (binaries == null && version == null) {
                throw new IllegalStateException("Give a version (such as \"17\") or binaries to start a server");
            }
            if (STARTED_ONCE.compareAndSet(false, true)) {
                registerShutdownHook();
                int reaped = reapOrphans();
                if (reaped > 0) {
                    log.info("Cleaned up {} servers left by JVMs that died", reaped);
                }
            }
            PostgresBinaries bin = binaries != null ? binaries : PostgresBinaries.of(version);
            long start = System.nanoTime();
            Path dir;
            try {
                Path base = tempBase();
                Archives.createTraversable(base);
                if (OsUser.isRoot() && !Files.getPosixFilePermissions(base).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    // The server user must reach its directory through this one (mktemp -d makes 700).
                    Set<PosixFilePermission> perms = new java.util.HashSet<>(Files.getPosixFilePermissions(base));
                    perms.add(PosixFilePermission.OTHERS_EXECUTE);
                    Files.setPosixFilePermissions(base, perms);
                }
                dir = base.resolve(ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-"
                        + Integer.toHexString(RANDOM.nextInt(1 << 16)));
                Files.createDirectory(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.writeString(dir.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a server directory under " + tempBase()
                        + ": " + e.getMessage() + ". Set -D" + TEMP_BASE_PROPERTY + " to a writable directory.", e);
            }
            PostgresServer server = new PostgresServer(bin, profile, dir);
            OPEN.add(server);
            try {
                server.initialize(settings);
                server.startProcess();
                server.afterStart();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            log.info("Started {} in {} ms; files in {}", server, (System.nanoTime() - start) / 1_000_000, dir);
            return server;
        }
    }
}
