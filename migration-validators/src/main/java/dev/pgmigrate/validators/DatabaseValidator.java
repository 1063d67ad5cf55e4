package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * A check of one selected database, run on a connection to it on the source. It stays silent when the source
 * or the database cannot be reached: {@code source-connectivity} and {@code source-database} report that.
 */
abstract class DatabaseValidator extends BuiltInValidator {
    private final boolean needsTarget;

    DatabaseValidator(String id, String description, boolean needsTarget) {
        super(id, ValidationScope.DATABASE, description);
        this.needsTarget = needsTarget;
    }

    /**
     * Whether the check concerns this migration at all, asked before connecting; one that does not gives no
     * result. Every check does, unless it says otherwise.
     */
    boolean applies(ValidationContext context, ServerFacts source) {
        return true;
    }

    @Override
    public final List<ValidationResult> validate(ValidationContext context) throws SQLException {
        String database = context.database()
                .orElseThrow(() -> new IllegalStateException(id() + " is database-scoped but got no database"));
        Optional<ServerFacts> source = context.source().facts();
        if (source.isEmpty() || !source.get().databases().contains(database)
                || needsTarget && context.target().facts().isEmpty() || !applies(context, source.get())) {
            return List.of();
        }
        try (Connection connection = context.source().connect(database)) {
            return check(context, source.get(), connection);
        }
    }

    /** Checks the database on {@code connection}, a read-only connection to it on the source. */
    abstract List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException;
}
