package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The extensions installed in the selected source databases, read with one query per database. */
final class SourceExtensions {
    private SourceExtensions() {
    }

    /** Each extension name and the selected databases it is installed in. */
    static Map<String, TreeSet<String>> byName(ValidationContext context) throws SQLException {
        Map<String, List<String>> perDatabase = InstanceValidator.perSelectedDatabase(context,
                connection -> Sql.strings(connection, "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'"));
        Map<String, TreeSet<String>> byName = new TreeMap<>();
        perDatabase.forEach((database, names) -> names.forEach(
                name -> byName.computeIfAbsent(name, n -> new TreeSet<>()).add(database)));
        return byName;
    }

    /** {@code "hstore (in shop, crm)"}. */
    static String where(String extension, TreeSet<String> databases) {
        return extension + " (in " + String.join(", ", databases) + ")";
    }
}
