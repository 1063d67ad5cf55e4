package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import org.junit.jupiter.api.Test;

/**
 * Found by a review: a password held in a dumped object's definition (a user mapping's options, a subscription's
 * connection string) was repeated in the migration's error when that statement failed on the target; and a SECURITY
 * DEFINER function whose owner the target lacks became the admin's, callable by everyone with the admin's rights.
 */
@PostgresTest
class SecretsAndDefinersTest {
    @Test
    void aUserMappingPasswordIsNotRepeatedInTheError(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("umleak"));
        String role = db + "_remote";
        String planted = "Um-S3cret-" + Long.toString(System.nanoTime(), 36);
        source.execute("postgres", "CREATE ROLE " + role);
        try {
            source.execute(db, "CREATE FOREIGN DATA WRAPPER leak_fdw",
                    "CREATE SERVER leak_srv FOREIGN DATA WRAPPER leak_fdw",
                    "CREATE USER MAPPING FOR " + role + " SERVER leak_srv OPTIONS (user 'remote', password '"
                            + planted + "')",
                    "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            // Roles not migrated (as on many managed targets): the mapping's role is missing on the target.
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE,
                    s -> s.migrateRoles(false));
            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors().toString()).contains("USER MAPPING").contains("'***'");
            assertThat(done.toString()).doesNotContain(planted);
        } finally {
            target.dropDatabase(db);
            source.dropDatabase(db);
            source.execute("postgres", "DROP ROLE IF EXISTS " + role);
        }
    }

    /** On a target whose admin may not create subscriptions it is left out, as the check said, and noted. */
    @Test
    void aSubscriptionIsLeftOutWithoutRepeatingItsPassword(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("subleak"));
        String planted = "Sub-S3cret-" + Long.toString(System.nanoTime(), 36);
        String sub = db + "_sub";
        try {
            source.execute(db, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)",
                    "CREATE SUBSCRIPTION " + sub + " CONNECTION 'host=127.0.0.1 port=1 dbname=x user=u password="
                            + planted + "' PUBLICATION p WITH (connect = false, slot_name = NONE)",
                    "COMMENT ON SUBSCRIPTION " + sub + " IS 'feeds t'");
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE, s -> { });
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.notes().toString()).contains("SUBSCRIPTION " + sub);
            assertThat(done.toString()).doesNotContain(planted);
        } finally {
            source.execute(db, "DROP SUBSCRIPTION IF EXISTS " + sub);
            target.dropDatabase(db);
            source.dropDatabase(db);
        }
    }

    @Test
    void aSecurityDefinerFunctionLeftToTheAdminIsCallableByNoOneElse(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("secdef"));
        String owner = db + "_owner";
        String caller = db + "_caller";
        source.execute("postgres", "CREATE ROLE " + owner, "CREATE ROLE " + caller);
        target.execute("postgres", "CREATE ROLE " + caller);
        try {
            source.execute(db, "CREATE TABLE t (id int PRIMARY KEY)",
                    "CREATE FUNCTION public.whoami() RETURNS text LANGUAGE sql SECURITY DEFINER "
                            + "AS 'SELECT current_user::text'",
                    "CREATE FUNCTION public.granted() RETURNS text LANGUAGE sql SECURITY DEFINER "
                            + "AS 'SELECT current_user::text'",
                    "CREATE FUNCTION public.plain() RETURNS text LANGUAGE sql AS 'SELECT current_user::text'",
                    "ALTER FUNCTION public.whoami() OWNER TO " + owner,
                    "ALTER FUNCTION public.granted() OWNER TO " + owner,
                    "ALTER FUNCTION public.plain() OWNER TO " + owner,
                    "REVOKE ALL ON FUNCTION public.granted() FROM PUBLIC",
                    "GRANT EXECUTE ON FUNCTION public.granted() TO " + caller);
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.MIGRATE,
                    s -> s.migrateRoles(false));
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            String executable = "SELECT string_agg(p.proname || '=' || has_function_privilege('public', p.oid, "
                    + "'EXECUTE') || '/' || has_function_privilege('" + caller + "', p.oid, 'EXECUTE'), ' ' ORDER BY "
                    + "p.proname) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace";
            assertThat(target.queryForString(db, executable)).as("PUBLIC / the caller may execute")
                    .isEqualTo("granted=false/false plain=true/true whoami=false/false");
            assertThat(done.notes()).filteredOn(n -> n.text().contains("SECURITY DEFINER")).singleElement()
                    .satisfies(n -> assertThat(n.text()).contains("whoami()").contains("granted()")
                            .doesNotContain("plain()"));
        } finally {
            target.dropDatabase(db);
            source.dropDatabase(db);
            source.execute("postgres", "DROP ROLE IF EXISTS " + owner, "DROP ROLE IF EXISTS " + caller);
            target.execute("postgres", "DROP ROLE IF EXISTS " + caller);
        }
    }
}
