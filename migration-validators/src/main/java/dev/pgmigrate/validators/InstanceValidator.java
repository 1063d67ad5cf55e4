package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.spi.DatabaseFact;
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

    /**
     * {@code fact} in each selected database the source can reach, in the spec's order; the others are skipped,
     * since {@code source-database} reports them. A check that asks declares the fact ({@link #databaseFacts()}),
     * so that the engine reads it in each database's own task instead of this check logging in to each in turn.
     */
    static <T> Map<String, T> perSelectedDatabase(ValidationContext context, DatabaseFact<T> fact)
            throws SQLException {
        Map<String, T> answers = new LinkedHashMap<>();
        List<String> reachable = facts(context.source()).databases();
        for (String database : context.spec().databases()) {
            if (reachable.contains(database)) {
                answers.put(database, context.fact(fact, database));
            }
        }
        return answers;
    }

    /** A connection to the server's maintenance database. */
    static Connection maintenance(ServerAccess server) throws SQLException {
        return server.connect(facts(server).maintenanceDatabase());
    }
}
