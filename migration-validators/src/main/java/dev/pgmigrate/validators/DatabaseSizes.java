package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The selected source databases' sizes, read once per database for every check: sizing a database stats each
 * of its files, some 100 ms for one of 2,000 tables.
 */
final class DatabaseSizes {
    /** {@code pg_database_size} of the database, in bytes. */
    static final DatabaseFact<Long> SIZE = DatabaseFact.of("database size",
            (connection, source) -> Sql.number(connection, "SELECT pg_database_size(current_database())"));

    private DatabaseSizes() {
    }

    /** The selected databases' total size on the source, in bytes; those that do not accept connections count 0. */
    static long selectedTotal(ValidationContext context) throws SQLException {
        Set<String> selected = new LinkedHashSet<>(context.spec().databases());
        List<String> reachable = InstanceValidator.facts(context.source()).databases();
        if (reachable.containsAll(selected)) {
            long total = 0;
            for (String database : selected) {
                total += context.fact(SIZE, database);
            }
            return total;
        }
        // Some are missing or templates, which the facts leave out: the server counts those that accept connections.
        try (Connection connection = InstanceValidator.maintenance(context.source())) {
            return Sql.number(connection, "SELECT sum(pg_database_size(datname))::bigint FROM pg_database"
                    + " WHERE datname = ANY (?) AND datallowconn",
                    Sql.textArray(connection, context.spec().databases()));
        }
    }
}
