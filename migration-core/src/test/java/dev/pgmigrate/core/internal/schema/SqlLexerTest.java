package dev.pgmigrate.core.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One case per construct a plain pg_dump script (or a user's script) can hold; no server needed. */
class SqlLexerTest {
    private static List<String> split(String sql) {
        return DumpScript.statements(sql);
    }

    @Test
    void splitsAtSemicolonsBetweenStatements() {
        assertThat(split("SELECT 1;\nSELECT 2;\n\nSELECT 3")).containsExactly("SELECT 1", "SELECT 2", "SELECT 3");
    }

    @Test
    void keepsTheSeveralActionsOfARuleTogether() {
        String rule = "CREATE RULE \"r\" AS ON DELETE TO \"a\" DO (DELETE FROM \"b\" WHERE (\"b\".\"x\" = \"old\".\"x\");"
                + "\n DELETE FROM \"c\" WHERE (\"c\".\"x\" = \"old\".\"x\");\n)";
        assertThat(split(rule + ";\nSELECT 1;")).containsExactly(rule, "SELECT 1");
    }

    @Test
    void keepsABeginAtomicBodyWithCaseInsideTogether() {
        String function = "CREATE FUNCTION \"public\".\"f\"(\"x\" integer) RETURNS integer\n    LANGUAGE \"sql\"\n"
                + "    BEGIN ATOMIC\n SELECT CASE WHEN (x > 0) THEN 1 ELSE CASE WHEN (x < 0) THEN -1 END END;\n"
                + " SELECT 2;\nEND";
        assertThat(split(function + ";\nSELECT 1;")).containsExactly(function, "SELECT 1");
    }

    @Test
    void keepsABeginAtomicProcedureAndAReplacedFunctionTogether() {
        String procedure = "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); "
                + "INSERT INTO t VALUES (2); END";
        String replaced = "create or replace function g() returns int begin /* c; */ atomic select 1; end";
        assertThat(split(procedure + "; " + replaced + "; SELECT 3"))
                .containsExactly(procedure, replaced, "SELECT 3");
    }

    @Test
    void aTransactionsBeginIsNotABody() {
        assertThat(split("BEGIN; SELECT 1; END; CREATE FUNCTION \"begin\"() RETURNS int LANGUAGE sql AS 'select 1';"
                + " SELECT 2")).containsExactly("BEGIN", "SELECT 1", "END",
                "CREATE FUNCTION \"begin\"() RETURNS int LANGUAGE sql AS 'select 1'", "SELECT 2");
    }

    @Test
    void aPlpgsqlBodyInDollarQuotesIsOpaque() {
        String function = "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $$ ; $body$ LANGUAGE plpgsql";
        String other = "CREATE FUNCTION g() RETURNS int AS $$ select 1; $$ LANGUAGE sql";
        assertThat(split(function + ";" + other + ";")).containsExactly(function, other);
    }

    @Test
    void dollarSignsThatOpenNoQuote() {
        String prepared = "PREPARE q AS SELECT $1::int + a$b FROM t$x";
        assertThat(split(prepared + "; SELECT 1")).containsExactly(prepared, "SELECT 1");
    }

    @Test
    void stringsAndIdentifiersHideSemicolons() {
        List<String> statements = List.of("SELECT 'a;b', 'it''s;'", "SELECT E'x\\';y'", "SELECT \"we;ird\"\"\" FROM t",
                "SELECT U&'d\\0061;t', U&\"d;\"", "SELECT B'1010', X'1F', N'n;'");
        assertThat(split(String.join(";\n", statements) + ";")).containsExactlyElementsOf(statements);
    }

    @Test
    void backslashesEscapeInPlainStringsOnlyWithStandardConformingStringsOff() {
        assertThat(split("SET standard_conforming_strings = off;\nSELECT 'a\\';b';\n"
                + "SET standard_conforming_strings = 'on';\nSELECT 'c\\';SELECT 'd'"))
                .containsExactly("SET standard_conforming_strings = off", "SELECT 'a\\';b'",
                        "SET standard_conforming_strings = 'on'", "SELECT 'c\\'", "SELECT 'd'");
    }

    @Test
    void commentsHideSemicolonsAndNest() {
        assertThat(split("SELECT 1 /* a; /* b; */ c; */ + 1; -- d; e\nSELECT 2"))
                .containsExactly("SELECT 1 /* a; /* b; */ c; */ + 1", "SELECT 2");
    }

    @Test
    void leadingCommentsAndEmptyStatementsAreDropped() {
        assertThat(split("-- only a comment;\n;;\n/* x */ SELECT 1;\n-- trailing")).containsExactly("SELECT 1");
    }

    @Test
    void psqlMetaCommandsAreDropped() {
        assertThat(split("\\restrict abc123\nSET x = 1;\n\\connect -reuse-previous=on \"dbname='d'\"\nSELECT 1;\n"
                + "\\unrestrict abc123\n")).containsExactly("SET x = 1", "SELECT 1");
    }

    @Test
    void dumpEntriesStartAtHeaderCommentsOutsideStatements() {
        String script = """
                SET statement_timeout = 0;
                SELECT pg_catalog.set_config('search_path', '', false);

                --
                -- Name: f(); Type: FUNCTION; Schema: public; Owner: alice
                --

                CREATE FUNCTION "public"."f"() RETURNS "text"
                    LANGUAGE "sql"
                    AS $$ select '
                --
                -- Name: fake; Type: TABLE; Schema: public; Owner: mallory
                --
                ' $$;


                ALTER FUNCTION "public"."f"() OWNER TO "alice";

                --
                -- Name: r; Type: RULE; Schema: public; Owner: alice
                --

                CREATE RULE "r" AS ON DELETE TO "public"."a" DO (DELETE FROM "public"."b"; DELETE FROM "public"."c";
                );
                """;
        DumpScript dump = DumpScript.parse(script);
        assertThat(dump.header()).containsExactly("SET statement_timeout = 0",
                "SELECT pg_catalog.set_config('search_path', '', false)");
        assertThat(dump.entries()).extracting(DumpScript.Entry::type).containsExactly("FUNCTION", "RULE");
        assertThat(dump.entries().get(0).owner()).isEqualTo("alice");
        assertThat(dump.entries().get(0).statements()).hasSize(2).last()
                .isEqualTo("ALTER FUNCTION \"public\".\"f\"() OWNER TO \"alice\"");
        assertThat(dump.entries().get(1).statements()).singleElement().asString().endsWith("DELETE FROM \"public\".\"c\";\n)");
    }
}
