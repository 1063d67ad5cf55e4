package dev.pgmigrate.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.embedded.internal.Processes;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostgresServerTest {

    @ParameterizedTest(name = "PostgreSQL {0}")
    @CsvSource({"9.6, 906", "11, 11", "14, 14", "17, 17", "18, 18"})
    void startsConnectsAndReportsItsVersion(String major, int expectedMajorNum) throws Exception {
        try (PostgresServer server = PostgresServer.start(major)) {
            assertThat(server.majorLabel()).isEqualTo(major);
            int expectedPrefix = expectedMajorNum >= 900 ? expectedMajorNum * 100 : expectedMajorNum * 10000;
            assertThat(server.versionNum()).isBetween(expectedPrefix, expectedPrefix + 99);
            assertThat(server.version()).startsWith(major + ".");
            try (Connection c = server.connectAsAdmin("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_user, inet_server_addr()::text, "
                            + "current_setting('fsync'), pg_encoding_to_char(encoding) FROM pg_database "
                            + "WHERE datname = current_database()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("postgres");
                assertThat(rs.getString(2)).startsWith("127.0.0.1");
                assertThat(rs.getString(3)).isEqualTo("off");
                assertThat(rs.getString(4)).isEqualTo("UTF8");
            }
            assertThat(server.serverSpec().port()).isEqualTo(server.port());
            assertThat(server.serverSpec().sslMode()).isEqualTo(SslMode.DISABLE);
        }
    }

    @Test
    void closeStopsTheProcessAndRemovesItsFiles() {
        PostgresServer server = PostgresServer.start("17");
        long pid = server.postmasterPid().orElseThrow();
        assertThat(Processes.isRunning(pid)).isTrue();
        assertThat(server.directory()).startsWith(PostgresServer.tempBase());

        server.close();
        server.close();

        assertThat(Processes.isRunning(pid)).isFalse();
        assertThat(Files.exists(server.directory())).isFalse();
        assertThat(server.isRunning()).isFalse();
    }

    @Test
    void toStringNeverShowsPasswords() {
        try (PostgresServer server = PostgresServer.builder().version("17").profile(ServerProfile.MANAGED).start()) {
            assertThat(server.toString())
                    .doesNotContain(server.adminPassword().reveal())
                    .doesNotContain(server.superuserPassword().reveal())
                    .contains("17.", "Managed");
        }
    }

    @Test
    void rejectsAnUnknownVersion() {
        assertThatThrownBy(() -> PostgresServer.start("8"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'8'");
    }
}
