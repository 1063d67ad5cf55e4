package dev.pgmigrate.core.internal.server;

import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Whether the target refuses a login whose password hash is md5: a {@code pg_hba.conf} rule with
 * {@code scram-sha-256} does (an {@code md5} rule accepts md5 and scram hashes alike). The rules are read where the
 * login may ({@code pg_hba_file_rules}, a superuser's from 10); elsewhere, as on a managed service,
 * {@code password_encryption} tells: set to {@code scram-sha-256} (the default from 14), it goes with scram rules.
 * The {@code role-passwords} check decides the same way.
 */
final class Md5Logins {
    private Md5Logins() {
    }

    /** Why the target would refuse md5 hashes, naming its setting and rules; empty when it would accept them. */
    static Optional<String> refusal(Connection target) throws SQLException {
        String encryption = Sql.one(target, "SELECT current_setting('password_encryption')");
        String setting = "the target's password_encryption is " + encryption;
        boolean rulesReadable = "t".equals(Sql.one(target, "SELECT to_regclass('pg_catalog.pg_hba_file_rules') "
                + "IS NOT NULL AND has_table_privilege('pg_catalog.pg_hba_file_rules', 'SELECT')"));
        if (rulesReadable) {
            String lines = Sql.one(target, "SELECT CASE WHEN count(*) > 1 THEN 'lines ' ELSE 'line ' END || "
                    + "string_agg(line_number::text, ', ' ORDER BY line_number) FROM pg_catalog.pg_hba_file_rules "
                    + "WHERE error IS NULL AND auth_method = 'scram-sha-256'");
            return lines == null ? Optional.empty() : Optional.of(setting + " and its pg_hba.conf asks for "
                    + "scram-sha-256 (" + lines + ")");
        }
        return "scram-sha-256".equals(encryption) ? Optional.of(setting + ", which goes with scram-sha-256 rules in "
                + "its pg_hba.conf (which the target login cannot read)") : Optional.empty();
    }
}
