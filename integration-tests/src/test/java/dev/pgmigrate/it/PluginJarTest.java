package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vendor's plugin jar ({@link VendorPluginJar}) is found through its META-INF/services and used. */
@PostgresTest
class PluginJarTest {
    @Test
    void findsAndUsesAVendorsValidatorAndMover(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target,
            @TempDir Path dir) throws Exception {
        Path jar = VendorPluginJar.write(dir);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                PluginJarTest.class.getClassLoader())) {
            Plugins plugins = Plugins.discover(loader);
            assertThat(plugins.validatorIds()).contains("vendor-forbidden-table");
            assertThat(plugins.moverIds()).startsWith("vendor-mover");

            String db = source.createDatabase(TestDatabases.unique("vendor"));
            source.execute(db, "CREATE TABLE vendor_items (id int PRIMARY KEY, name text)",
                    "INSERT INTO vendor_items SELECT g, 'item ' || g FROM generate_series(1, 500) g",
                    "CREATE TABLE plain (id int)", "INSERT INTO plain SELECT generate_series(1, 10)");
            try (MigrationService service = MigrationService.builder().plugins(plugins).build()) {
                MigrationRecord done = service.start(spec("vendor-ok", source, target, db)).await();
                assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
                assertThat(done.validationResults()).anyMatch(r -> r.validatorId().equals("vendor-forbidden-table")
                        && r.status() == ValidationStatus.SUCCEEDED);
                assertThat(done.database(db).orElseThrow().tables())
                        .anySatisfy(t -> {
                            assertThat(t.table()).isEqualTo("vendor_items");
                            assertThat(t.moverId()).contains("vendor-mover");
                            assertThat(t.rows()).isEqualTo(500);
                        })
                        .anySatisfy(t -> {
                            assertThat(t.table()).isEqualTo("plain");
                            assertThat(t.moverId()).isPresent().get().isNotEqualTo("vendor-mover");
                        });

                String refused = source.createDatabase(TestDatabases.unique("vendor"));
                source.execute(refused, "CREATE TABLE forbidden (id int)");
                List<String> before = databases(target);
                MigrationRecord failed = service.start(spec("vendor-refused", source, target, refused)).await();
                assertThat(failed.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
                assertThat(failed.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.VALIDATION_FAILED);
                assertThat(failed.errors()).anyMatch(e -> e.text().contains("vendor-forbidden-table"));
                assertThat(databases(target)).isEqualTo(before);
            }
        }
    }

    private static MigrationSpec spec(String name, PostgresServer source, PostgresServer target, String db) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec())
                .databases(db).settings(MigrationSettings.builder().parallelism(2).build()).build();
    }

    static List<String> databases(PostgresServer server) {
        return server.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream()
                .map(row -> row.get(0)).toList();
    }
}
