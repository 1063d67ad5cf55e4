package dev.pgmigrate.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

    @Test
    void splitsAtSemicolonsOutsideQuotesCommentsAndDollarBodies() {
        SqlScript script = SqlScript.parse("""
                SELECT 'a;b', "odd;name", E'it\\'s;' FROM t; -- trailing; comment
                /* block; /* nested; */ still */ SELECT 2;
                CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN RETURN 1; END $fn$;
                DO $$ BEGIN PERFORM 1; END $$;
                SELECT $1::int
                """);

        assertThat(script.commands()).extracting(SqlScript.Command::sql).containsExactly(
                "SELECT 'a;b', \"odd;name\", E'it\\'s;' FROM t",
                "SELECT 2",
                "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN RETURN 1; END $fn$",
                "DO $$ BEGIN PERFORM 1; END $$",
                "SELECT $1::int");
    }

    @Test
    void takesCopyDataUpToTheTerminatorAndSkipsMetaCommands() {
        SqlScript script = SqlScript.parse("""
                \\restrict abc123
                COPY public.t (id, note) FROM stdin;
                1\tsemi;colon
                2\t\\N
                \\.
                \\connect other
                SELECT 1;
                \\unrestrict abc123
                """);

        assertThat(script.commands()).containsExactly(
                new SqlScript.Command("COPY public.t (id, note) FROM stdin",
                        Optional.of("1\tsemi;colon\n2\t\\N\n")),
                new SqlScript.Command("SELECT 1", Optional.empty()));
    }

    @Test
    void rejectsAnUnclosedDollarQuote() {
        assertThatThrownBy(() -> SqlScript.parse("DO $x$ BEGIN END;"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$x$");
    }

    @Test
    void runsStatementsAndCopyDataOnARealServer() throws Exception {
        PostgresServer server = PostgresServer.builder().version("17").startShared();
        String db = server.createDatabase(TestDatabases.unique("script"));
        try (Connection c = server.connect(db)) {
            SqlScript.parse("""
                    CREATE TABLE t (id int PRIMARY KEY, note text);
                    COPY t (id, note) FROM stdin;
                    1\tone
                    2\t\\N
                    \\.
                    INSERT INTO t VALUES (3, $$dollar;quoted$$);
                    """).execute(c);
        }

        assertThat(server.query(db, "SELECT id::text, note FROM t ORDER BY id")).containsExactly(
                java.util.Arrays.asList("1", "one"), java.util.Arrays.asList("2", null),
                java.util.Arrays.asList("3", "dollar;quoted"));
        server.dropDatabase(db);
    }
}
