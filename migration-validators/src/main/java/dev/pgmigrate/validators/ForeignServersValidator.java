package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D22: foreign servers and user mappings; mappings hold credentials only a superuser or owner can read. */
public final class ForeignServersValidator extends ObjectListValidator {
    public ForeignServersValidator() {
        super("foreign-servers", "Foreign servers and user mappings, whose passwords may not come along.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT 'server ' || s.srvname || ' (' || w.fdwname || ')' FROM pg_foreign_server s"
                + " JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw UNION ALL SELECT 'user mapping for ' || m.usename"
                + " || ' on ' || m.srvname FROM pg_user_mappings m ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "No foreign servers or user mappings.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "foreign server or user mapping", "foreign servers and user "
                + "mappings") + ".", "Their options are copied only where the source login can read them, "
                + "foreign tables are created but their data stays remote, and the remote servers must accept "
                + "connections from the target.", "After the migration, check each user mapping's credentials "
                + "(ALTER USER MAPPING ... OPTIONS (SET password '...')) and that the target can reach the remote "
                + "servers.", items);
    }
}
