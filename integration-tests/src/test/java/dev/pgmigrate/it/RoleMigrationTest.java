package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.EverythingDataset;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Roles the databases need arrive on the target with attributes, passwords, memberships and settings. */
@PostgresTest
class RoleMigrationTest {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @Test
    void rolesArriveWithMembershipsSettingsAndPasswordHashes(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("roles");
        String app = db + "_app";
        String group = db + "_group";
        String admin = db + "_admin";
        String owner = db + "_owner";
        String legacy = db + "_legacy";
        String unrelated = db + "_unrelated";
        source.execute("postgres",
                "CREATE ROLE " + group + " NOLOGIN",
                "CREATE ROLE " + app + " LOGIN CREATEDB CONNECTION LIMIT 7 VALID UNTIL '2100-01-01 00:00:00+00' "
                        + "PASSWORD 'app secret'",
                "CREATE ROLE " + admin + " LOGIN PASSWORD 'admin secret'",
                "CREATE ROLE " + legacy + " LOGIN PASSWORD '" + md5Hash("legacy secret", legacy) + "'",
                "CREATE ROLE " + owner + " NOLOGIN",
                "CREATE ROLE " + unrelated + " LOGIN",
                "GRANT " + group + " TO " + app,
                "GRANT " + group + " TO " + admin + " WITH ADMIN OPTION",
                "GRANT " + group + " TO " + legacy,
                "ALTER ROLE " + app + " SET work_mem = '3MB'",
                "ALTER ROLE " + app + " SET search_path = app, \"My Schema\", public",
                "CREATE DATABASE " + db + " OWNER " + owner,
                "ALTER ROLE " + app + " IN DATABASE " + db + " SET statement_timeout = '5s'");
        source.execute(db, "CREATE TABLE t (id int)", "INSERT INTO t VALUES (1), (2)",
                "ALTER TABLE t OWNER TO " + owner, "GRANT SELECT ON t TO " + group);

        MigrationRecord done = migrate(source, target, db, MigrationOption.VALIDATE_AND_MIGRATE, s -> { });

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString("postgres", "SELECT rolcanlogin || ' ' || rolcreatedb || ' ' || rolconnlimit "
                + "|| ' ' || extract(year FROM rolvaliduntil) FROM pg_roles WHERE rolname = '" + app + "'"))
                .isEqualTo("true true 7 2100");
        assertThat(target.queryForString("postgres", "SELECT string_agg(m.rolname || ':' || a.admin_option, ',' "
                + "ORDER BY m.rolname) FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid "
                + "JOIN pg_roles m ON m.oid = a.member WHERE r.rolname = '" + group + "'"))
                .isEqualTo(admin + ":true," + app + ":false," + legacy + ":false");
        assertThat(target.queryForString("postgres", "SELECT array_to_string(setconfig, ';') FROM pg_db_role_setting "
                + "WHERE setrole = '" + app + "'::regrole AND setdatabase = 0"))
                .isEqualTo("work_mem=3MB;search_path=app, \"My Schema\", public");
        assertThat(target.queryForString("postgres", "SELECT array_to_string(s.setconfig, ';') FROM "
                + "pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = '" + db
                + "' AND s.setrole = '" + app + "'::regrole")).isEqualTo("statement_timeout=5s");
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + unrelated + "'"))
                .as("a role no database needs stays behind").isZero();
        for (String role : List.of(app, admin, legacy)) {
            assertThat(target.queryForString("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = '" + role
                    + "'")).as("the hash of " + role).isEqualTo(source.queryForString("postgres",
                            "SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'"));
        }
        assertThat(target.queryForString(db, "SELECT pg_get_userbyid(datdba) FROM pg_database "
                + "WHERE datname = current_database()")).isEqualTo(owner);
        assertThat(target.queryForString(db, "SELECT tableowner FROM pg_tables WHERE tablename = 't'"))
                .isEqualTo(owner);
        try (Connection c = target.connect(db, app, Secret.of("app secret")); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), current_setting('statement_timeout'), "
                        + "current_setting('work_mem') FROM t")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the group's grant reaches its member").isEqualTo(2);
            assertThat(rs.getString(2)).isEqualTo("5s");
            assertThat(rs.getString(3)).isEqualTo("3MB");
        }
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text()).startsWith("Created 5 role(s) on the target")
                .contains(app, group, admin, owner, legacy));
        assertThat(done.notes().toString()).doesNotContain("SCRAM-SHA-256$").doesNotContain(md5Hash("legacy secret",
                legacy));
        assertThat(done.notes()).filteredOn(n -> n.code() == dev.pgmigrate.api.MessageCode.ROLE_PASSWORDS_NOT_SCRAM)
                .singleElement().satisfies(n -> assertThat(n.text()).contains(legacy).doesNotContain(app));
    }

    @Test
    void grantsAndPoliciesOfTheEverythingDatasetKeepTheirRole(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("roles_everything"));
        EverythingDataset.load(source, db);
        String reader = EverythingDataset.READER_ROLE;

        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString(db, "SELECT has_table_privilege('" + reader + "', 'everything.customers', "
                + "'SELECT') AND has_schema_privilege('" + reader + "', 'everything', 'USAGE') "
                + "AND has_column_privilege('" + reader + "', 'everything.collated_names', 'c_name', 'SELECT')"))
                .isEqualTo("t");
        assertThat(target.queryForString(db, "SELECT polroles::regrole[]::text FROM pg_policy "
                + "WHERE polname = 'customers_reader'")).isEqualTo("{" + reader + "}");
        assertThat(done.notes()).noneMatch(n -> n.text().contains("were not granted"));
    }

    @Test
    void aManagedTargetGetsRolesWithoutTheAttributesItCannotGrantAndKeepsExistingRoles(
            @Pg("15") PostgresServer source, @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target)
            throws Exception {
        migratesToAManagedTarget(source, target);
    }

    @Test
    void aManagedTargetBefore16GetsTheSameRoles(@Pg("15") PostgresServer source,
            @Pg(value = "15", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        migratesToAManagedTarget(source, target);
    }

    private static void migratesToAManagedTarget(PostgresServer source, PostgresServer target) throws Exception {
        String db = TestDatabases.unique("roles_managed");
        String boss = db + "_boss";
        String replicator = db + "_repl";
        String owner = db + "_owner";
        String existing = db + "_existing";
        source.execute("postgres",
                "CREATE ROLE " + boss + " SUPERUSER LOGIN PASSWORD 'boss secret'",
                "CREATE ROLE " + replicator + " REPLICATION BYPASSRLS NOLOGIN",
                "CREATE ROLE " + owner + " NOLOGIN",
                "CREATE ROLE " + existing + " NOLOGIN CONNECTION LIMIT 9",
                "CREATE DATABASE " + db + " OWNER " + owner);
        source.execute(db, "CREATE TABLE t (id int)", "ALTER TABLE t OWNER TO " + owner,
                "GRANT SELECT ON t TO " + boss + ", " + replicator + ", " + existing);
        target.executeAsAdmin("postgres", "CREATE ROLE " + existing + " NOLOGIN CONNECTION LIMIT 3");

        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString("postgres", "SELECT string_agg(rolname || ':' || rolsuper || rolreplication "
                + "|| rolbypassrls, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('" + boss + "', '"
                + replicator + "')")).isEqualTo(boss + ":falsefalsefalse," + replicator + ":falsefalsefalse");
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text()).startsWith("Created without attributes")
                .contains(boss + " (SUPERUSER)").contains(replicator + " (REPLICATION, BYPASSRLS)"));
        assertThat(target.queryForString(db, "SELECT tableowner FROM pg_tables WHERE tablename = 't'"))
                .as("the admin may give objects to the roles it created").isEqualTo(owner);
        assertThat(target.queryForString(db, "SELECT has_table_privilege('" + boss + "', 't', 'SELECT') "
                + "AND has_table_privilege('" + replicator + "', 't', 'SELECT') "
                + "AND has_table_privilege('" + existing + "', 't', 'SELECT')")).isEqualTo("t");
        try (Connection c = target.connect(db, boss, Secret.of("boss secret"))) {
            assertThat(c.isValid(5)).as("the superuser's hash arrived on the managed target").isTrue();
        }
        assertThat(target.queryForString("postgres", "SELECT rolconnlimit FROM pg_roles WHERE rolname = '" + existing
                + "'")).as("an existing role is left as it is").isEqualTo("3");
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text()).startsWith("Left as they are").contains(existing));
    }

    @Test
    void theDatabasesOwnPrivilegesCommentAndSettingsAndTheRolesCommentsArrive(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("db_props");
        String app = db + "_app";
        String root = db + "_root";
        source.execute("postgres", "CREATE ROLE " + app + " LOGIN PASSWORD 'app secret'",
                "CREATE ROLE " + root + " SUPERUSER NOLOGIN", "COMMENT ON ROLE " + app + " IS 'the application''s login'",
                "CREATE DATABASE " + db + " CONNECTION LIMIT 40",
                "REVOKE CONNECT, TEMPORARY ON DATABASE " + db + " FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + db + " TO " + app, "GRANT ALL ON DATABASE " + db + " TO " + root,
                "COMMENT ON DATABASE " + db + " IS 'orders; since 2019'",
                "ALTER DATABASE " + db + " SET work_mem = '7MB'",
                "ALTER DATABASE " + db + " SET default_transaction_read_only = on",
                "ALTER ROLE " + app + " IN DATABASE " + db + " SET search_path = app, public");

        MigrationRecord done = migrate(source, target, db, MigrationOption.VALIDATE_AND_MIGRATE, s -> { });

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        String acl = "SELECT datacl::text FROM pg_database WHERE datname = '" + db + "'";
        assertThat(target.queryForString("postgres", acl)).isEqualTo(source.queryForString("postgres", acl));
        assertThat(target.queryForString("postgres", "SELECT has_database_privilege('public', '" + db + "', "
                + "'CONNECT')::text || has_database_privilege('" + app + "', '" + db + "', 'CONNECT')::text"))
                .as("PUBLIC stays out, the application gets in").isEqualTo("falsetrue");
        assertThat(target.queryForString("postgres", "SELECT shobj_description(oid, 'pg_database') || ' / ' || "
                + "datconnlimit FROM pg_database WHERE datname = '" + db + "'")).isEqualTo("orders; since 2019 / 40");
        String settings = "SELECT coalesce(r.rolname, '*') || ':' || array_to_string(s.setconfig, ';') FROM "
                + "pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = "
                + "s.setrole WHERE d.datname = '" + db + "' ORDER BY 1";
        assertThat(target.query("postgres", settings)).isEqualTo(source.query("postgres", settings));
        assertThat(target.queryForString("postgres", "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles "
                + "WHERE rolname = '" + app + "'")).isEqualTo("the application's login");
        assertThat(target.queryForString("postgres", "SELECT rolsuper::text FROM pg_roles WHERE rolname = '" + root
                + "'")).as("a self-hosted superuser target keeps SUPERUSER").isEqualTo("true");
        assertThat(done.validationResults()).anySatisfy(r -> assertThat(r.validatorId()).isEqualTo("privileged-roles"))
                .filteredOn(r -> r.validatorId().equals("privileged-roles")).singleElement()
                .satisfies(r -> assertThat(r.items()).anySatisfy(i -> assertThat(i).startsWith(root + ": keeps SUPERUSER")));
    }

    @Test
    void aManagedTargetProfileLeavesSuperuserOutEvenForASuperuserLogin(@Pg("15") PostgresServer source,
            @Pg("16") PostgresServer target) throws Exception {
        String db = TestDatabases.unique("roles_profile");
        String root = db + "_root";
        source.execute("postgres", "CREATE ROLE " + root + " SUPERUSER NOLOGIN", "CREATE DATABASE " + db + " OWNER "
                + root);
        MigrationSpec plain = spec(source, target, db, MigrationOption.VALIDATE_AND_MIGRATE, s -> { });
        MigrationSpec spec = MigrationSpec.builder().name(plain.name()).source(plain.source())
                .target(target.serverSpec(dev.pgmigrate.api.SourceServerType.AZURE_FLEXIBLE_SERVER))
                .databases(db).option(plain.option()).settings(plain.settings()).build();
        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().build()) {
            done = service.start(spec).await(Duration.ofMinutes(3));
        }
        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString("postgres", "SELECT rolsuper::text FROM pg_roles WHERE rolname = '" + root
                + "'")).isEqualTo("false");
        assertThat(done.validationResults()).filteredOn(r -> r.validatorId().equals("privileged-roles"))
                .singleElement().satisfies(r -> {
                    assertThat(r.status()).isEqualTo(dev.pgmigrate.api.ValidationStatus.WARNING);
                    assertThat(r.items()).anySatisfy(i -> assertThat(i).startsWith(root + ": loses SUPERUSER"));
                });
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text()).startsWith("Created without attributes")
                .contains("AzureFlexibleServer").contains(root + " (SUPERUSER)"));
    }

    @Test
    void aSourceThatHidesPasswordHashesGivesRolesWithoutPasswordsAndTheCommandToSetThem(
            @Pg(value = "15", profile = ServerProfile.MANAGED) PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = TestDatabases.unique("roles_hidden");
        String app = db + "_app";
        source.executeAsAdmin("postgres", "CREATE ROLE " + app + " LOGIN PASSWORD 'app secret'",
                "CREATE DATABASE " + db);
        source.executeAsAdmin(db, "CREATE TABLE t (id int)", "GRANT SELECT ON t TO " + app);

        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> { });

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString("postgres", "SELECT rolcanlogin::text || (rolpassword IS NULL)::text "
                + "FROM pg_authid WHERE rolname = '" + app + "'")).isEqualTo("truetrue");
        assertThat(done.notes()).anySatisfy(n -> assertThat(n.text()).startsWith("Login roles were created without a password")
                .contains("ALTER ROLE \"" + app + "\" PASSWORD '...';"));
    }

    @Test
    void scopeAllTakesRolesNoDatabaseNeeds(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("roles_all"));
        String loner = db + "_loner";
        source.execute("postgres", "CREATE ROLE " + loner + " LOGIN CONNECTION LIMIT 2");

        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE,
                s -> s.option("roles.scope", "all"));

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForString("postgres", "SELECT rolconnlimit FROM pg_roles WHERE rolname = '" + loner
                + "'")).isEqualTo("2");
    }

    @Test
    void rolesAreLeftAloneWhenMigrateRolesIsOff(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = TestDatabases.unique("roles_off");
        String owner = db + "_owner";
        source.execute("postgres", "CREATE ROLE " + owner + " NOLOGIN", "CREATE DATABASE " + db + " OWNER " + owner);

        MigrationRecord done = migrate(source, target, db, MigrationOption.MIGRATE, s -> s.migrateRoles(false));

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForLong("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + owner + "'"))
                .isZero();
    }

    static MigrationRecord migrate(PostgresServer source, PostgresServer target, String db, MigrationOption option,
            Consumer<MigrationSettings.Builder> settings) throws Exception {
        try (MigrationService service = MigrationService.builder().build()) {
            return service.start(spec(source, target, db, option, settings)).await(Duration.ofMinutes(3));
        }
    }

    static MigrationSpec spec(PostgresServer source, PostgresServer target, String db, MigrationOption option,
            Consumer<MigrationSettings.Builder> settings) {
        MigrationSettings.Builder builder = MigrationSettings.builder().parallelism(2);
        settings.accept(builder);
        return MigrationSpec.builder().name("roles-" + RUNS.incrementAndGet() + "-" + db.replace('_', '-'))
                .source(source.serverSpec()).target(target.serverSpec()).databases(db).option(option)
                .settings(builder.build()).build();
    }

    /** The hash PostgreSQL stores for an MD5 password: {@code md5} and the MD5 of password and role name. */
    private static String md5Hash(String password, String role) throws Exception {
        return "md5" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                .digest((password + role).getBytes(StandardCharsets.UTF_8)));
    }
}
