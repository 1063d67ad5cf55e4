package dev.pgmigrate.core;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.core.internal.run.EngineOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Names in {@code settings.options} that nobody reads. Options are open-ended, for plugins and experiments, but a
 * prefix (the part up to the first {@code '.'}) under which the engine or a plugin declares names is theirs: another
 * name there ({@code source.lockTimeoutSecs}) is a typo that would otherwise be ignored without a word.
 */
final class OptionNames {
    private OptionNames() {
    }

    /**
     * Each name of {@code options} under a declared prefix that {@code declared} (the engine's and the plugins'
     * names) lacks, with the closest declared name when one is close, as a problem of {@code settings.options.NAME}.
     */
    static List<SpecProblem> unknown(Set<String> options, Set<String> declared) {
        Set<String> prefixes = new TreeSet<>();
        declared.forEach(name -> prefixes.add(prefix(name)));
        List<SpecProblem> problems = new ArrayList<>();
        for (String name : new TreeSet<>(options)) {
            String prefix = prefix(name);
            if (declared.contains(name) || !prefixes.contains(prefix)) {
                continue;
            }
            List<String> under = declared.stream().filter(d -> prefix(d).equals(prefix)).sorted().toList();
            String closest = declared.stream().min(Comparator.comparingInt((String d) -> distance(d, name))
                    .thenComparing(d -> d)).orElseThrow();
            String hint = distance(closest, name) <= Math.max(2, name.length() / 3) ? "did you mean \"" + closest
                    + "\"? " : "";
            problems.add(new SpecProblem("settings.options." + name, "(unknown option)", "pgmigrate and its "
                    + "plugins read no option of this name, and '" + prefix + ".' is theirs; " + hint + "the options "
                    + "under '" + prefix + ".' are: " + String.join(", ", under)));
        }
        return problems;
    }

    /** The engine's own names and those {@code plugins} declare. */
    static Set<String> declared(Plugins plugins) {
        Set<String> names = new TreeSet<>(EngineOptions.NAMES);
        plugins.validators().forEach(v -> names.addAll(v.options()));
        plugins.movers().forEach(m -> names.addAll(m.options()));
        return names;
    }

    /** Every problem of {@code settings}' options: bad values of the engine's, and unknown names. */
    static List<SpecProblem> problems(MigrationSettings settings, Plugins plugins) {
        List<SpecProblem> problems = new ArrayList<>(EngineOptions.problems(settings));
        problems.addAll(unknown(settings.options().keySet(), declared(plugins)));
        return problems;
    }

    private static String prefix(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** The Levenshtein distance, ignoring case. */
    private static int distance(String a, String b) {
        return PropertiesFieldNames.distance(a.toLowerCase(Locale.ROOT), b.toLowerCase(Locale.ROOT));
    }
}
