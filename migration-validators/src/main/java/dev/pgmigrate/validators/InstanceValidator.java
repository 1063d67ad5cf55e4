package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An instance-level check that needs the facts of one or both servers; it stays silent when the engine could
 * not connect, because the connectivity validators report that.
 */
abstract class InstanceValidator extends BuiltInValidator {
    enum Needs { SOURCE, TARGET, BOTH }

    private final Needs needs;

    InstanceValidator(String id, String description, Needs needs) {
        super(id, ValidationScope.INSTANCE, description);
        this.needs = needs;
    }

    /** Which servers' facts it reads. */
    final Needs needs() {
        return needs;
    }

    /**
     * Whether the check concerns this migration at all, asked once the facts it needs are there; one that does
     * not gives no result. Every check does, unless it says otherwise.
     */
    boolean applies(ValidationContext context) {
        return true;
    }

    @Override
    public final List<ValidationResult> validate(ValidationContext context) throws SQLException {
        boolean source = needs != Needs.TARGET;
        boolean target = needs != Needs.SOURCE;
        if (source && context.source().facts().isEmpty() || target && context.target().facts().isEmpty()
                || !applies(context)) {
            return List.of();
        }
        return check(context);
    }

    /** Runs the check once the facts it needs are known to be there. */
    abstract List<ValidationResult> check(ValidationContext context) throws SQLException;

    static ServerFacts facts(ServerAccess server) {
        return server.facts().orElseThrow(() -> new IllegalStateException(server.role().label() + " facts missing"));
    }

    @FunctionalInterface
    interface DatabaseQuery<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code query} on the source in each selected database it can reach, in the spec's order; the
     * others are skipped, since {@code source-database} reports them.
     */
    static <T> Map<String, T> perSelectedDatabase(ValidationContext context, DatabaseQuery<T> query)
            throws SQLException {
        Map<String, T> answers = new LinkedHashMap<>();
        List<String> reachable = facts(context.source()).databases();
        for (String database : context.spec().databases()) {
            if (reachable.contains(database)) {
                try (Connection connection = context.source().connect(database)) {
                    answers.put(database, query.run(connection));
                }
            }
        }
        return answers;
    }

    /** A connection to the server's maintenance database. */
    static Connection maintenance(ServerAccess server) throws SQLException {
        return server.connect(facts(server).maintenanceDatabase());
    }
}
