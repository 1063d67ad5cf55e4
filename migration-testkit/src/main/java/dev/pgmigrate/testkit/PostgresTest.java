package dev.pgmigrate.testkit;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.PostgresServer;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method whose {@link PostgresServer} parameters {@link PostgresExtension} injects.
 *
 * <pre>{@code
 * @PostgresTest
 * class ShopTest {
 *     @Test
 *     void createsTables(@Pg("17") PostgresServer server) {
 *         String db = server.createDatabase(TestDatabases.unique("shop"));
 *         server.execute(db, "CREATE TABLE t (id int PRIMARY KEY)");
 *     }
 * }
 * }</pre>
 *
 * @since 0.1
 */
@Experimental
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(PostgresExtension.class)
public @interface PostgresTest {
}
