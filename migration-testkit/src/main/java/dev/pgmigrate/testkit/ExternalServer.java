package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.embedded.TestServer;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A PostgreSQL server the testkit did not start and will not stop, reached by a URL such as
 * {@code postgresql://user:password@host:5432}. Its login is both superuser and admin, as far as the testkit is
 * concerned; give it a login that may create databases.
 *
 * @since 0.1
 */
@Experimental
public final class ExternalServer implements TestServer {
    private final String host;
    private final int port;
    private final String login;
    private final Secret password;
    private final SslMode sslMode;
    private volatile int versionNum;

    private ExternalServer(String host, int port, String login, Secret password, SslMode sslMode) {
        this.host = host;
        this.port = port;
        this.login = login;
        this.password = password;
        this.sslMode = sslMode;
    }

    /**
     * Parses {@code postgresql://user:password@host:port[/database][?sslmode=...]} ({@code postgres://} too); the
     * port defaults to 5432, the login to {@code postgres}, TLS to {@code prefer}. The database part is ignored.
     *
     * @throws IllegalArgumentException if the URL is malformed; the message never shows the password
     */
    public static ExternalServer parse(String url) {
        requireNonNull(url, "url must not be null");
        URI uri;
        try {
            uri = URI.create(url.trim().replaceFirst("^jdbc:", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Not a postgresql:// URL; write it like "
                    + "postgresql://user:password@host:5432", null);
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("Not a postgresql:// URL with a host; write it like "
                    + "postgresql://user:password@host:5432");
        }
        String login = "postgres";
        String password = "";
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            login = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        }
        SslMode ssl = SslMode.PREFER;
        if (uri.getQuery() != null) {
            for (String kv : uri.getQuery().split("&")) {
                if (kv.startsWith("sslmode=")) {
                    ssl = SslMode.fromLabel(kv.substring("sslmode=".length()));
                }
            }
        }
        return new ExternalServer(uri.getHost(), uri.getPort() < 0 ? ServerSpec.DEFAULT_PORT : uri.getPort(), login,
                Secret.of(password), ssl);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    /** Asked from the server on first use. */
    @Override
    public int versionNum() {
        if (versionNum == 0) {
            versionNum = Integer.parseInt(queryForString("postgres", "SHOW server_version_num"));
        }
        return versionNum;
    }

    @Override
    public String adminLogin() {
        return login;
    }

    /** The login's password. */
    public Secret password() {
        return password;
    }

    @Override
    public ServerSpec serverSpec() {
        return ServerSpec.builder().host(host).port(port).adminLogin(login).password(password).sslMode(sslMode)
                .build();
    }

    /** {@code jdbc:postgresql://host:port/database?sslmode=...}; holds no credentials. */
    public String jdbcUrl(String database) {
        requireNonNull(database, "database must not be null");
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + "?sslmode=" + sslMode.label();
    }

    @Override
    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", login);
        props.setProperty("password", password.reveal());
        props.setProperty("ApplicationName", "pgmigrate-testkit");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    @Override
    public Connection connectAsAdmin(String database) throws SQLException {
        return connect(database);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "external PostgreSQL at " + serverSpec().address() + " as " + login;
    }
}
