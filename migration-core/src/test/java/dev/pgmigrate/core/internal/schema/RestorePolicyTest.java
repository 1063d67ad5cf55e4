package dev.pgmigrate.core.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a restore may skip with a note, and what must fail the migration, without a server. */
class RestorePolicyTest {
    private static final String DENIED = "42501";

    private static Entry entry(String type, String tag, String statement) {
        return new Entry(tag, type, "public", "app", List.of(statement));
    }

    private static boolean tolerable(String type, String tag, String statement, boolean superuser, String state) {
        return RestorePolicy.tolerable(entry(type, tag, statement), statement, superuser, state);
    }

    @Test
    void aManagedTargetMaySkipWhatChangesNoDataAndNoDefinition() {
        assertThat(tolerable("COMMENT", "EXTENSION plpgsql", "COMMENT ON EXTENSION \"plpgsql\" IS 'x'", false,
                "XX000")).as("an extension's comment, whatever the error").isTrue();
        assertThat(tolerable("SCHEMA", "public", "CREATE SCHEMA \"public\"", true, "42P06"))
                .as("the public schema that exists already").isTrue();
        assertThat(tolerable("EVENT TRIGGER", "log_ddl", "CREATE EVENT TRIGGER \"log_ddl\" ON ddl_command_end "
                + "EXECUTE FUNCTION f()", false, DENIED)).as("an event trigger, which only a superuser makes")
                .isTrue();
        assertThat(tolerable("TABLE", "t", "ALTER TABLE \"public\".\"t\" OWNER TO \"app\"", false, DENIED))
                .as("an owner the admin may not give").isTrue();
    }

    @Test
    void anythingElseFailsTheMigration() {
        assertThat(tolerable("TABLE", "t", "CREATE TABLE \"public\".\"t\" (id int)", false, DENIED))
                .as("a table a managed target refuses").isFalse();
        assertThat(tolerable("TABLE", "t", "ALTER TABLE \"public\".\"t\" OWNER TO \"app\"", true, DENIED))
                .as("a superuser refused an owner: something else is wrong").isFalse();
        assertThat(tolerable("EVENT TRIGGER", "log_ddl", "CREATE EVENT TRIGGER \"log_ddl\" ON ddl_command_end "
                + "EXECUTE FUNCTION f()", true, DENIED)).as("a superuser's event trigger").isFalse();
        assertThat(tolerable("ACL", "TABLE t", "REVOKE ALL ON TABLE \"public\".\"t\" FROM PUBLIC", false, DENIED))
                .as("a privilege not revoked would leave the copy more open").isFalse();
    }
}
