package dev.pgmigrate.testkit;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.PostgresBinaries;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.ServerProfile;
import dev.pgmigrate.embedded.TestDatabases;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Chooses the server {@link PostgresExtension} injects into a {@link PostgresServer} parameter.
 *
 * <p>{@code void copiesRows(@Pg("9.6") PostgresServer source, @Pg(value = "17", profile = ServerProfile.MANAGED)
 * PostgresServer target)}
 *
 * <p>Servers are shared by every test of the JVM that asks for the same version, profile and settings; each test
 * works in its own database ({@link TestDatabases#unique(String)}).
 *
 * @since 0.1
 */
@Experimental
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Pg {
    /**
     * The version: a major such as {@code "9.6"} or {@code "17"}, or a full version. Empty means the system
     * property {@value PostgresExtension#DEFAULT_VERSION_PROPERTY}, else {@value PostgresExtension#DEFAULT_VERSION}.
     */
    String value() default "";

    /** Which admin login the server hands out. */
    ServerProfile profile() default ServerProfile.SUPERUSER;

    /** Extra {@code postgresql.conf} parameters, each {@code "name=value"}. */
    String[] settings() default {};

    /** Libraries for {@code shared_preload_libraries}, such as {@code "pg_stat_statements"}. */
    String[] sharedPreloadLibraries() default {};

    /**
     * Runs the machine's own installation of the major {@link #value()} names ({@code /usr/lib/postgresql/<major>/bin},
     * {@link PostgresBinaries#system(int)}) instead of the pinned Maven artifact: Debian builds it with lz4, and
     * modules built against its server headers load into it.
     */
    boolean system() default false;
}
