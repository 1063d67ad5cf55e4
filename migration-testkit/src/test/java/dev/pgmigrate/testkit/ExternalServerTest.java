package dev.pgmigrate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.embedded.PostgresServer;
import org.junit.jupiter.api.Test;

@PostgresTest
class ExternalServerTest {

    @Test
    void parsesAUrlAndNeverShowsThePassword() {
        ExternalServer server = ExternalServer.parse("postgresql://admin:s%40cret@db.example.com:6543/app?sslmode=require");

        assertThat(server.host()).isEqualTo("db.example.com");
        assertThat(server.port()).isEqualTo(6543);
        assertThat(server.adminLogin()).isEqualTo("admin");
        assertThat(server.password().reveal()).isEqualTo("s@cret");
        assertThat(server.serverSpec().sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(server.toString()).doesNotContain("s@cret").doesNotContain("s%40cret");
        assertThat(ExternalServer.parse("postgres://h").port()).isEqualTo(5432);
    }

    @Test
    void rejectsWhatIsNotAPostgresqlUrl() {
        assertThatThrownBy(() -> ExternalServer.parse("mysql://u:topsecret@h:3306"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postgresql://")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void usesARunningServerAsIs(@Pg("15") PostgresServer running) {
        ExternalServer external = ExternalServer.parse("postgresql://postgres:"
                + running.superuserPassword().reveal() + "@127.0.0.1:" + running.port() + "?sslmode=disable");

        assertThat(external.versionNum()).isEqualTo(running.versionNum());
        assertThat(external.majorLabel()).isEqualTo("15");
        String db = external.createUniqueDatabase("external");
        assertThat(running.queryForLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'"))
                .isEqualTo(1);
        external.dropDatabase(db);
    }

    @Test
    void serverFromTheEnvironmentAnswers() {
        var server = ExternalServers.fromEnvironment();
        assumeTrue(server.isPresent(), ExternalServers.URL_ENV + " is not set");

        assertThat(server.get().versionNum()).isPositive();
    }

    @Test
    void dockerServerStartsWhereADockerEngineAnswers() {
        assumeTrue(DockerServers.available(), "no Docker engine answers");

        try (DockerServers.Container container = DockerServers.start("postgres:17")) {
            assertThat(container.server().majorLabel()).isEqualTo("17");
        }
    }
}
