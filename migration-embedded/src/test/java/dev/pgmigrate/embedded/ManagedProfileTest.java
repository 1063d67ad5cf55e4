package dev.pgmigrate.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ManagedProfileTest {

    @Test
    void adminCannotCreateASuperuser() {
        PostgresServer server = shared("17", ServerProfile.MANAGED);
        String role = TestDatabases.unique("wannabe");

        assertThatThrownBy(() -> server.executeAsAdmin("postgres", "CREATE ROLE " + role + " SUPERUSER"))
                .isInstanceOfSatisfying(TestkitSqlException.class,
                        e -> assertThat(e.sqlState()).isEqualTo("42501"))
                .hasMessageContaining("permission denied to create role");
    }

    @Test
    void adminIsNoSuperuserButMayCreateDatabasesAndRoles() {
        PostgresServer server = shared("17", ServerProfile.MANAGED);
        String db = TestDatabases.unique("managed");
        String role = TestDatabases.unique("app");

        server.executeAsAdmin("postgres", "CREATE DATABASE " + db, "CREATE ROLE " + role + " LOGIN");

        assertThat(server.adminLogin()).isEqualTo(PostgresServer.MANAGED_ADMIN);
        assertThat(server.queryForString("postgres", "SELECT rolsuper::text || rolcreatedb::text || "
                + "rolcreaterole::text FROM pg_roles WHERE rolname = 'pgadmin'")).isEqualTo("falsetruetrue");
        assertThat(server.queryForString(db, "SELECT pg_get_userbyid(datdba) FROM pg_database "
                + "WHERE datname = current_database()")).isEqualTo("pgadmin");
        assertThat(server.queryForLong("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + role + "'"))
                .isEqualTo(1);
        assertThat(server.serverSpec().adminLogin()).isEqualTo("pgadmin");
        server.dropDatabase(db);
    }

    @Test
    void superuserProfileHandsOutThePostgresSuperuser() {
        PostgresServer server = shared("17", ServerProfile.SUPERUSER);
        assertThat(server.adminLogin()).isEqualTo(PostgresServer.SUPERUSER);
        assertThat(server.queryForString("postgres", "SELECT rolsuper::text FROM pg_roles WHERE rolname = "
                + "current_user")).isEqualTo("true");
    }

    @Test
    void managedAdminOn96CannotCreateASuperuserEither() {
        PostgresServer server = shared("9.6", ServerProfile.MANAGED);
        assertThatThrownBy(() -> server.executeAsAdmin("postgres", "CREATE ROLE x96 SUPERUSER"))
                .isInstanceOfSatisfying(TestkitSqlException.class,
                        e -> assertThat(e.sqlState()).isEqualTo("42501"));
    }

    private static PostgresServer shared(String version, ServerProfile profile) {
        return PostgresServer.builder().version(version).profile(profile).startShared();
    }
}
