package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ValidationContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** I7: extensions that only work from {@code shared_preload_libraries} are preloaded on the target. */
public final class PreloadLibrariesValidator extends InstanceValidator {
    /** One line of {@code preload-libraries.txt}. */
    record Need(String extension, String library, ValidationStatus severity) {
    }

    private static final Map<String, Need> NEEDS = load();

    public PreloadLibrariesValidator() {
        super("preload-libraries", "Extensions that need shared_preload_libraries are preloaded on the target.",
                Needs.BOTH);
    }

    private static Map<String, Need> load() {
        Map<String, Need> needs = new LinkedHashMap<>();
        try (InputStream in = PreloadLibrariesValidator.class.getResourceAsStream("preload-libraries.txt");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                String[] words = line.trim().split("\\s+");
                if (words.length == 3 && !line.startsWith("#")) {
                    needs.put(words[0], new Need(words[0], words[1], ValidationStatus.fromLabel(words[2])));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read preload-libraries.txt from the validators jar", e);
        }
        return needs;
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(SourceExtensions.INSTALLED);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        Map<String, TreeSet<String>> used = SourceExtensions.byName(context);
        List<Need> needed = used.keySet().stream().filter(NEEDS::containsKey).map(NEEDS::get).toList();
        if (needed.isEmpty()) {
            return List.of(context.succeeded("None of the " + used.size() + " extensions used needs "
                    + "shared_preload_libraries."));
        }
        Optional<String> preload;
        try (Connection connection = maintenance(context.target())) {
            // pg_settings hides this row from logins without pg_read_all_settings; that is "unknown", not "empty".
            preload = Sql.string(connection, "SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'");
        }
        List<String> names = needed.stream().map(n -> n.extension() + " needs " + n.library()).toList();
        if (preload.isEmpty()) {
            return List.of(context.warning("The target login cannot read shared_preload_libraries; "
                    + Text.counted(names, "extension needs it", "extensions need it") + ".", "Without the library "
                    + "preloaded these extensions fail to install or do not work.", "Check the target's "
                    + "shared_preload_libraries yourself, or GRANT pg_read_all_settings to the login.", names));
        }
        Set<String> loaded = Arrays.stream(preload.get().split(",")).map(s -> s.trim().replace("\"", ""))
                .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        List<String> missing = new ArrayList<>();
        ValidationStatus status = ValidationStatus.SUCCEEDED;
        for (Need need : needed) {
            if (!loaded.contains(need.library())) {
                missing.add(need.extension() + " needs " + need.library() + " ("
                        + String.join(", ", used.get(need.extension())) + ")");
                status = status.worst(need.severity());
            }
        }
        String found = "The target preloads '" + preload.get() + "'";
        if (missing.isEmpty()) {
            return List.of(context.succeeded(found + ", all that the " + needed.size() + " extensions need."));
        }
        return List.of(context.result(status, found + "; " + Text.counted(missing, "library is", "libraries are")
                + " missing.", "These extensions " + (status == ValidationStatus.FAILED ? "fail to install"
                : "install but do not work") + " unless their library is loaded at server start.",
                "Add the libraries to shared_preload_libraries on the target (the service's parameter page or "
                        + "postgresql.conf) and restart it.", missing));
    }
}
