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
 * Who granted a privilege arrives as on the source: revoking a grant option takes away what its holder granted,
 * and only that. An admin that is no superuser but a member of several roles holding a grant option grants through
 * the first of them (the oldest), not necessarily the object's owner.
 */
@PostgresTest
class GrantorsTest {
    /** The database's privileges, each with its grantor. */
    private static String databaseGrants(String db) {
        return "SELECT string_agg(a.grantor::regrole || '>' || a.grantee::regrole || '=' || a.privilege_type || '/' "
                + "|| a.is_grantable, ' ' ORDER BY 1) FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = '"
                + db + "'";
    }

    /** The table's and its columns' privileges, each with its grantor; MAINTAIN (17+) is left out. */
    private static final String TABLE_GRANTS = "SELECT string_agg(what || ':' || grantor::regrole || '>' "
            + "|| grantee::regrole || '=' || privilege_type || '/' || is_grantable, ' ' ORDER BY 1) FROM (SELECT 't' "
            + "AS what, (aclexplode(relacl)).* FROM pg_class WHERE relname = 't' UNION ALL SELECT 't.' || attname, "
            + "(aclexplode(attacl)).* FROM pg_attribute WHERE attrelid = 't'::regclass) a "
            + "WHERE privilege_type <> 'MAINTAIN'";

    @Test
    void databasePrivilegesGrantedByAHolderKeepTheirGrantor(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        migratesDatabaseGrantsByAHolder(source, target);
    }

    @Test
    void databasePrivilegesGrantedByAHolderKeepTheirGrantorOnAManagedTarget(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        migratesDatabaseGrantsByAHolder(source, target);
    }

    private static void migratesDatabaseGrantsByAHolder(PostgresServer source, PostgresServer target)
            throws Exception {
        String db = TestDatabases.unique("dbgrantor");
        // The owner sorts first, so it is created first: the managed admin's oldest role holding the grant option.
        String owner = db + "_boss";
        String holder = db + "_holder";
        String app = db + "_app";
        plantDatabaseGrantsByAHolder(source, db, owner, holder, app);
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForString("postgres", databaseGrants(db)))
                    .contains(holder + ">" + app + "=CONNECT/false")
                    .isEqualTo(source.queryForString("postgres", databaseGrants(db)));
            assertThat(done.notes()).noneMatch(n -> n.code() == MessageCode.GRANTOR_CHANGED);
        } finally {
            drop(List.of(source, target), db, owner, holder, app);
        }
    }

    /** Roles not migrated and the target without the holder: its grants are made by the owner, and noted. */
    @Test
    void aDatabasePrivilegeWhoseGrantorTheTargetLacksIsNoted(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("dbgrantor_gone");
        String owner = db + "_boss";
        String holder = db + "_holder";
        String app = db + "_app";
        plantDatabaseGrantsByAHolder(source, db, owner, holder, app);
        target.execute("postgres", "CREATE ROLE " + owner, "CREATE ROLE " + app);
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE,
                    s -> s.migrateRoles(false));

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForString("postgres", "SELECT has_database_privilege('" + app + "', '" + db
                    + "', 'CONNECT')::text || has_database_privilege('" + app + "', '" + db + "', 'TEMP')::text"))
                    .isEqualTo("truetrue");
            assertThat(done.notes()).filteredOn(n -> n.code() == MessageCode.GRANTOR_CHANGED).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains(holder).contains("DATABASE " + db));
        } finally {
            drop(List.of(source, target), db, owner, holder, app);
        }
    }

    /**
     * The owner grants a column and the table to a reader after giving a holder the grant option on the table. The
     * managed admin, a member of both and of the holder first (created first: it sorts first), granted through the
     * holder: revoking the holder's grant option would take the reader's privileges away on the target only.
     */
    @Test
    void theOwnersTableAndColumnGrantsKeepTheOwnerAsGrantorOnAManagedTarget(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        migratesTheOwnersGrants(source, target);
    }

    @Test
    void theOwnersTableAndColumnGrantsKeepTheOwnerAsGrantorOnAManagedTargetBefore16(@Pg("15") PostgresServer source,
            @Pg(value = "15", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        migratesTheOwnersGrants(source, target);
    }

    private static void migratesTheOwnersGrants(PostgresServer source, PostgresServer target) throws Exception {
        String db = TestDatabases.unique("colgrantor");
        String owner = db + "_owner";
        String holder = db + "_holder";
        String reader = db + "_reader";
        source.execute("postgres", "CREATE ROLE " + owner, "CREATE ROLE " + holder, "CREATE ROLE " + reader,
                "CREATE DATABASE " + db + " OWNER " + owner);
        source.execute(db, "SET ROLE " + owner, "CREATE TABLE t (id int PRIMARY KEY, c int)",
                "GRANT SELECT ON t TO " + holder + " WITH GRANT OPTION",
                "GRANT SELECT (c) ON t TO " + reader, "GRANT UPDATE (id) ON t TO " + reader,
                "GRANT SELECT ON t TO " + reader,
                "RESET ROLE");
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(target.queryForString(db, TABLE_GRANTS)).contains("t.c:" + owner + ">" + reader + "=SELECT")
                    .isEqualTo(source.queryForString(db, TABLE_GRANTS));
        } finally {
            drop(List.of(source, target), db, owner, holder, reader);
        }
    }

    private static void plantDatabaseGrantsByAHolder(PostgresServer source, String db, String owner, String holder,
            String app) {
        source.execute("postgres", "CREATE ROLE " + owner, "CREATE ROLE " + holder, "CREATE ROLE " + app,
                "CREATE DATABASE " + db + " OWNER " + owner,
                "SET ROLE " + owner, "REVOKE CONNECT, TEMPORARY ON DATABASE " + db + " FROM PUBLIC",
                "GRANT CONNECT, TEMPORARY, CREATE ON DATABASE " + db + " TO " + holder + " WITH GRANT OPTION",
                "SET ROLE " + holder, "GRANT CONNECT, TEMPORARY ON DATABASE " + db + " TO " + app, "RESET ROLE");
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
