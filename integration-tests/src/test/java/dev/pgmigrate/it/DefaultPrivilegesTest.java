package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ALTER DEFAULT PRIVILEGES FOR ROLE r ... TO g} where the target will lack {@code g} or {@code r}, or its
 * admin cannot act as {@code r}: validation says which will not be set, the migration sets the others and names
 * those it could not.
 */
@PostgresTest
class DefaultPrivilegesTest {
    /** The owner's default privileges, per kind of object: PUBLIC is written {@code =}. */
    private static String defaults(String role) {
        return "SELECT string_agg(defaclobjtype::text || coalesce(n.nspname::text, '') || ':' || defaclacl::text, ' ' "
                + "ORDER BY 1) FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace "
                + "WHERE defaclrole = '" + role + "'::regrole";
    }

    /**
     * Roles not migrated, the target has the owner but not the reader: the grant to the reader failed the migration
     * ({@code role does not exist}) after validation had passed.
     */
    @Test
    void aDefaultPrivilegeForAGranteeTheTargetLacksIsLeftOutAndNamed(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("defacl_grantee");
        String owner = db + "_owner";
        String reader = db + "_reader";
        source.execute("postgres", "CREATE ROLE " + owner, "CREATE ROLE " + reader,
                "CREATE DATABASE " + db + " OWNER " + owner);
        source.execute(db, "SET ROLE " + owner, "CREATE SCHEMA s",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT SELECT ON TABLES TO " + reader,
                "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC", "RESET ROLE");
        target.execute("postgres", "CREATE ROLE " + owner);
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db,
                    MigrationOption.VALIDATE_AND_MIGRATE, s -> s.migrateRoles(false));

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForString(db, defaults(owner))).as("the revoke from PUBLIC is kept")
                    .isEqualTo("f:{" + owner + "=X/" + owner + "}");
            assertThat(done.validationResults()).filteredOn(r -> r.validatorId().equals("default-privileges"))
                    .singleElement().satisfies(r -> {
                        assertThat(r.status()).isEqualTo(ValidationStatus.WARNING);
                        assertThat(r.items()).singleElement().asString().contains(owner).contains(reader)
                                .contains("schema s");
                    });
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.PRIVILEGES_NOT_GRANTED).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains(reader).contains("DEFAULT PRIVILEGES"));
        } finally {
            drop(List.of(source, target), db, owner, reader);
        }
    }

    /**
     * A managed target has the writer already, made by its own superuser, so the admin cannot act as it: the
     * migration failed ({@code permission denied to change default privileges}) after validation had passed.
     * The source's REVOKE from PUBLIC cannot be made, so the writer's new functions are open to everyone there.
     */
    @Test
    void defaultPrivilegesOfARoleTheManagedAdminCannotActAsAreAWarning(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        leavesOutTheDefaultsOfAKeptRole(source, target);
    }

    /** Before 16 acting as a role takes membership, without the SET option. */
    @Test
    void defaultPrivilegesOfARoleTheManagedAdminCannotActAsAreAWarningBefore16(@Pg("15") PostgresServer source,
            @Pg(value = "15", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        leavesOutTheDefaultsOfAKeptRole(source, target);
    }

    private static void leavesOutTheDefaultsOfAKeptRole(PostgresServer source, PostgresServer target)
            throws Exception {
        String db = TestDatabases.unique("defacl_kept");
        String writer = db + "_writer";
        String reader = db + "_reader";
        source.execute("postgres", "CREATE ROLE " + writer, "CREATE ROLE " + reader, "CREATE DATABASE " + db);
        source.execute(db, "CREATE SCHEMA s", "GRANT CREATE, USAGE ON SCHEMA s TO " + writer,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + writer + " IN SCHEMA s GRANT SELECT ON TABLES TO " + reader,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + writer + " REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC");
        target.execute("postgres", "CREATE ROLE " + writer);
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db,
                    MigrationOption.VALIDATE_AND_MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.validationResults()).filteredOn(r -> r.validatorId().equals("default-privileges"))
                    .singleElement().satisfies(r -> {
                        assertThat(r.status()).isEqualTo(ValidationStatus.WARNING);
                        assertThat(r.items()).hasSize(2).allSatisfy(i -> assertThat(i).contains(writer));
                        assertThat(r.found()).contains(target.adminLogin());
                    });
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.DEFAULT_PRIVILEGES_NOT_SET)
                    .singleElement().satisfies(n -> assertThat(n.text()).contains(writer).contains(db)
                            .contains("REVOKE ALL ON FUNCTIONS FROM PUBLIC").contains(reader));
        } finally {
            drop(List.of(source, target), db, writer, reader);
        }
    }

    private static void drop(List<PostgresServer> servers, String db, String... roles) {
        for (PostgresServer server : servers) {
            server.dropDatabase(db);
            for (String role : roles) {
                server.execute("postgres", "DROP ROLE IF EXISTS " + role);
            }
        }
    }
}
