package dev.pgmigrate.core;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The field names each object of a properties file accepts, and what to say about a name it does not: the
 * managed service's fields that mean nothing here, or the closest known name.
 */
final class PropertiesFieldNames {
    /** The one field at the top of the file, and the first part of every field path in a problem. */
    static final String ROOT = "properties";

    static final List<String> PROPERTIES_FIELDS = List.of("sourceServer", "targetServer", "dbsToMigrate",
            "overwriteDbsInTarget", "migrationOption", "migrationMode", "settings", "migrateRoles",
            "sourceDbServerResourceId", "secretParameters", "sourceServerUserName", "targetServerUserName",
            "sourceType", "sslMode", "sourceDbServerFullyQualifiedDomainName",
            "targetDbServerFullyQualifiedDomainName", "migrationRuntimeResourceId", "migrationInstanceResourceId",
            "setupLogicalReplicationOnSourceDbIfNeeded", "triggerCutover", "startDataMigration");
    static final List<String> SERVER_FIELDS = List.of("host", "port", "adminLogin", "password", "sslMode",
            "type", "fullyQualifiedDomainName");
    static final List<String> SETTINGS_FIELDS = List.of("parallelism", "migrateRoles", "verify",
            "serverParameters", "splitTablesLargerThanBytes", "maintenanceWorkMem", "connectTimeoutSeconds",
            "pgDumpDirectory", "extensionAllowListParameter", "options", "selection", "skipAnalyze");
    static final List<String> SELECTION_FIELDS = List.of("schemas", "excludeSchemas", "tables", "excludeTables",
            "excludeTableData", "schemaOnly", "dataOnly");
    static final List<String> SECRET_FIELDS = List.of("adminCredentials", "sourceServerUserName",
            "targetServerUserName");
    static final List<String> CREDENTIAL_FIELDS = List.of("sourceServerPassword", "targetServerPassword");

    /** Fields of the managed service's body that have no meaning here, by lower-case name, with what to do. */
    private static final Map<String, String> FOREIGN_FIELDS = foreignFields();

    private PropertiesFieldNames() {
    }

    /**
     * The rule broken by {@code key}, a name not in {@code known}: what to do about a managed service's field in
     * {@code properties}, else the closest known name, when one is close, and every known name.
     */
    static String unknownRule(String key, List<String> known) {
        String foreign = known == PROPERTIES_FIELDS ? FOREIGN_FIELDS.get(key.toLowerCase(Locale.ROOT)) : null;
        if (foreign != null) {
            return "pgmigrate does not use this field: it " + foreign;
        }
        String closest = known.stream().min(Comparator.comparingInt((String k) -> distance(
                k.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT)))).orElse("");
        String hint = distance(closest.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT))
                <= Math.max(2, key.length() / 3) ? "did you mean \"" + closest + "\"? " : "";
        return "pgmigrate does not know this field; " + hint + "the fields here are: " + String.join(", ", known);
    }

    /** The Levenshtein distance: single-character insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Map<String, String> foreignFields() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("dbstotriggercutoveron", "names the databases to cut over, and " + PropertiesServiceFields.CUTOVER_LATER
                + ". Remove it");
        for (String f : List.of("migrationWindowStartTimeInUtc", "migrationWindowEndTimeInUtc")) {
            map.put(f.toLowerCase(Locale.ROOT), "schedules the migration; pgmigrate starts when its command runs, so "
                    + "remove it and run the command at that time (with cron or at)");
        }
        map.put("cancel", "is not part of a new migration; use 'pgmigrate migration cancel --name NAME' instead");
        map.put("dbstocancelmigrationon", "is not part of a new migration; use 'pgmigrate migration cancel --name "
                + "NAME' instead");
        return map;
    }
}
