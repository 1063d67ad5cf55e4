package dev.pgmigrate.testkit;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.ServerProfile;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test once per (source version, target version) pair, injecting a {@link ServerPair}.
 *
 * <pre>{@code
 * @MigrationMatrix({"9.6->15", "11->17", "15->18", "15->15"})
 * void copiesEverything(ServerPair pair) {
 *     String db = pair.source().createDatabase(TestDatabases.unique("shop"));
 *     ...
 * }
 * }</pre>
 *
 * <p>Each invocation is named like {@code "9.6 -> 15"}. The system property
 * {@value PostgresExtension#MATRIX_PROPERTY} (such as {@code "15->17,9.6->15"}) narrows the pairs that run to
 * those it lists, for quick local runs. Servers come from the JVM's shared pool; when both sides of a pair have
 * the same version and profile, the target is a second server.
 *
 * @since 0.1
 */
@Experimental
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@TestTemplate
@ExtendWith(PostgresExtension.class)
public @interface MigrationMatrix {
    /** The pairs, each {@code "<source>-><target>"} such as {@code "9.6->15"}. */
    String[] value();

    /** The profile of every source server. */
    ServerProfile sourceProfile() default ServerProfile.SUPERUSER;

    /** The profile of every target server. */
    ServerProfile targetProfile() default ServerProfile.SUPERUSER;
}
