package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.Stable;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.Validator;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validators and data movers a migration uses: those found with {@link ServiceLoader} on the class path,
 * plus any registered by the embedding program.
 *
 * <p>{@code Plugins.discover().withValidator(new MyCheck())}
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public final class Plugins {
    private static final Logger log = LoggerFactory.getLogger(Plugins.class);

    private final List<Validator> validators;
    private final List<DataMover> movers;

    private Plugins(List<Validator> validators, List<DataMover> movers) {
        this.validators = List.copyOf(byId(validators, Validator::id, "validator"));
        this.movers = List.copyOf(byId(movers, DataMover::id, "data mover"));
    }

    /**
     * Loads every validator and mover on the class path of {@code loader}.
     *
     * @throws MigrationException naming the plugin class and jar when one fails to load or two share an id
     */
    public static Plugins discover(ClassLoader loader) {
        Objects.requireNonNull(loader, "loader must not be null");
        Plugins plugins = new Plugins(load(Validator.class, loader), load(DataMover.class, loader));
        log.debug("Found validators {} and data movers {}", plugins.validatorIds(), plugins.moverIds());
        return plugins;
    }

    /** Loads every plugin on the class path of this class's loader. */
    public static Plugins discover() {
        return discover(Plugins.class.getClassLoader());
    }

    /** Plugins given explicitly, with nothing discovered. */
    public static Plugins of(List<? extends Validator> validators, List<? extends DataMover> movers) {
        return new Plugins(new ArrayList<>(validators), new ArrayList<>(movers));
    }

    /** A copy with {@code validator} added. */
    public Plugins withValidator(Validator validator) {
        List<Validator> all = new ArrayList<>(validators);
        all.add(Objects.requireNonNull(validator, "validator must not be null"));
        return new Plugins(all, movers);
    }

    /** A copy with {@code mover} added. */
    public Plugins withMover(DataMover mover) {
        List<DataMover> all = new ArrayList<>(movers);
        all.add(Objects.requireNonNull(mover, "mover must not be null"));
        return new Plugins(validators, all);
    }

    /** A copy with only the validators whose ids are given, for running one check alone. */
    public Plugins onlyValidators(List<String> ids) {
        return new Plugins(validators.stream().filter(v -> ids.contains(v.id())).toList(), movers);
    }

    /** Every validator, ordered by id. */
    public List<Validator> validators() {
        return validators;
    }

    /** Every data mover, highest priority first, then by id. */
    public List<DataMover> movers() {
        return movers.stream().sorted(Comparator.comparingInt(DataMover::priority).reversed()
                .thenComparing(DataMover::id)).toList();
    }

    /** The ids of every validator. */
    public List<String> validatorIds() {
        return validators.stream().map(Validator::id).toList();
    }

    /**
     * Every problem of {@code settings.options}: a bad value of an option the engine reads, and a name that neither
     * the engine nor one of these plugins declares ({@link Validator#options()}, {@link DataMover#options()}) under a
     * prefix that one of them declares names under, such as {@code source.lockTimeoutSecs}, with the closest
     * declared name. Each is a problem of the field {@code settings.options.NAME}; empty when there is none.
     *
     * @since 0.3
     */
    public List<SpecProblem> optionProblems(MigrationSettings settings) {
        return OptionNames.problems(Objects.requireNonNull(settings, "settings must not be null"), this);
    }

    /** The ids of every data mover. */
    public List<String> moverIds() {
        return movers().stream().map(DataMover::id).toList();
    }

    private static <T> List<T> load(Class<T> type, ClassLoader loader) {
        List<T> found = new ArrayList<>();
        var iterator = ServiceLoader.load(type, loader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<T> provider;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                provider = iterator.next();
            } catch (ServiceConfigurationError e) {
                throw new MigrationException(MessageCode.PLUGIN_INVALID,
                        "Cannot load a " + type.getSimpleName() + " plugin listed in "
                        + "META-INF/services/" + type.getName() + ": " + e.getMessage()
                        + ". Fix or remove the entry, or take the jar off the class path.", e);
            }
            try {
                found.add(provider.get());
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                throw new MigrationException(MessageCode.PLUGIN_INVALID,
                        "Plugin " + provider.type().getName() + " from "
                        + jarOf(provider.type()) + " threw while loading: " + e + ". Its constructor must do no "
                        + "I/O and not fail; fix the plugin or take its jar off the class path.", e);
            }
        }
        return found;
    }

    private static <T> List<T> byId(List<T> plugins, Function<T, String> id, String kind) {
        Map<String, T> byId = new TreeMap<>();
        for (T plugin : plugins) {
            String pluginId = id.apply(plugin);
            if (pluginId == null || !pluginId.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
                throw new MigrationException(MessageCode.PLUGIN_INVALID,
                        "The " + kind + " " + plugin.getClass().getName() + " from "
                        + jarOf(plugin.getClass()) + " has the id '" + pluginId + "'; an id is lower-case words "
                        + "joined by '-', such as 'unlogged-tables'.");
            }
            T previous = byId.putIfAbsent(pluginId, plugin);
            if (previous != null) {
                throw new MigrationException(MessageCode.PLUGIN_INVALID,
                        "Two " + kind + "s share the id '" + pluginId + "': "
                        + previous.getClass().getName() + " from " + jarOf(previous.getClass()) + " and "
                        + plugin.getClass().getName() + " from " + jarOf(plugin.getClass())
                        + ". Remove one of the jars from the class path, or give one plugin another id.");
            }
        }
        return new ArrayList<>(byId.values());
    }

    /**
     * The jar, or the directory of classes, that {@code type} was loaded from, as a file path where it is a file
     * (else as a URL), such as {@code "/opt/pgmigrate/plugins/vendor-checks-1.2.jar"}; {@code "(unknown location)"}
     * when the JVM does not say (a class of the JDK).
     */
    public static String jarOf(Class<?> type) {
        Objects.requireNonNull(type, "type must not be null");
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "(unknown location)";
        }
        try {
            URI location = source.getLocation().toURI();
            return "file".equals(location.getScheme()) ? Path.of(location).toString() : location.toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return source.getLocation().toString();
        }
    }
}
