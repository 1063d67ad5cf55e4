package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * I6: where the target restricts extensions with an allow-list parameter, every one the databases use is on it;
 * without one, a target login that is no superuser can create them ({@link ExtensionTrust}).
 */
public final class ExtensionAllowListValidator extends InstanceValidator {
    /** Allow-list parameters of managed services and of pgextwlist, tried when none is configured. */
    static final List<String> WELL_KNOWN = List.of("azure.extensions", "rds.allowed_extensions",
            "extwlist.extensions");

    public ExtensionAllowListValidator() {
        super("extension-allow-list", "Every extension the databases use is on the target's allow-list, if any, "
                + "and one the target login may create.", Needs.BOTH);
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(SourceExtensions.INSTALLED);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) throws SQLException {
        List<String> names = context.spec().settings().extensionAllowListParameter().map(List::of).orElse(WELL_KNOWN);
        Optional<String[]> allowList = Optional.empty();
        if (facts(context.target()).versionNum() >= 90600) {  // current_setting(name, missing_ok) came in 9.6
            try (Connection connection = maintenance(context.target())) {
                for (String name : names) {
                    Optional<String> value = Sql.string(connection, "SELECT current_setting(?, true)", name);
                    if (value.isPresent() && !value.get().isBlank()) {
                        allowList = Optional.of(new String[] {name, value.get()});
                        break;
                    }
                }
            }
        }
        Map<String, TreeSet<String>> used = SourceExtensions.byName(context);
        if (allowList.isEmpty()) {
            ValidationResult none = context.succeeded("The target has no extension allow-list (looked for "
                    + String.join(", ", names) + ").");
            return List.of(ExtensionTrust.check(context, used).orElse(none));
        }
        String parameter = allowList.get()[0];
        Set<String> allowed = Arrays.stream(allowList.get()[1].split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        if (allowed.contains("*")) { // RDS's rds.allowed_extensions default: every extension the login may create
            ValidationResult all = context.succeeded("The target's " + parameter + " allows every extension ('*').");
            return List.of(ExtensionTrust.check(context, used).orElse(all));
        }
        List<String> missing = new ArrayList<>();
        used.forEach((name, databases) -> {
            if (!allowed.contains(name.toLowerCase(Locale.ROOT))) {
                missing.add(SourceExtensions.where(name, databases));
            }
        });
        if (missing.isEmpty()) {
            return List.of(context.succeeded("All " + used.size() + " extensions used are on the target's "
                    + parameter + "."));
        }
        return List.of(context.failed(Text.counted(missing, "extension is", "extensions are") + " not on the "
                + "target's " + parameter + ".", "CREATE EXTENSION fails on the target for an extension that is "
                + "not on its allow-list, and with it the schema copy.", "Add them to " + parameter + " on the "
                + "target (the service's server parameters page, then save), or drop them from the source "
                + "databases if they are unused.", missing));
    }
}
