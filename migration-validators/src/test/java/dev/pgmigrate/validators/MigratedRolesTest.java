package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.ValidatorTestKit;
import org.junit.jupiter.api.Test;

/**
 * The role checks judge only the roles the migration creates: with roles.scope=needed (the default), those the
 * selected databases depend on and their memberships; with roles.scope=all, every role of the source.
 */
@PostgresTest
class MigratedRolesTest {
    @Test
    void roleChecksLeaveOutRolesOnlyOtherDatabasesUse(@Pg("16") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) {
        String base = TestDatabases.unique("rscope");
        String mine = base + "_db";
        String elsewhere = base + "_elsewhere";
        String owner = base + "_owner";
        String app = base + "_app";
        String ops = base + "_ops";
        String stranger = base + "_stranger";
        // app is needed as a member of the database's owner, ops as a role app is a member of; stranger owns
        // another database only. app and stranger have md5 hashes and attributes a managed target cannot grant.
        source.execute("postgres", "CREATE ROLE " + owner + " NOLOGIN", "CREATE ROLE " + ops + " NOLOGIN REPLICATION",
                "SET password_encryption = 'md5'",
                "CREATE ROLE " + app + " LOGIN REPLICATION PASSWORD 'app-pw' IN ROLE " + owner + ", " + ops,
                "CREATE ROLE " + stranger + " LOGIN SUPERUSER REPLICATION PASSWORD 'stranger-pw'",
                "RESET password_encryption", "CREATE DATABASE " + mine + " OWNER " + owner,
                "CREATE DATABASE " + elsewhere + " OWNER " + stranger);
        try {
            ValidatorTestKit.validator("role-passwords").source(source.superuserSpec()).target(target)
                    .database(mine).run().assertThatResults().hasStatus(ValidationStatus.WARNING)
                    .mentions(app, "md5 password hash", "those the databases need").doesNotMention(stranger);
            ValidatorTestKit.validator("privileged-roles").source(source).target(target).database(mine).run()
                    .assertThatResults().hasStatus(ValidationStatus.WARNING)
                    .mentions(app + ": loses REPLICATION", ops + ": loses REPLICATION").doesNotMention(stranger);

            ValidatorTestKit.validator("role-passwords").source(source.superuserSpec()).target(target)
                    .database(mine).settings(s -> s.option("roles.scope", "all")).run().assertThatResults()
                    .hasStatus(ValidationStatus.WARNING).mentions(app, stranger, "roles.scope=all");
            ValidatorTestKit.validator("privileged-roles").source(source).target(target).database(mine)
                    .settings(s -> s.option("roles.scope", "all")).run().assertThatResults()
                    .hasStatus(ValidationStatus.WARNING).mentions(app + ": loses REPLICATION",
                            stranger + ": loses SUPERUSER");
        } finally {
            source.execute("postgres", "DROP DATABASE " + mine, "DROP DATABASE " + elsewhere, "DROP ROLE " + app,
                    "DROP ROLE " + stranger, "DROP ROLE " + ops, "DROP ROLE " + owner);
        }
    }

    @Test
    void roleChecksSayWhenTheDatabasesNeedNoPrivilegedOrNewLoginRole(@Pg("16") PostgresServer source,
            @Pg("17") PostgresServer target) {
        String base = TestDatabases.unique("rscope");
        String mine = base + "_db";
        String stranger = base + "_stranger";
        source.execute("postgres", "CREATE ROLE " + stranger + " LOGIN REPLICATION PASSWORD 'stranger-pw'",
                "CREATE DATABASE " + mine);
        try {
            ValidatorTestKit.validator("privileged-roles").source(source).target(target).database(mine).run()
                    .assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                    .mentions("No role the databases need has").doesNotMention(stranger);
            ValidatorTestKit.validator("role-passwords").source(source.superuserSpec()).target(target)
                    .database(mine).run().assertThatResults().hasStatus(ValidationStatus.SUCCEEDED)
                    .mentions("No login role the databases need is missing from the target").doesNotMention(stranger);
        } finally {
            source.execute("postgres", "DROP DATABASE " + mine, "DROP ROLE " + stranger);
        }
    }
}
