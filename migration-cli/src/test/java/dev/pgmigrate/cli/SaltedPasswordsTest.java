package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresServer;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;

@PostgresTest
class SaltedPasswordsTest {
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";

    @Test
    void derivesWhatTheJdkDerivesAndOnlyOncePerPasswordAndSalt() throws Exception {
        SaltedPasswords.install();
        byte[] salt = "pepper-and-salt!".getBytes(StandardCharsets.US_ASCII);
        PBEKeySpec spec = new PBEKeySpec("ünïcode secret".toCharArray(), salt, 4096, 256);
        int before = SaltedPasswords.remembered();

        SecretKeyFactory first = SecretKeyFactory.getInstance(ALGORITHM);
        assertThat(first.getProvider().getName()).isEqualTo("pgmigrate-salted-passwords");
        byte[] derived = first.generateSecret(spec).getEncoded();
        byte[] again = SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        byte[] otherRounds = SecretKeyFactory.getInstance(ALGORITHM)
                .generateSecret(new PBEKeySpec("ünïcode secret".toCharArray(), salt, 4097, 256)).getEncoded();

        byte[] jdk = SecretKeyFactory.getInstance(ALGORITHM, "SunJCE").generateSecret(spec).getEncoded();
        assertThat(derived).isEqualTo(jdk).isEqualTo(again).isNotEqualTo(otherRounds);
        assertThat(SaltedPasswords.remembered()).isEqualTo(before + 2);
    }

    @Test
    void scramLoginsToOneServerDeriveItsSaltedPasswordOnce(@Pg("17") PostgresServer server) throws Exception {
        SaltedPasswords.install();
        Properties login = new Properties();
        login.setProperty("user", PostgresServer.SUPERUSER);
        login.setProperty("password", server.superuserPassword().reveal());
        int before = SaltedPasswords.remembered();

        for (int i = 0; i < 3; i++) {
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"), login);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_setting('password_encryption')")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("scram-sha-256");
            }
        }

        assertThat(SaltedPasswords.remembered()).isEqualTo(before + 1);
    }
}
