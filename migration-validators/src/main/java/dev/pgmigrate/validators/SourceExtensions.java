package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The extensions installed in the selected source databases, read once per database for every check. */
final class SourceExtensions {
    /** Each extension installed in a database but plpgsql, by name in order, with its version. */
    static final DatabaseFact<Map<String, String>> INSTALLED = DatabaseFact.of("installed extensions",
            (connection, source) -> Collections.unmodifiableMap(Sql.pairs(connection, "SELECT extname, extversion"
                    + " FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1")));

    private SourceExtensions() {
    }

    /** Each extension name and the selected databases it is installed in. */
    static Map<String, TreeSet<String>> byName(ValidationContext context) throws SQLException {
        Map<String, Map<String, String>> perDatabase = InstanceValidator.perSelectedDatabase(context, INSTALLED);
        Map<String, TreeSet<String>> byName = new TreeMap<>();
        perDatabase.forEach((database, installed) -> installed.keySet().forEach(
                name -> byName.computeIfAbsent(name, n -> new TreeSet<>()).add(database)));
        return byName;
    }

    /** {@code "hstore (in shop, crm)"}. */
    static String where(String extension, TreeSet<String> databases) {
        return extension + " (in " + String.join(", ", databases) + ")";
    }
}
