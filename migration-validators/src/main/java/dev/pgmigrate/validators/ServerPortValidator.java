package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** I16: applications must change their port when the source's differs from the target's. */
public final class ServerPortValidator extends InstanceValidator {
    public ServerPortValidator() {
        super("server-port", "The target listens on the source's port, so connection strings keep their port.",
                Needs.BOTH);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        String source = port(context, true);
        String target = port(context, false);
        String found = "The source listens on port " + source + ", the target on " + target + ".";
        if (source.equals(target)) {
            return List.of(context.succeeded(found));
        }
        return List.of(context.warning(found, "Applications connect with the source's port; after the switch they "
                + "must use the target's.", "Change the port in the applications' connection strings when they "
                + "move to the target, or put a pooler or DNS name in front that hides it.", List.of(source, target)));
    }

    private static String port(ValidationContext context, boolean source) throws SQLException {
        try (Connection connection = maintenance(source ? context.source() : context.target())) {
            return Sql.string(connection, "SHOW port").orElse("?");
        }
    }
}
