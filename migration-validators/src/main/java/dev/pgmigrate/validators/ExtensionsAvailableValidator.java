package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** D6, D7: every installed extension is available on the target at the same or a newer version. */
public final class ExtensionsAvailableValidator extends DatabaseValidator {
    /** Extensions whose next major version drops objects that dumps of the old one create. */
    private static final Map<String, String> BREAKING_MAJOR = Map.of("postgis", "PostGIS 3 moved raster and "
            + "removed functions of 2", "pg_partman", "pg_partman 5 removed trigger-based partitioning",
            "timescaledb", "TimescaleDB 2 changed its catalog");

    public ExtensionsAvailableValidator() {
        super("extensions-available", "Every extension is available on the target at the same or a newer version.",
                true);
    }

    /** Compares extension versions such as {@code 1.10} and {@code 1.9.2} by their numbers. */
    static int compareVersions(String left, String right) {
        String[] a = left.split("[^0-9]+");
        String[] b = right.split("[^0-9]+");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            long x = i < a.length && !a[i].isEmpty() ? Long.parseLong(a[i]) : 0;
            long y = i < b.length && !b[i].isEmpty() ? Long.parseLong(b[i]) : 0;
            if (x != y) {
                return Long.compare(x, y);
            }
        }
        return 0;
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(SourceExtensions.INSTALLED);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        Map<String, String> installed = context.fact(SourceExtensions.INSTALLED, context.database().orElseThrow());
        if (installed.isEmpty()) {
            return List.of(context.succeeded("No extension besides plpgsql is installed."));
        }
        Map<String, String> offered = context.targetFact(TargetOffer.EXTENSIONS);
        List<String> missing = new ArrayList<>();
        List<String> older = new ArrayList<>();
        List<String> newer = new ArrayList<>();
        installed.forEach((name, version) -> {
            String theirs = offered.get(name);
            if (theirs == null) {
                missing.add(name + " " + version);
            } else if (compareVersions(theirs, version) < 0) {
                older.add(name + " " + version + " (target offers " + theirs + ")");
            } else if (BREAKING_MAJOR.containsKey(name) && !theirs.split("\\.")[0].equals(version.split("\\.")[0])) {
                older.add(name + " " + version + " (target offers " + theirs + "; " + BREAKING_MAJOR.get(name) + ")");
            } else if (compareVersions(theirs, version) > 0) {
                newer.add(name + " " + version + " -> " + theirs);
            }
        });
        if (missing.isEmpty() && older.isEmpty()) {
            return List.of(context.succeeded("All " + installed.size() + " extensions are available on the target"
                    + (newer.isEmpty() ? " at the same version." : "; " + Text.counted(newer, "comes", "come")
                    + " at a newer version.")));
        }
        List<String> items = new ArrayList<>(missing);
        items.addAll(older);
        String found = (missing.isEmpty() ? "" : Text.counted(missing, "extension is", "extensions are")
                + " not available on the target" + (older.isEmpty() ? "" : "; ")) + (older.isEmpty() ? ""
                : Text.counted(older, "extension is", "extensions are") + " only available at an older or "
                + "incompatible version") + ".";
        return List.of(context.failed(found, "CREATE EXTENSION fails on the target, and every table, function or "
                + "column depending on the extension with it.", "Install the extension packages on the target (or "
                + "pick a target offering them), upgrade them on the target to at least the source's version, or "
                + "drop unused extensions from the source (DROP EXTENSION).", items));
    }
}
