package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * A role's password hash is copied as it is: an md5 hash on a target whose {@code pg_hba.conf} asks for
 * {@code scram-sha-256} (the default from 14, and a managed service's) refuses the login, so the application cannot
 * connect after the cutover. Validation says so before, and the migration's record after.
 */
@PostgresTest
class PasswordHashesTest {
    /** 9.6 hashes every password with md5; the 15 target asks every login for scram-sha-256. */
    @Test
    void md5HashesOnAScramTargetAreNamedBeforeAndAfter(@Pg("9.6") PostgresServer source,
            @Pg("15") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("md5_96");
        String legacy = db + "_legacy";
        source.execute("postgres", "CREATE ROLE " + legacy + " LOGIN PASSWORD 'legacy secret'",
                "CREATE DATABASE " + db + " OWNER " + legacy);
        String hash = source.queryForString("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = '"
                + legacy + "'");
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db,
                    MigrationOption.VALIDATE_AND_MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForString("postgres", "SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname = '"
                    + legacy + "'")).as("the hash is copied as it is").isEqualTo("md5");
            assertThatThrownBy(() -> target.connect(db, legacy, Secret.of("legacy secret")).close())
                    .as("scram-sha-256 in pg_hba.conf refuses an md5 hash").isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
            assertThat(done.validationResults()).filteredOn(r -> r.validatorId().equals("role-passwords"))
                    .singleElement().satisfies(r -> {
                        assertThat(r.status()).isEqualTo(ValidationStatus.WARNING);
                        assertThat(r.items()).contains(legacy);
                        assertThat(r.found()).contains("md5").contains("scram-sha-256").contains("pg_hba.conf");
                        assertThat(r.remedy()).contains("ALTER ROLE").contains("md5");
                    });
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.ROLE_PASSWORDS_NOT_SCRAM).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains(legacy).contains("scram-sha-256")
                            .contains("ALTER ROLE \"" + legacy + "\" PASSWORD '...';").doesNotContain(hash));

            // The fix the note gives: the password set again, hashed by the target's password_encryption.
            target.execute("postgres", "ALTER ROLE " + legacy + " PASSWORD 'legacy secret'");
            try (Connection c = target.connect(db, legacy, Secret.of("legacy secret"))) {
                assertThat(c.isValid(5)).isTrue();
            }
        } finally {
            drop(source, target, db, legacy);
        }
    }

    /**
     * A managed target's admin may create a role with an md5 hash, but reads no pg_hba.conf: its
     * password_encryption, scram-sha-256, is what tells. A role hashed with scram on the source is not named.
     */
    @Test
    void aManagedTargetIsJudgedByItsPasswordEncryption(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        String db = TestDatabases.unique("md5_managed");
        String legacy = db + "_legacy";
        String modern = db + "_modern";
        source.execute("postgres", "SET password_encryption = 'md5'",
                "CREATE ROLE " + legacy + " LOGIN PASSWORD 'legacy secret'", "RESET password_encryption",
                "CREATE ROLE " + modern + " LOGIN PASSWORD 'modern secret'", "CREATE DATABASE " + db);
        source.execute(db, "CREATE TABLE t (id int)", "GRANT SELECT ON t TO " + legacy + ", " + modern);
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db,
                    MigrationOption.VALIDATE_AND_MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThatThrownBy(() -> target.connect(db, legacy, Secret.of("legacy secret")).close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            try (Connection c = target.connect(db, modern, Secret.of("modern secret"))) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThat(done.validationResults()).filteredOn(r -> r.validatorId().equals("role-passwords"))
                    .singleElement().satisfies(r -> {
                        assertThat(r.status()).isEqualTo(ValidationStatus.WARNING);
                        assertThat(r.items()).contains(legacy).doesNotContain(modern);
                        assertThat(r.found()).contains("password_encryption is scram-sha-256");
                    });
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.ROLE_PASSWORDS_NOT_SCRAM).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains(legacy).doesNotContain(modern)
                            .contains("password_encryption is scram-sha-256"));
        } finally {
            drop(source, target, db, legacy, modern);
        }
    }

    private static void drop(PostgresServer source, PostgresServer target, String db, String... roles) {
        for (PostgresServer server : new PostgresServer[] {source, target}) {
            server.dropDatabase(db);
            for (String role : roles) {
                server.execute("postgres", "DROP ROLE IF EXISTS " + role);
            }
        }
    }
}
