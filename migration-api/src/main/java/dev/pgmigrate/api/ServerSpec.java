package dev.pgmigrate.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one PostgreSQL server: address, admin login and TLS.
 *
 * <p>{@code ServerSpec.builder().host("10.0.0.4").port(5432).adminLogin("postgres")
 * .password(Secret.of(pw)).sslMode(SslMode.REQUIRE).build()}
 *
 * @param host the server's host name or address, as users know it
 * @param port the TCP port, 1 to 65535
 * @param adminLogin the role pgmigrate logs in as
 * @param password the login's password; empty where the server needs none (trust, peer, certificates)
 * @param sslMode how TLS is used
 * @param type where the server runs; for a target, what kind of service it is
 * @param fullyQualifiedDomainName a custom name or IP to connect to instead of {@code host}, for custom DNS
 * @since 0.1
 */
@Stable(since = "0.1")
public record ServerSpec(String host, int port, String adminLogin, Optional<Secret> password, SslMode sslMode,
        SourceServerType type, Optional<String> fullyQualifiedDomainName) {

    /** The port PostgreSQL listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 5432;

    public ServerSpec {
        Objects.requireNonNull(password, "password must not be null; use Optional.empty()");
        Objects.requireNonNull(fullyQualifiedDomainName, "fullyQualifiedDomainName must not be null");
        List<SpecProblem> problems = problems("server", host, port, adminLogin, sslMode, type,
                fullyQualifiedDomainName.orElse(null));
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
    }

    /** The name or address a connection goes to: the custom FQDN when set, else {@code host}. */
    public String connectHost() {
        return fullyQualifiedDomainName.orElse(host);
    }

    /** {@code host:port} as shown in lists and logs; never the password. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** A copy that connects as {@code login} with {@code password} instead. */
    public ServerSpec withLogin(String login, Optional<Secret> newPassword) {
        return new ServerSpec(host, port, login, newPassword, sslMode, type, fullyQualifiedDomainName);
    }

    /** A new builder: port 5432, {@code prefer} TLS, an on-premises server. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks the fields of a server spec without building it; the parser of properties files uses it to
     * report every problem with its own field names.
     *
     * @param prefix the field path of the server, such as {@code "properties.sourceServer"}
     */
    public static List<SpecProblem> problems(String prefix, String host, int port, String adminLogin,
            SslMode sslMode, SourceServerType type, String fullyQualifiedDomainName) {
        List<SpecProblem> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add(new SpecProblem(prefix + ".host", String.valueOf(host),
                    "a host name or IP address is required"));
        } else if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == '@' || c == '?')) {
            problems.add(new SpecProblem(prefix + ".host", host,
                    "must be a bare host name or IP address, without spaces, '/', '@' or '?'"));
        }
        if (port < 1 || port > 65535) {
            problems.add(new SpecProblem(prefix + ".port", String.valueOf(port), "must be between 1 and 65535"));
        }
        if (adminLogin == null || adminLogin.isBlank()) {
            problems.add(new SpecProblem(prefix + ".adminLogin", String.valueOf(adminLogin),
                    "the login pgmigrate connects as is required"));
        } else if (adminLogin.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
            problems.add(new SpecProblem(prefix + ".adminLogin", adminLogin,
                    "PostgreSQL role names are at most 63 bytes"));
        }
        if (sslMode == null) {
            problems.add(new SpecProblem(prefix + ".sslMode", "null", "use one of: disable, prefer, require, "
                    + "verify-ca, verify-full"));
        }
        if (type == null) {
            problems.add(new SpecProblem(prefix + ".type", "null",
                    "use one of: " + java.util.Arrays.stream(SourceServerType.values()).map(SourceServerType::label)
                            .collect(java.util.stream.Collectors.joining(", "))));
        }
        if (fullyQualifiedDomainName != null && fullyQualifiedDomainName.isBlank()) {
            problems.add(new SpecProblem(prefix + ".fullyQualifiedDomainName", "\"\"",
                    "leave it out, or give the name or IP to connect to"));
        }
        return problems;
    }

    /** Builds a {@link ServerSpec}; every setter is optional except host and admin login. */
    public static final class Builder {
        private String host;
        private int port = DEFAULT_PORT;
        private String adminLogin;
        private Secret password;
        private SslMode sslMode = SslMode.PREFER;
        private SourceServerType type = SourceServerType.ON_PREMISES;
        private String fullyQualifiedDomainName;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder adminLogin(String adminLogin) {
            this.adminLogin = adminLogin;
            return this;
        }

        /** The password, or {@code null} for none. */
        public Builder password(Secret password) {
            this.password = password;
            return this;
        }

        public Builder sslMode(SslMode sslMode) {
            this.sslMode = sslMode;
            return this;
        }

        public Builder type(SourceServerType type) {
            this.type = type;
            return this;
        }

        /** A custom name or IP to connect to, or {@code null} to connect to the host. */
        public Builder fullyQualifiedDomainName(String fullyQualifiedDomainName) {
            this.fullyQualifiedDomainName = fullyQualifiedDomainName;
            return this;
        }

        /** @throws InvalidSpecException listing every invalid field */
        public ServerSpec build() {
            return new ServerSpec(host, port, adminLogin, Optional.ofNullable(password), sslMode, type,
                    Optional.ofNullable(fullyQualifiedDomainName));
        }
    }
}
