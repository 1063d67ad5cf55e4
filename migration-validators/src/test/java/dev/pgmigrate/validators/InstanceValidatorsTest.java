package dev.pgmigrate.validators;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.ValidationOutcome;
import dev.pgmigrate.testkit.ValidatorTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

@PostgresTest
class InstanceValidatorsTest {
    private static ValidationOutcome run(String id, PostgresServer source, PostgresServer target, String database) {
        return ValidatorTestKit.validator(id).source(source).target(target).database(database).run();
    }

    /** A new login on {@code server} with {@code attributes}, as a server spec. */
    private static ServerSpec login(PostgresServer server, String attributes) {
        String name = TestDatabases.unique("login");
        server.execute("postgres", "CREATE ROLE " + name + " LOGIN PASSWORD 'secret-pw' " + attributes);
        return server.serverSpec().withLogin(name, Optional.of(Secret.of("secret-pw")));
    }

    @Test
    void targetPrivilegesSucceedForTheManagedAdmin(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        run("target-privileges", source, target, "postgres").assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("CREATEDB", "CREATEROLE");
    }

    @Test
    void targetPrivilegesFailWithoutCreateDbAndCreateRole(@Pg("17") PostgresServer server) {
        ValidatorTestKit.validator("target-privileges").source(server).target(login(server, "")).run()
                .assertThatResults().hasStatus(ValidationStatus.FAILED).mentions("CREATEDB CREATEROLE");
    }

    @Test
    void sessionTerminationNeedsNothingWithoutOverwrite(@Pg("17") PostgresServer server) {
        ValidatorTestKit.validator("session-termination").source(server).target(login(server, "")).run()
                .assertThatResults().hasStatus(ValidationStatus.SUCCEEDED).mentions("overwriteDbsInTarget is off");
    }

    @Test
    void sessionTerminationSucceedsForAPgSignalBackendMember(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        ValidatorTestKit.validator("session-termination").source(source).target(target)
                .settings(s -> s.overwriteDbsInTarget(true)).run().assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("pg_signal_backend");
    }

    @Test
    void sessionTerminationFailsWhenOverwritingWithoutPgSignalBackend(@Pg("17") PostgresServer server) {
        ValidatorTestKit.validator("session-termination").source(server).target(login(server, "CREATEDB"))
                .settings(s -> s.overwriteDbsInTarget(true)).run().assertThatResults()
                .hasStatus(ValidationStatus.FAILED).mentions("GRANT pg_signal_backend");
    }

    @Test
    void targetWritableSucceedsOnAPrimary(@Pg("17") PostgresServer server) {
        run("target-writable", server, server, "postgres").assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void targetWritableFailsWhenTheLoginIsReadOnlyByDefault(@Pg("17") PostgresServer server) {
        ServerSpec readOnly = login(server, "");
        server.execute("postgres", "ALTER ROLE " + readOnly.adminLogin() + " SET default_transaction_read_only = on");
        ValidatorTestKit.validator("target-writable").source(server).target(readOnly).run().assertThatResults()
                .hasStatus(ValidationStatus.FAILED).mentions("the role " + readOnly.adminLogin());
    }

    @Test
    void serverParametersSucceedBetweenEqualServers(@Pg("17") PostgresServer server) {
        run("server-parameters", server, server, "postgres").assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void serverParametersListWhatDiffers(@Pg(value = "17", settings = "work_mem=7MB") PostgresServer source,
            @Pg("17") PostgresServer target) {
        run("server-parameters", source, target, "postgres").assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions("work_mem: source 7168 kB, target 4096 kB").doesNotMention("port:", "data_directory");
    }

    @Test
    void extensionAllowListSucceedsWithoutAnAllowList(@Pg("17") PostgresServer server) {
        String db = server.createUniqueDatabase("allow");
        server.execute(db, "CREATE EXTENSION citext");
        run("extension-allow-list", server, server, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("no extension allow-list");
    }

    @Test
    void extensionAllowListFailsForAnExtensionNotOnIt(@Pg("17") PostgresServer source,
            @Pg(value = "17", settings = "pgmigrate_test.allowed_extensions=hstore") PostgresServer target) {
        String db = source.createUniqueDatabase("allow");
        source.execute(db, "CREATE EXTENSION citext", "CREATE EXTENSION hstore");
        ValidatorTestKit.validator("extension-allow-list").source(source).target(target).database(db)
                .settings(s -> s.extensionAllowListParameter("pgmigrate_test.allowed_extensions")).run()
                .assertThatResults().hasStatus(ValidationStatus.FAILED).mentions("citext").doesNotMention("hstore (");
    }

    /** RDS's default {@code rds.allowed_extensions = '*'} lists no extension and allows every one. */
    @Test
    void extensionAllowListOfAStarAllowsEveryExtension(@Pg("17") PostgresServer source,
            @Pg(value = "17", settings = "pgmigrate_test.allowed_extensions=*") PostgresServer target) {
        String db = source.createUniqueDatabase("allow");
        source.execute(db, "CREATE EXTENSION citext", "CREATE EXTENSION hstore");
        ValidatorTestKit.validator("extension-allow-list").source(source).target(target).database(db)
                .settings(s -> s.extensionAllowListParameter("pgmigrate_test.allowed_extensions")).run()
                .assertThatResults().hasStatus(ValidationStatus.SUCCEEDED).mentions("allows every extension");
    }

    /** A login like a managed service's admin (CREATEDB CREATEROLE, no SUPERUSER) that may read every setting. */
    private static ServerSpec adminReadingSettings(PostgresServer server) {
        ServerSpec admin = login(server, "CREATEDB CREATEROLE");
        server.execute("postgres", "GRANT pg_read_all_settings TO " + admin.adminLogin());
        return admin;
    }

    @Test
    void extensionAllowListFailsForAnUntrustedExtensionANonSuperuserTargetLoginCannotCreate(
            @Pg("15") PostgresServer source, @Pg("15") PostgresServer target) {
        String db = source.createUniqueDatabase("trust");
        source.execute(db, "CREATE EXTENSION file_fdw", "CREATE EXTENSION hstore", "CREATE EXTENSION pgcrypto");
        ValidatorTestKit.validator("extension-allow-list").source(source).target(adminReadingSettings(target))
                .database(db).run().assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("file_fdw (in " + db + ")", "not trusted", "superuser login")
                .doesNotMention("hstore (", "pgcrypto (").everyProblemHasARemedy();
    }

    @Test
    void extensionAllowListOnlyWarnsAboutAnUntrustedExtensionWhereAServiceMayAllowIt(
            @Pg("15") PostgresServer source, @Pg(value = "15", profile = ServerProfile.MANAGED) PostgresServer target) {
        String db = source.createUniqueDatabase("trust");
        source.execute(db, "CREATE EXTENSION file_fdw");
        // The managed admin cannot read shared_preload_libraries, where a service's library would be.
        run("extension-allow-list", source, target, db).assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions("file_fdw (in " + db + ")", "cannot read shared_preload_libraries");
        // Declared a managed service, whose own ways (rds_superuser) may let its admin create it.
        ServerSpec admin = adminReadingSettings(target);
        ValidatorTestKit.validator("extension-allow-list").source(source)
                .target(target.serverSpec(SourceServerType.AWS_RDS).withLogin(admin.adminLogin(), admin.password()))
                .database(db).run().assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions("file_fdw", "AWS_RDS, a managed service");
    }

    @Test
    void extensionAllowListSucceedsWhenEveryExtensionIsTrusted(@Pg("15") PostgresServer source,
            @Pg("15") PostgresServer target) {
        String db = source.createUniqueDatabase("trust");
        source.execute(db, "CREATE EXTENSION hstore", "CREATE EXTENSION pgcrypto");
        ValidatorTestKit.validator("extension-allow-list").source(source).target(adminReadingSettings(target))
                .database(db).run().assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void preloadLibrariesSucceedWhenPreloaded(@Pg("17") PostgresServer source,
            @Pg(value = "17", sharedPreloadLibraries = "pg_stat_statements") PostgresServer target) {
        String db = source.createUniqueDatabase("preload");
        source.execute(db, "CREATE EXTENSION pg_stat_statements");
        run("preload-libraries", source, target, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void preloadLibrariesWarnWhenTheTargetDoesNotPreload(@Pg("17") PostgresServer server) {
        String db = server.createUniqueDatabase("preload");
        server.execute(db, "CREATE EXTENSION pg_stat_statements");
        run("preload-libraries", server, server, db).assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions("pg_stat_statements needs pg_stat_statements", "shared_preload_libraries");
    }

    @Test
    void privilegedRolesNameEachRoleAndWhatItKeepsOnASelfHostedTarget(@Pg("17") PostgresServer source,
            @Pg("16") PostgresServer target) {
        String db = source.createUniqueDatabase("privileged");
        String root = db + "_root";
        String rls = db + "_rls";
        // Roles the database needs: the checks leave out those only other databases use.
        source.execute("postgres", "CREATE ROLE " + root + " SUPERUSER NOLOGIN", "CREATE ROLE " + rls + " BYPASSRLS",
                "GRANT CONNECT ON DATABASE " + db + " TO " + root + ", " + rls);
        run("privileged-roles", source, target, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions(root + ": keeps SUPERUSER", rls + ": keeps BYPASSRLS", "self-hosted target (OnPremises)");
        // The same server, named as a managed service: its profile allows no superuser.
        ValidatorTestKit.validator("privileged-roles").source(source)
                .target(target.serverSpec(dev.pgmigrate.api.SourceServerType.AWS_RDS)).database(db).run()
                .assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions(root + ": loses SUPERUSER (the target is AWS_RDS, a managed service: no superusers)",
                        rls + ": keeps BYPASSRLS")
                .everyProblemHasARemedy();
        // A role that already exists on the target is left as it is.
        run("privileged-roles", source, source, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions(root + ": exists on the target");
    }

    @Test
    void rolePasswordsExpectAManagedSourceToHideTheHashes(
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer source, @Pg("16") PostgresServer target) {
        String db = source.createUniqueDatabase("pw");
        String app = db + "_app";
        source.execute("postgres", "CREATE ROLE " + app + " LOGIN PASSWORD 'app-pw'",
                "GRANT CONNECT ON DATABASE " + db + " TO " + app);
        // The managed admin reads no pg_authid; declared AWS_RDS, no login could, so the fix is to set them later.
        ValidatorTestKit.validator("role-passwords").source(source.serverSpec(SourceServerType.AWS_RDS))
                .target(target).database(db).run().assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions(app, "the source is AWS_RDS, a managed service", "ALTER ROLE <role> PASSWORD")
                .doesNotMention("Migrate as a superuser").everyProblemHasARemedy();
        // The same login on a source declared self-hosted: a superuser there reads the hashes.
        run("role-passwords", source, target, db).assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions(app, "cannot read the password hashes", "Migrate as a superuser of the source");
        ValidatorTestKit.validator("role-passwords").source(source.superuserSpec()).target(target)
                .database(db).run().assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("postgres reads pg_authid", app);
        ValidatorTestKit.validator("role-passwords").source(source).target(target).database(db)
                .settings(s -> s.migrateRoles(false)).run().assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("migrateRoles is off");
    }

    /**
     * An md5 hash is copied as it is, and a pg_hba.conf rule asking for scram-sha-256 refuses it at login: read
     * where the login may (the lines named), judged by password_encryption where it may not (a managed admin). An
     * md5 rule accepts both kinds of hash.
     */
    @Test
    void rolePasswordsWarnOfMd5HashesATargetAskingForScramRefuses(@Pg("16") PostgresServer source,
            @Pg("17") PostgresServer target, @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer managed)
            throws Exception {
        String db = source.createUniqueDatabase("pw");
        String legacy = db + "_md5";
        String modern = db + "_scram";
        source.execute("postgres", "SET password_encryption = 'md5'", "CREATE ROLE " + legacy
                + " LOGIN PASSWORD 'legacy-pw'", "RESET password_encryption", "CREATE ROLE " + modern
                + " LOGIN PASSWORD 'modern-pw'", "GRANT CONNECT ON DATABASE " + db + " TO " + legacy + ", " + modern);
        try (PostgresServer md5Rules = PostgresServer.builder().version("17").start()) {
            ValidatorTestKit.validator("role-passwords").source(source.superuserSpec()).target(target)
                    .database(db).run().assertThatResults().hasStatus(ValidationStatus.WARNING)
                    .mentions(legacy, "md5 password hash", "pg_hba.conf asks for scram-sha-256 (line")
                    .doesNotMention(modern).everyProblemHasARemedy();
            ValidatorTestKit.validator("role-passwords").source(source.superuserSpec()).target(managed)
                    .database(db).run().assertThatResults().hasStatus(ValidationStatus.WARNING)
                    .mentions(legacy, "password_encryption is scram-sha-256", "cannot read");
            Path hba = md5Rules.dataDirectory().resolve("pg_hba.conf");
            Files.writeString(hba, Files.readString(hba).replace("scram-sha-256", "md5"));
            md5Rules.execute("postgres", "SELECT pg_reload_conf()");
            ValidatorTestKit.validator("role-passwords").source(source.superuserSpec()).target(md5Rules)
                    .database(db).run().assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                    .mentions("reads pg_authid");
        } finally {
            source.execute("postgres", "DROP DATABASE " + db, "DROP ROLE " + legacy, "DROP ROLE " + modern);
        }
    }

    @Test
    void privilegedRolesWarnWhenTheManagedTargetCannotGrantThem(@Pg("17") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        String db = source.createUniqueDatabase("replicator");
        String replicator = db + "_replicator";
        source.execute("postgres", "CREATE ROLE " + replicator + " REPLICATION",
                "GRANT CONNECT ON DATABASE " + db + " TO " + replicator);
        run("privileged-roles", source, target, db).assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions(replicator + ": loses REPLICATION (pgadmin cannot grant it)");
    }

    @Test
    void connectionLimitsFailWhenAServerCannotTakeTheMigrationsSessions(@Pg("11") PostgresServer older,
            @Pg(value = "17", settings = "max_connections=12") PostgresServer small) {
        run("connection-limits", older, older, "postgres").assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("the migration opens up to");
        ValidatorTestKit.validator("connection-limits").source(older).target(small).database("postgres")
                .settings(b -> b.parallelism(8)).run().assertThatResults().hasStatus(ValidationStatus.FAILED)
                .mentions("target: 19 needed").everyProblemHasARemedy();
        ServerSpec limited = login(older, "CONNECTION LIMIT 3");
        ValidatorTestKit.validator("connection-limits").source(limited).target(older).database("postgres").run()
                .assertThatResults().hasStatus(ValidationStatus.FAILED).mentions("may open").mentions("source:");
    }

    @Test
    void connectionLimitsCountTheMigrationsOwnOpenSessionsOnce(
            @Pg(value = "17", settings = "max_connections=16") PostgresServer small, @Pg("17") PostgresServer target)
            throws SQLException {
        // The source needs 9 at parallelism 2. Ten sessions of pgmigrate's own (the snapshot's and pg_dump's, begun
        // beside the checks) are among those 9 and more, not taken from the rest; ten of another application are.
        try (Sessions own = Sessions.open(small, "pgmigrate", 10)) {
            ValidatorTestKit.validator("connection-limits").source(small).target(target).database("postgres").run()
                    .assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                    .mentions("pgmigrate already has open there");
        }
        try (Sessions others = Sessions.open(small, "shop-app", 10)) {
            ValidatorTestKit.validator("connection-limits").source(small).target(target).database("postgres").run()
                    .assertThatResults().hasStatus(ValidationStatus.FAILED).mentions("source: 9 needed");
        }
    }

    /** Sessions of the admin login, as the checks' own, under {@code application}'s name. */
    private record Sessions(List<Connection> connections) implements AutoCloseable {
        static Sessions open(PostgresServer server, String application, int count) throws SQLException {
            Sessions sessions = new Sessions(new ArrayList<>());
            Properties props = new Properties();
            props.setProperty("user", server.adminLogin());
            props.setProperty("password", server.adminPassword().reveal());
            props.setProperty("ApplicationName", application);
            try {
                for (int i = 0; i < count; i++) {
                    sessions.connections.add(DriverManager.getConnection(server.jdbcUrl("postgres"), props));
                }
            } catch (SQLException e) {
                sessions.close();
                throw e;
            }
            return sessions;
        }

        @Override
        public void close() throws SQLException {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    @Test
    void targetReplicationSucceedsWithoutSlots(@Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer t,
            @Pg("17") PostgresServer source) {
        run("target-replication", source, t, "postgres").assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void replicationSlotsWarnOnBothSides(@Pg(value = "17", settings = "max_wal_senders=5") PostgresServer server) {
        server.execute("postgres", "SELECT pg_create_physical_replication_slot('vt_slot')");
        try {
            run("target-replication", server, server, "postgres").assertThatResults()
                    .hasStatus(ValidationStatus.WARNING).mentions("physical slot vt_slot");
            run("source-replication", server, server, "postgres").assertThatResults()
                    .hasStatus(ValidationStatus.WARNING).mentions("physical slot vt_slot");
        } finally {
            server.execute("postgres", "SELECT pg_drop_replication_slot('vt_slot')");
        }
    }

    @Test
    void sourceReplicationSucceedsWithoutReplicas(@Pg("17") PostgresServer server) {
        run("source-replication", server, server, "postgres").assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void catalogAclsSucceedWithDefaultGrants(@Pg("17") PostgresServer server) {
        run("catalog-acls", server, server, "postgres").assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void catalogAclsFailForAManagedTarget(@Pg(value = "17", settings = "work_mem=5MB") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        source.execute("postgres", "DROP ROLE IF EXISTS vt_stats", "CREATE ROLE vt_stats",
                "GRANT SELECT ON pg_catalog.pg_statistic TO vt_stats");
        try {
            run("catalog-acls", source, target, "postgres").assertThatResults().hasStatus(ValidationStatus.FAILED)
                    .mentions("SELECT on pg_catalog.pg_statistic to vt_stats");
        } finally {
            source.execute("postgres", "REVOKE SELECT ON pg_catalog.pg_statistic FROM vt_stats");
        }
    }

    /**
     * initdb's own grants (SELECT on pg_pltemplate to PUBLIC, before 13) are no finding; a grant is looked for in the
     * database that moves, where pg_dump dumps it, not in the maintenance database.
     */
    @Test
    void catalogAclsLeaveInitdbsGrantsAndLookInTheMigratedDatabase(@Pg("11") PostgresServer eleven,
            @Pg(value = "17", settings = "work_mem=6MB") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        run("catalog-acls", eleven, target, "postgres").assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
        String db = source.createUniqueDatabase("acl");
        source.execute(db, "DROP ROLE IF EXISTS vt_stats2", "CREATE ROLE vt_stats2",
                "GRANT SELECT ON pg_catalog.pg_statistic TO vt_stats2");
        try {
            run("catalog-acls", source, target, db).assertThatResults().hasStatus(ValidationStatus.FAILED)
                    .mentions("SELECT on pg_catalog.pg_statistic to vt_stats2");
            run("catalog-acls", source, target, "postgres").assertThatResults()
                    .hasStatus(ValidationStatus.SUCCEEDED);
        } finally {
            source.execute(db, "REVOKE SELECT ON pg_catalog.pg_statistic FROM vt_stats2");
            source.dropDatabase(db);
            source.execute("postgres", "DROP ROLE vt_stats2");
        }
    }

    @Test
    void serverPortSucceedsForTheSamePort(@Pg("17") PostgresServer server) {
        run("server-port", server, server, "postgres").assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void serverPortWarnsWhenThePortsDiffer(@Pg("17") PostgresServer source, @Pg("11") PostgresServer target) {
        run("server-port", source, target, "postgres").assertThatResults().hasStatus(ValidationStatus.WARNING)
                .mentions(String.valueOf(source.port()), String.valueOf(target.port()));
    }

    @Test
    void sessionTimeoutsSucceedWhenNoneIsSet(@Pg("17") PostgresServer server) {
        String db = server.createUniqueDatabase("timeouts");
        run("session-timeouts", server, server, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void sessionTimeoutsListADatabaseStatementTimeoutTheMigrationSetsAside(@Pg("17") PostgresServer server) {
        String db = server.createUniqueDatabase("timeouts");
        server.execute("postgres", "ALTER DATABASE " + db + " SET statement_timeout = '5min'");
        run("session-timeouts", server, server, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("statement_timeout = 5min", "ALTER DATABASE " + db, "set each to 0 for themselves");
    }

    @Test
    void targetCapacityReportsTheSize(@Pg("17") PostgresServer server) {
        String db = server.createUniqueDatabase("capacity");
        run("target-capacity", server, server, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("plan for");
    }

    @Test
    void targetCapacityWarnsWhenTheGivenFreeSpaceIsTooSmall(@Pg("17") PostgresServer server) {
        String db = server.createUniqueDatabase("capacity");
        ValidatorTestKit.validator("target-capacity").source(server).target(server).database(db)
                .settings(s -> s.option(TargetCapacityValidator.FREE_BYTES_OPTION, "1000")).run().assertThatResults()
                .hasStatus(ValidationStatus.WARNING).mentions("1000 bytes free");
    }

    @Test
    void preparedTransactionsSucceedWhenNoneIsPending(@Pg("17") PostgresServer server) {
        run("prepared-transactions", server, server, "postgres").assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void preparedTransactionsWarnAboutAPendingOne(
            @Pg(value = "17", settings = "max_prepared_transactions=2") PostgresServer server) throws SQLException {
        String db = server.createUniqueDatabase("twophase");
        try (Connection c = server.connect(db); Statement s = c.createStatement()) {
            s.execute("BEGIN");
            s.execute("CREATE TABLE t (id int)");
            s.execute("PREPARE TRANSACTION 'vt_gid'");
        }
        try {
            run("prepared-transactions", server, server, db).assertThatResults().hasStatus(ValidationStatus.WARNING)
                    .mentions("vt_gid in " + db, "ROLLBACK PREPARED");
        } finally {
            server.execute(db, "ROLLBACK PREPARED 'vt_gid'");
        }
    }

    @Test
    void sourceActivitySucceedsWhenNobodyIsConnected(@Pg("17") PostgresServer server) {
        String db = server.createUniqueDatabase("activity");
        run("source-activity", server, server, db).assertThatResults().hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void sourceActivityWarnsAboutAnApplicationStillConnected(@Pg("17") PostgresServer server) throws SQLException {
        String db = server.createUniqueDatabase("activity");
        Properties props = new Properties();
        props.setProperty("user", PostgresServer.SUPERUSER);
        props.setProperty("password", server.superuserPassword().reveal());
        props.setProperty("ApplicationName", "shop-app");
        try (Connection app = DriverManager.getConnection(server.jdbcUrl(db), props)) {
            run("source-activity", server, server, db).assertThatResults().hasStatus(ValidationStatus.WARNING)
                    .mentions("(shop-app)");
        }
    }
}
