package dev.pgmigrate.embedded;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.embedded.internal.OsUser;
import dev.pgmigrate.embedded.internal.Sql;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started for tests and the demo: loopback only, a free port, its own data directory
 * and socket directory, settings for speed rather than durability.
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
 * <p>(Past 300 lines by its public surface: a test reads its address, logins, files and log from here, each a line
 * or two over the units that start and keep the server, {@code ServerFiles} and {@code Postmaster}.)
 *
 * @since 0.1
 */
@Experimental
public final class PostgresServer implements TestServer, AutoCloseable {
    // Past 300 lines on purpose: most of it is the public surface tests and the demo call, with its Javadoc. The
    // work is elsewhere: PostgresServerBuilder (configuration), OpenServers (start, sharing, exit), ServerFiles
    // and InitdbTemplate (files), Postmaster (the process), ServerLogins (the first session).

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
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PostgresBinaries binaries;
    private final ServerProfile profile;
    private final ServerFiles files;
    private final Postmaster postmaster;
    private final Secret superuserPassword;
    private final Secret adminPassword;
    private final Object lifecycle = new Object();
    private volatile boolean shared;
    private volatile boolean closed;
    private volatile int versionNum;
    private volatile String version;

    PostgresServer(PostgresBinaries binaries, ServerProfile profile, ServerFiles files) {
        this.binaries = binaries;
        this.profile = profile;
        this.files = files;
        this.superuserPassword = Secret.of(randomPassword());
        this.adminPassword = profile == ServerProfile.SUPERUSER ? superuserPassword : Secret.of(randomPassword());
        this.postmaster = new Postmaster(binaries, files, superuserPassword);
    }

    /** A new builder: the {@link ServerProfile#SUPERUSER} profile, no version yet. */
    public static PostgresServerBuilder builder() {
        return new PostgresServerBuilder();
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
        return ServerFiles.tempBase();
    }

    /**
     * Stops servers under {@link #tempBase()} whose JVM has died, and deletes their files. Called once per JVM
     * by the first {@link PostgresServerBuilder#start()}.
     *
     * @return how many servers' directories were removed
     */
    public static int reapOrphans() {
        return ServerFiles.reapOrphans();
    }

    // ------------------------------------------------------------------ lifecycle

    /** Prepares the files, starts the process, sets up the logins and learns the server's version. */
    void boot(Map<String, String> settings) {
        Secret templatePassword = files.prepare(binaries, settings);
        postmaster.start();
        ServerLogins.setUp(this, templatePassword);
        List<String> facts = Sql.query(() -> connect("postgres"), "postgres",
                "SELECT current_setting('server_version_num'), current_setting('server_version')").get(0);
        versionNum = Integer.parseInt(facts.get(0));
        version = facts.get(1);
    }

    /**
     * Stops the server, waiting for it to shut down cleanly ({@code pg_ctl stop -m fast}); its files stay, so
     * {@link #restart()} can start it again. Does nothing if it is not running.
     */
    public void stop() {
        synchronized (lifecycle) {
            if (postmaster.isRunning()) {
                postmaster.stop(Postmaster.Shutdown.FAST);
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
            postmaster.start();
        }
    }

    /** Whether the server process runs. */
    public boolean isRunning() {
        return postmaster.isRunning();
    }

    /**
     * Stops the server at once ({@code pg_ctl stop -m immediate}) and deletes its directory. Idempotent; never
     * throws: a failure is logged as a warning. Does nothing on a shared server
     * ({@link PostgresServerBuilder#startShared()}), which stops when the JVM exits.
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

    void markShared() {
        shared = true;
    }

    /** Stops the server and deletes its files even when it is shared; the JVM's shutdown hook calls this. */
    void closeNow() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            OpenServers.forget(this);
            postmaster.stopNow();
            files.deleteQuietly();
        }
    }

    /** The postmaster's process id from {@code postmaster.pid}, or empty when the server does not run. */
    public Optional<Long> postmasterPid() {
        return postmaster.pid();
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
        return postmaster.port();
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
        return ServerSpec.builder().host(HOST).port(port()).adminLogin(adminLogin()).password(adminPassword)
                .sslMode(SslMode.DISABLE).type(type).build();
    }

    /** How to reach this server as {@value #SUPERUSER}, without TLS. */
    public ServerSpec superuserSpec() {
        return ServerSpec.builder().host(HOST).port(port()).adminLogin(SUPERUSER).password(superuserPassword)
                .sslMode(SslMode.DISABLE).type(SourceServerType.ON_PREMISES).build();
    }

    /** The server's own directory, holding {@code data}, {@code sockets} and {@code postgres.log}. */
    public Path directory() {
        return files.directory();
    }

    /** The data directory. */
    public Path dataDirectory() {
        return files.data();
    }

    /** The directory of the server's Unix-domain socket. */
    public Path socketDirectory() {
        return files.sockets();
    }

    /** The directory of {@code initdb}, {@code pg_ctl} and {@code postgres}. */
    public Path binDirectory() {
        return binaries.binDirectory();
    }

    /** The server's log file. */
    public Path logFile() {
        return files.logFile();
    }

    /** The log's last lines, for failure messages. */
    public String logTail() {
        return files.logTail();
    }

    // ------------------------------------------------------------------ SQL

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>?sslmode=disable}; holds no credentials. */
    public String jdbcUrl(String database) {
        requireNonNull(database, "database must not be null");
        return "jdbc:postgresql://" + HOST + ":" + port() + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
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
        return "PostgreSQL " + (version != null ? version : binaries.version()) + " at " + HOST + ":" + port() + " ("
                + profile.label() + ", admin " + adminLogin() + ")";
    }

    /** 18 random bytes, URL-safe Base64: a password for a login or a template's superuser. */
    static String randomPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
