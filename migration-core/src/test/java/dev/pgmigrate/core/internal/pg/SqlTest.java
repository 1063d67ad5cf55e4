package dev.pgmigrate.core.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlTest {
    @Test
    void aStatementShownInAMessageKeepsNoOptionValueNorConnectionString() {
        assertThat(Sql.shown("CREATE USER MAPPING FOR \"it's\" SERVER \"srv\" OPTIONS (\n    \"password\" 'S3cr''et',"
                + " \"user\" 'remote'\n)")).isEqualTo("CREATE USER MAPPING FOR \"it's\" SERVER \"srv\" OPTIONS ( "
                + "\"password\" '***', \"user\" '***' )");
        assertThat(Sql.shown("CREATE SUBSCRIPTION \"s\" CONNECTION 'host=h password=Sub-S3cret' PUBLICATION \"p\" "
                + "WITH (connect = false, slot_name = 'x')")).isEqualTo("CREATE SUBSCRIPTION \"s\" CONNECTION '***' "
                + "PUBLICATION \"p\" WITH (connect = false, slot_name = 'x')");
        assertThat(Sql.shown("CREATE SERVER \"options\" FOREIGN DATA WRAPPER w OPTIONS (host 'h', dbname 'd')"))
                .isEqualTo("CREATE SERVER \"options\" FOREIGN DATA WRAPPER w OPTIONS (host '***', dbname '***')");
        assertThat(Sql.shown("COMMENT ON TABLE t IS 'kept as it is'")).isEqualTo("COMMENT ON TABLE t IS 'kept as it is'");
    }
}
