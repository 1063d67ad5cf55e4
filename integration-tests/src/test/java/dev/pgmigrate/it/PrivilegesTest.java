package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.SchemaSnapshot;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A migrated database is never more open than its source: the same logins try the same things on both servers,
 * and every answer, each refusal included, is the same.
 */
@PostgresTest
class PrivilegesTest {
    @Test
    void aNonOwnerLoginCanDoOnTheTargetExactlyWhatItCouldOnTheSource(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        plantAndProbe(source, target);
    }

    /** A managed service's admin is no superuser: large objects, policies and grants still arrive as they were. */
    @Test
    void theSameOnATargetWhoseAdminIsNoSuperuser(@Pg("15") PostgresServer source,
            @Pg(value = "17", profile = ServerProfile.MANAGED) PostgresServer target) throws Exception {
        plantAndProbe(source, target);
    }

    private static void plantAndProbe(PostgresServer source, PostgresServer target) throws Exception {
        String db = TestDatabases.unique("privileges");
        String owner = db + "_owner";
        String reader = db + "_reader";
        String outsider = db + "_outsider";
        source.execute("postgres",
                "CREATE ROLE " + owner + " LOGIN PASSWORD 'owner secret'",
                "CREATE ROLE " + reader + " LOGIN PASSWORD 'reader secret'",
                "CREATE ROLE " + outsider + " LOGIN PASSWORD 'outsider secret'",
                "CREATE DATABASE " + db + " OWNER " + owner,
                "REVOKE CONNECT, TEMPORARY ON DATABASE " + db + " FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + db + " TO " + reader);
        source.execute(db,
                "SET ROLE " + owner,
                "REVOKE ALL ON SCHEMA public FROM PUBLIC",
                "CREATE SCHEMA app",
                "GRANT USAGE ON SCHEMA app TO " + reader,
                "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO " + reader,
                "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
                "CREATE TABLE app.people (id int PRIMARY KEY, name text, salary int)",
                "REVOKE SELECT ON app.people FROM " + reader,
                "GRANT SELECT (id, name) ON app.people TO " + reader,
                "INSERT INTO app.people VALUES (1, 'ann', 100), (2, 'bob', 200)",
                "CREATE TABLE app.notes (id int, author text, body text)",
                "CREATE POLICY own_notes ON app.notes USING (author = current_user)",
                "ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE app.notes FORCE ROW LEVEL SECURITY",
                "CREATE FUNCTION app.secret() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 42'",
                "CREATE SEQUENCE app.ids",
                "SELECT lo_from_bytea(4242420, 'hidden')",
                "SELECT lo_from_bytea(4242421, 'shared')",
                "GRANT SELECT ON LARGE OBJECT 4242421 TO " + reader,
                "RESET ROLE",
                // Written past the policy: the owner sees only its own note, as FORCE makes it.
                "INSERT INTO app.notes VALUES (1, '" + owner + "', 'mine'), (2, '" + reader + "', 'theirs'), "
                        + "(3, 'someone', 'hidden')");
        try {
            MigrationRecord done = RoleMigrationTest.migrate(source, target, db, MigrationOption.VALIDATE_AND_MIGRATE,
                    s -> { });
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(SchemaSnapshot.of(target, db).differences(SchemaSnapshot.of(source, db))).isEmpty();

            // No database needs the outsider, so it is not migrated; made here to knock at the door.
            target.execute("postgres", "CREATE ROLE " + outsider + " LOGIN PASSWORD 'outsider secret'");
            Map<String, String> onSource = probe(source, db, owner, reader, outsider);
            assertThat(onSource).as("the probes test something: the source refuses these")
                    .containsEntry("outsider connects", "42501")
                    .containsEntry("reader reads a column not granted", "42501")
                    .containsEntry("reader writes", "42501")
                    .containsEntry("reader runs a function whose EXECUTE was revoked", "42501")
                    .containsEntry("reader runs a new function (default privileges)", "42501")
                    .containsEntry("reader uses a sequence", "42501")
                    .containsEntry("reader reads a large object not granted", "42501")
                    .containsEntry("reader creates in public", "42501")
                    .containsEntry("reader creates a temporary table", "42501")
                    .containsEntry("reader becomes the owner", "42501")
                    .containsEntry("owner reads notes (FORCE ROW LEVEL SECURITY)", "[[mine]]")
                    .containsEntry("reader reads notes (policy)", "[[theirs]]")
                    .containsEntry("reader reads a new table (default privileges)", "[[0]]")
                    .containsEntry("reader reads a granted large object", "[[shared]]");
            assertThat(probe(target, db, owner, reader, outsider)).isEqualTo(onSource);
        } finally {
            for (PostgresServer server : List.of(target, source)) {
                server.dropDatabase(db);
                server.execute("postgres", "DROP ROLE IF EXISTS " + owner, "DROP ROLE IF EXISTS " + reader,
                        "DROP ROLE IF EXISTS " + outsider);
            }
        }
    }

    /** What each login gets for each attempt: rows as text, or the SQLSTATE of its refusal. */
    private static Map<String, String> probe(PostgresServer server, String db, String owner, String reader,
            String outsider) throws SQLException {
        // Made after the migration by the owner, so only the default privileges decide who may use them.
        try (Connection c = server.connect(db, owner, Secret.of("owner secret")); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE app.later (id int)");
            s.execute("CREATE FUNCTION app.later_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'");
        }
        Map<String, String> answers = new LinkedHashMap<>();
        try {
            server.connect(db, outsider, Secret.of("outsider secret")).close();
            answers.put("outsider connects", "ok");
        } catch (SQLException e) {
            answers.put("outsider connects", e.getSQLState());
        }
        try (Connection c = server.connect(db, owner, Secret.of("owner secret"))) {
            answers.put("owner reads notes (FORCE ROW LEVEL SECURITY)", run(c, "SELECT body FROM app.notes"));
            answers.put("owner reads people", run(c, "SELECT count(*) FROM app.people"));
        }
        try (Connection c = server.connect(db, reader, Secret.of("reader secret"))) {
            answers.put("reader reads granted columns", run(c, "SELECT id, name FROM app.people ORDER BY id"));
            answers.put("reader reads a column not granted", run(c, "SELECT salary FROM app.people"));
            answers.put("reader writes", run(c, "INSERT INTO app.people VALUES (3, 'cy', 0)"));
            answers.put("reader reads notes (policy)", run(c, "SELECT body FROM app.notes"));
            answers.put("reader runs a function whose EXECUTE was revoked", run(c, "SELECT app.secret()"));
            answers.put("reader runs a new function (default privileges)", run(c, "SELECT app.later_fn()"));
            answers.put("reader reads a new table (default privileges)", run(c, "SELECT count(*) FROM app.later"));
            answers.put("reader uses a sequence", run(c, "SELECT nextval('app.ids')"));
            answers.put("reader reads a large object not granted", run(c, "SELECT lo_get(4242420)"));
            answers.put("reader reads a granted large object",
                    run(c, "SELECT convert_from(lo_get(4242421), 'UTF8')"));
            answers.put("reader creates in public", run(c, "CREATE TABLE public.mine (i int)"));
            answers.put("reader creates a temporary table", run(c, "CREATE TEMP TABLE mine (i int)"));
            answers.put("reader becomes the owner", run(c, "SET ROLE " + owner));
        }
        return answers;
    }

    private static String run(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return "ok";
            }
            List<List<String>> rows = new ArrayList<>();
            try (ResultSet rs = s.getResultSet()) {
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            }
            return rows.toString();
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }
}
