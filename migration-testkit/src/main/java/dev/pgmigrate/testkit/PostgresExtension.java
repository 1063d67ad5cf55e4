package dev.pgmigrate.testkit;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.PostgresBinaries;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.PostgresServerBuilder;
import dev.pgmigrate.embedded.ServerProfile;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension that injects {@link PostgresServer} parameters (chosen with {@link Pg}) and runs
 * {@link MigrationMatrix} templates. Registered by {@link PostgresTest} and {@link MigrationMatrix}, or with
 * {@code @ExtendWith(PostgresExtension.class)}.
 *
 * <p>Servers come from the JVM's shared pool ({@link PostgresServerBuilder#startShared()}): started on first use,
 * reused by every later test class, stopped when the JVM exits.
 *
 * @since 0.1
 */
@Experimental
public final class PostgresExtension implements ParameterResolver, TestTemplateInvocationContextProvider {
    /** System property with the version a {@link PostgresServer} parameter without {@link Pg} gets. */
    public static final String DEFAULT_VERSION_PROPERTY = "pgmigrate.testkit.version";
    /** The version used when {@value #DEFAULT_VERSION_PROPERTY} is not set. */
    public static final String DEFAULT_VERSION = "17";
    /** System property narrowing every {@link MigrationMatrix} to the pairs it lists, such as {@code "15->17"}. */
    public static final String MATRIX_PROPERTY = "pgmigrate.testkit.matrix";

    /** Needed by JUnit; the extension keeps no state of its own. */
    public PostgresExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Optional<Pg> pg = parameter.findAnnotation(Pg.class);
        String version = pg.map(Pg::value).filter(v -> !v.isBlank()).orElseGet(PostgresExtension::defaultVersion);
        PostgresServerBuilder builder = PostgresServer.builder().version(version)
                .profile(pg.map(Pg::profile).orElse(ServerProfile.SUPERUSER));
        if (pg.isPresent()) {
            if (pg.get().system()) {
                builder.binaries(PostgresBinaries.system(Integer.parseInt(PostgresBinaries.majorLabel(version))));
            }
            for (String setting : pg.get().settings()) {
                int eq = setting.indexOf('=');
                if (eq <= 0) {
                    throw new ParameterResolutionException("@Pg setting '" + setting + "' of " + parameter
                            .getParameter() + " must look like name=value");
                }
                builder.setting(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
            }
            if (pg.get().sharedPreloadLibraries().length > 0) {
                builder.sharedPreloadLibraries(pg.get().sharedPreloadLibraries());
            }
        }
        return builder.startShared();
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, MigrationMatrix.class))
                .orElse(false);
    }

    @Override
    public boolean mayReturnZeroTestTemplateInvocationContexts(ExtensionContext context) {
        // The matrix property may narrow a template to none of its pairs.
        return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        MigrationMatrix matrix = AnnotationSupport.findAnnotation(method, MigrationMatrix.class).orElseThrow();
        Set<String> wanted = narrowing();
        List<TestTemplateInvocationContext> invocations = new ArrayList<>();
        for (String pair : matrix.value()) {
            String[] sides = parsePair(pair, method);
            String label = sides[0] + " -> " + sides[1];
            if (!wanted.isEmpty() && !wanted.contains(label)) {
                continue;
            }
            invocations.add(new PairInvocation(label, sides[0], sides[1], matrix.sourceProfile(),
                    matrix.targetProfile()));
        }
        return invocations.stream();
    }

    static String defaultVersion() {
        String v = System.getProperty(DEFAULT_VERSION_PROPERTY);
        return v == null || v.isBlank() ? DEFAULT_VERSION : v.trim();
    }

    static String[] parsePair(String pair, Object where) {
        String[] sides = pair.split("->");
        if (sides.length != 2 || sides[0].isBlank() || sides[1].isBlank()) {
            throw new IllegalArgumentException("'" + pair + "' in " + where + " is not a version pair; write it like "
                    + "\"9.6->15\"");
        }
        return new String[] {sides[0].trim(), sides[1].trim()};
    }

    private static Set<String> narrowing() {
        String property = System.getProperty(MATRIX_PROPERTY);
        Set<String> wanted = new LinkedHashSet<>();
        if (property != null && !property.isBlank()) {
            for (String pair : property.split(",")) {
                if (!pair.isBlank()) {
                    String[] sides = parsePair(pair, "-D" + MATRIX_PROPERTY);
                    wanted.add(sides[0] + " -> " + sides[1]);
                }
            }
        }
        return wanted;
    }

    private record PairInvocation(String label, String source, String target, ServerProfile sourceProfile,
            ServerProfile targetProfile) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return label;
        }

        @Override
        public List<org.junit.jupiter.api.extension.Extension> getAdditionalExtensions() {
            return List.of(new ParameterResolver() {
                @Override
                public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
                    return parameter.getParameter().getType() == ServerPair.class;
                }

                @Override
                public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
                    PostgresServer s = PostgresServer.builder().version(source).profile(sourceProfile).startShared();
                    boolean sameKind = PostgresBinaries.fullVersion(source).equals(PostgresBinaries.fullVersion(target))
                            && sourceProfile == targetProfile;
                    PostgresServer t = PostgresServer.builder().version(target).profile(targetProfile)
                            .startShared(sameKind ? 1 : 0);
                    return new ServerPair(s, t);
                }
            });
        }
    }
}
