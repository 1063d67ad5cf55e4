package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Found by a review of privileges, comparing the target's ACLs, owners and roles with the source's and with what
 * {@code pg_dump | psql} gives.
 */
@PostgresTest
class PrivilegeReviewTest {
    /** Who holds what on the table and the large object, and from whom; MAINTAIN (17+) is left out. */
    private static final String GRANTS = "SELECT string_agg(what || ':' || grantor::regrole || '>' || grantee::regrole "
            + "|| '=' || privilege_type || '/' || is_grantable, ' ' ORDER BY 1) FROM (SELECT 't' AS what, (aclexplode("
            + "relacl)).* FROM pg_class WHERE relname = 't' UNION ALL SELECT 'lo', (aclexplode(lomacl)).* FROM "
            + "pg_largeobject_metadata WHERE oid = 4243001) a WHERE privilege_type <> 'MAINTAIN'";

    /**
     * pg_dump writes a grant made by a holder of the grant option between {@code SET SESSION AUTHORIZATION} and
     * {@code RESET SESSION AUTHORIZATION}, which a managed service's admin may not run: the migration failed after
     * validation had passed.
     */
    @Test
    void aGrantMadeByAHolderOfTheGrantOptionArrivesOnAManagedTarget(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        String db = TestDatabases.unique("grantor");
        String owner = db + "_owner";
        String holder = db + "_holder";
        String reader = db + "_reader";
        plantGrantsByAHolder(source, db, owner, holder, reader);
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db,
                    MigrationOption.VALIDATE_AND_MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForString(db, GRANTS)).contains(holder + ">" + reader + "=SELECT/false")
                    .isEqualTo(source.queryForString(db, GRANTS));
        } finally {
            drop(List.of(source, target), db, owner, holder, reader);
        }
    }

    /**
     * Roles not migrated, the grantee made on the target beforehand: the grant of a holder the target lacks failed
     * the migration ({@code role does not exist} at {@code SET SESSION AUTHORIZATION}); pg_dump | psql makes it as
     * the restoring login. Now it is made so, and a note names the grantor it could not keep.
     */
    @Test
    void aGrantWhoseGrantorTheTargetLacksIsMadeByTheAdminAndNoted(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("grantor_gone");
        String owner = db + "_owner";
        String holder = db + "_holder";
        String reader = db + "_reader";
        plantGrantsByAHolder(source, db, owner, holder, reader);
        target.execute("postgres", "CREATE ROLE " + reader);
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE,
                    s -> s.migrateRoles(false));

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForString(db, "SELECT has_table_privilege('" + reader + "', 't', 'SELECT')::text "
                    + "|| EXISTS (SELECT FROM pg_largeobject_metadata, aclexplode(lomacl) a WHERE oid = 4243001 "
                    + "AND a.grantee = '" + reader + "'::regrole AND a.privilege_type = 'UPDATE')::text"))
                    .isEqualTo("truetrue");
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.GRANTOR_CHANGED).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains(holder).contains("TABLE \"t\"")
                            .contains("LARGE OBJECT 4243001"));
        } finally {
            drop(List.of(source, target), db, owner, holder, reader);
        }
    }

    /**
     * A source before 15 has a public schema owned by its bootstrap superuser, whom a managed service's admin cannot
     * give it to: left owned by {@code pg_database_owner}, the database's owner could create in it and grant on it,
     * where the source's could not, while the note said the admin owned it.
     */
    @Test
    void thePublicSchemaOfASourceBefore15IsNoMoreOpenOnAManagedTarget(@Pg("14") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        String db = TestDatabases.unique("public14");
        String owner = db + "_owner";
        source.execute("postgres", "CREATE ROLE " + owner, "CREATE DATABASE " + db + " OWNER " + owner);
        source.execute(db, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            String privileges = "SELECT has_schema_privilege('" + owner + "', 'public', 'CREATE')::text || ' ' || "
                    + "pg_has_role('" + owner + "', nspowner, 'USAGE')::text || ' ' || has_schema_privilege("
                    + "'public', 'public', 'CREATE')::text FROM pg_namespace WHERE nspname = 'public'";
            assertThat(target.queryForString(db, privileges)).as("the owner creates / owns; PUBLIC creates")
                    .isEqualTo(source.queryForString(db, privileges)).isEqualTo("false false false");
            assertThat(target.queryForString(db, "SELECT nspowner::regrole::text FROM pg_namespace "
                    + "WHERE nspname = 'public'")).as("as the note says").isEqualTo(target.adminLogin());
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.OWNER_REMAPPED).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains("owned by " + target.adminLogin())
                            .contains("SCHEMA public"));
        } finally {
            drop(List.of(source, target), db, owner);
        }
    }

    /**
     * A trusted extension created by a managed service's admin belongs to the bootstrap superuser, so the admin's
     * {@code REVOKE} of the source's on one of its functions is only a server warning: PUBLIC kept EXECUTE on the
     * target, the grantee got nothing, and the migration said nothing.
     */
    @Test
    void aRevokeTheTargetDoesNotCarryOutIsAWarningNamingIt(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        String db = TestDatabases.unique("extacl");
        String reader = db + "_reader";
        source.execute("postgres", "CREATE ROLE " + reader, "CREATE DATABASE " + db);
        source.execute(db, "CREATE EXTENSION pgcrypto", "CREATE TABLE t (id int PRIMARY KEY)",
                "REVOKE EXECUTE ON FUNCTION gen_random_bytes(int) FROM PUBLIC",
                "GRANT EXECUTE ON FUNCTION gen_random_bytes(int) TO " + reader);
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.PRIVILEGES_NOT_APPLIED).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains(db).contains("FUNCTION \"gen_random_bytes\"(integer)")
                            .contains("REVOKE ALL ON FUNCTION \"public\".\"gen_random_bytes\"(integer) FROM PUBLIC")
                            .contains("GRANT ALL ON FUNCTION \"public\".\"gen_random_bytes\"(integer) TO \""
                                    + reader + "\""));
        } finally {
            drop(List.of(source, target), db, reader);
        }
    }

    /**
     * pg_dump from 15 on writes the public schema's privileges of an older source relative to 15's default, where
     * PUBLIC may not create in it, so it writes nothing for a source that revoked CREATE from PUBLIC; a target
     * before 15 makes the schema with CREATE for PUBLIC: every login could create in it again, and nothing said so.
     */
    @Test
    void aSourceThatRevokedCreateOnPublicKeepsItRevokedOnATargetBefore15(@Pg("9.6") PostgresServer source,
            @Pg("14") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("public96");
        source.execute("postgres", "CREATE DATABASE " + db);
        source.execute(db, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            String acl = "SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'";
            assertThat(target.queryForString(db, acl)).isEqualTo(source.queryForString(db, acl))
                    .isEqualTo("{postgres=UC/postgres,=U/postgres}");
        } finally {
            drop(List.of(source, target), db);
        }
    }

    /** The same on a managed target before 15, whose admin does not own the public schema: a warning says so. */
    @Test
    void aManagedTargetBefore15ThatCannotRevokeCreateOnPublicSaysSo(@Pg("9.6") PostgresServer source,
            @Pg(value = "14", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        String db = TestDatabases.unique("public96m");
        source.execute("postgres", "CREATE DATABASE " + db);
        source.execute(db, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.PRIVILEGES_NOT_APPLIED).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains(db)
                            .contains("REVOKE CREATE ON SCHEMA \"public\" FROM PUBLIC"));
        } finally {
            drop(List.of(source, target), db);
        }
    }

    /**
     * A role the target already has is left as it is, the note says, memberships included: yet it was made a member,
     * with ADMIN OPTION, of the source's group that the migration created, so it could read the group's tables and
     * hand the group to anyone.
     */
    @Test
    void aRoleTheTargetAlreadyHasGetsNoMembershipInACreatedRole(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("kept_member");
        String group = db + "_group";
        String member = db + "_member";
        source.execute("postgres", "CREATE ROLE " + group, "CREATE ROLE " + member,
                "GRANT " + group + " TO " + member + " WITH ADMIN OPTION", "CREATE DATABASE " + db);
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY)", "GRANT SELECT ON t TO " + group);
        target.execute("postgres", "CREATE ROLE " + member);
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_auth_members WHERE member = '"
                    + member + "'::regrole")).as("the existing role's memberships").isZero();
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.ROLES_KEPT).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains("GRANT \"" + group + "\" TO \"" + member
                            + "\" WITH ADMIN OPTION"));
        } finally {
            drop(List.of(source, target), db, member, group);
        }
    }

    private static void plantGrantsByAHolder(PostgresServer source, String db, String owner, String holder,
            String reader) {
        source.execute("postgres", "CREATE ROLE " + owner, "CREATE ROLE " + holder, "CREATE ROLE " + reader,
                "CREATE DATABASE " + db + " OWNER " + owner);
        source.execute(db, "SET ROLE " + owner, "CREATE TABLE t (id int PRIMARY KEY)",
                "GRANT SELECT ON t TO " + holder + " WITH GRANT OPTION",
                "SELECT lo_from_bytea(4243001, 'x')",
                "GRANT UPDATE ON LARGE OBJECT 4243001 TO " + holder + " WITH GRANT OPTION",
                "SET ROLE " + holder, "GRANT SELECT ON t TO " + reader,
                "GRANT UPDATE ON LARGE OBJECT 4243001 TO " + reader, "RESET ROLE");
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
