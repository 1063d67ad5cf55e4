package dev.pgmigrate.validators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.embedded.LocalPorts;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.ValidatorTestKit;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs on a server of its own, because it rewrites pg_hba.conf. */
class ConnectivityValidatorsTest {
    private static PostgresServer server;

    @BeforeAll
    static void startServerWithStrictHba() throws IOException {
        server = PostgresServer.builder().version("17").start();
        Files.writeString(server.dataDirectory().resolve("pg_hba.conf"), String.join("\n",
                "local all all trust",
                "host all postgres 127.0.0.1/32 scram-sha-256",
                "host all ghost 127.0.0.1/32 trust",
                "hostssl all tlsonly 127.0.0.1/32 trust",
                "host all nossl 127.0.0.1/32 trust",
                ""));
        server.execute("postgres", "SELECT pg_reload_conf()");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ServerSpec as(String login, SslMode mode) {
        return ServerSpec.builder().host(server.host())
                .port(server.port()).adminLogin(login).password(server.superuserPassword()).sslMode(mode).build();
    }

    private static ValidatorTestKit source(ServerSpec spec) {
        return ValidatorTestKit.validator("source-connectivity").source(spec).target(server);
    }

    @Test
    void succeedsAndTellsTheTimeAndAddressFamily() {
        source(server.superuserSpec()).run().assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions(" ms ", "IPv4", "without TLS");
    }

    @Test
    void targetConnectivityChecksTheTarget() {
        ValidatorTestKit.validator("target-connectivity").source(server).target(as("postgres", SslMode.DISABLE)
                .withLogin("postgres", java.util.Optional.of(Secret.of("wrong")))).run().assertThatResults()
                .hasStatus(ValidationStatus.FAILED).mentions("Password authentication failed");
    }

    @Test
    void tellsAWrongPassword() {
        source(server.superuserSpec().withLogin("postgres", java.util.Optional.of(Secret.of("wrong")))).run()
                .assertThatResults().hasStatus(ValidationStatus.FAILED).mentions("Password authentication failed",
                        "28P01", " ms");
    }

    @Test
    void namesWhereAWrongPasswordCameFrom() {
        source(server.superuserSpec().withLogin("postgres", java.util.Optional.of(Secret.of("wrong",
                "the environment variable SOURCE_PASSWORD"))))
                .run().assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("The password came from the environment variable SOURCE_PASSWORD: correct it there.");
    }

    @Test
    void namesTheWaysToGiveAPasswordWhenNoneWasGiven() {
        // PGPASSFILE names none: the driver must not find one of the machine's (~/.pgpass) instead.
        assumeTrue(System.getenv("PGPASSFILE") == null
                && !Files.exists(Path.of(System.getProperty("user.home"), ".pgpass")), "no password file");
        source(server.superuserSpec().withLogin("postgres", java.util.Optional.empty())).run().assertThatResults()
                .hasStatus(ValidationStatus.FAILED).mentions("none was given", "PGPASSWORD", "~/.pgpass",
                        "--prompt-password", "ServerSpec.password");
    }

    @Test
    void tellsAMissingRole() {
        source(as("ghost", SslMode.DISABLE)).run().assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("Role ghost does not exist", "CREATE ROLE ghost");
    }

    @Test
    void tellsAMissingPgHbaEntryAndTheLineToAdd() {
        source(as("nobody_here", SslMode.PREFER)).run().assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("no pg_hba.conf entry", "host all nobody_here 127.0.0.1/32 scram-sha-256",
                        "pg_reload_conf()", "hba_file");
    }

    @Test
    void tellsThatTheServerMayWantTlsWhenTlsIsDisabled() {
        source(as("tlsonly", SslMode.DISABLE)).run().assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("without TLS", "sslMode to prefer or require");
    }

    @Test
    void tellsThatTheServerOffersNoTlsWhenItIsRequired() {
        source(as("nossl", SslMode.REQUIRE)).run().assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("does not offer TLS", "ssl = on");
    }

    @Test
    void tellsAClosedPort() throws IOException {
        int port = LocalPorts.free();
        source(ServerSpec.builder().host("127.0.0.1").port(port).adminLogin("postgres").sslMode(SslMode.DISABLE)
                .build()).run().assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("refused", "listen_addresses");
    }

    @Test
    void tellsATimeout() throws IOException {
        // A socket that accepts the TCP connection and never answers the startup packet.
        try (ServerSocket silent = LocalPorts.listen(50)) {
            Thread acceptor = new Thread(() -> {
                try (Socket ignored = silent.accept()) {
                    Thread.sleep(10_000);
                } catch (IOException | InterruptedException e) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            source(ServerSpec.builder().host("127.0.0.1").port(silent.getLocalPort()).adminLogin("postgres")
                    .sslMode(SslMode.DISABLE).build()).settings(s -> s.connectTimeout(Duration.ofSeconds(1))).run()
                    .assertThatResults().hasStatus(ValidationStatus.FAILED).mentions("No answer", "firewall");
        }
    }

    @Test
    void tellsAnUnknownHost() {
        source(ServerSpec.builder().host("no-such-host.invalid").adminLogin("postgres").build()).run()
                .assertThatResults().hasStatus(ValidationStatus.FAILED).mentions("Cannot resolve host");
    }

    @Test
    void classifiesAMissingDatabaseFromTheServersAnswer() {
        SQLException refused = null;
        try (var ignored = server.connect("no_such_database")) {
            // not reached
        } catch (SQLException e) {
            refused = e;
        }
        assertThat(ConnectivityCheck.classify(refused, SslMode.DISABLE))
                .isEqualTo(ConnectivityCheck.Failure.NO_DATABASE);
    }
}
