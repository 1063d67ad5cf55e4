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
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vendor's plugin jar, compiled and packed here, is found through its META-INF/services and used. */
@PostgresTest
class PluginJarTest {
    private static final String VALIDATOR = """
            package vendor;
            import dev.pgmigrate.api.ValidationResult;
            import dev.pgmigrate.api.ValidationScope;
            import dev.pgmigrate.api.spi.ValidationContext;
            import dev.pgmigrate.api.spi.Validator;
            import java.sql.Connection;
            import java.sql.SQLException;
            import java.util.List;
            public final class ForbiddenTableValidator implements Validator {
                public String id() { return "vendor-forbidden-table"; }
                public ValidationScope scope() { return ValidationScope.DATABASE; }
                public String description() { return "Refuses databases holding a table named forbidden"; }
                public List<ValidationResult> validate(ValidationContext context) throws SQLException {
                    try (Connection c = context.source().connect(context.database().get());
                         var rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_class WHERE relname = 'forbidden'")) {
                        rs.next();
                        return rs.getLong(1) == 0 ? List.of(context.succeeded("no table named forbidden"))
                            : List.of(context.failed("a table named forbidden exists", "the vendor says so",
                                "drop or rename the table", List.of("forbidden")));
                    }
                }
            }
            """;
    private static final String MOVER = """
            package vendor;
            import dev.pgmigrate.api.spi.CopyContext;
            import dev.pgmigrate.api.spi.CopyTask;
            import dev.pgmigrate.api.spi.DataMover;
            import dev.pgmigrate.api.spi.MoveResult;
            import java.sql.SQLException;
            import org.postgresql.PGConnection;
            public final class VendorMover implements DataMover {
                public String id() { return "vendor-mover"; }
                public int priority() { return 1000; }
                public boolean supports(CopyTask task) { return task.table().startsWith("vendor_"); }
                public MoveResult move(CopyTask task, CopyContext context) throws SQLException {
                    var out = new java.io.ByteArrayOutputStream();
                    try {
                        context.source().unwrap(PGConnection.class).getCopyAPI().copyOut(task.copyOutSql(""), out);
                        long rows = context.target().unwrap(PGConnection.class).getCopyAPI().copyIn(task.copyInSql(""),
                            new java.io.ByteArrayInputStream(out.toByteArray()));
                        return new MoveResult(rows, out.size());
                    } catch (java.io.IOException e) {
                        throw new SQLException(e);
                    }
                }
            }
            """;

    @Test
    void findsAndUsesAVendorsValidatorAndMover(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target,
            @TempDir Path dir) throws Exception {
        Path jar = pluginJar(dir);
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

    private static Path pluginJar(Path dir) throws IOException {
        Path src = dir.resolve("src/vendor");
        Files.createDirectories(src);
        Files.writeString(src.resolve("ForbiddenTableValidator.java"), VALIDATOR);
        Files.writeString(src.resolve("VendorMover.java"), MOVER);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int rc = compiler.run(null, null, null, "-classpath", System.getProperty("java.class.path"), "-d",
                classes.toString(), src.resolve("ForbiddenTableValidator.java").toString(),
                src.resolve("VendorMover.java").toString());
        assertThat(rc).as("the plugin compiles").isZero();
        Path jar = dir.resolve("vendor-plugin.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(file).toString()));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            entry(out, "META-INF/services/dev.pgmigrate.api.spi.Validator", "vendor.ForbiddenTableValidator\n");
            entry(out, "META-INF/services/dev.pgmigrate.api.spi.DataMover", "vendor.VendorMover\n");
        }
        return jar;
    }

    private static void entry(JarOutputStream out, String name, String text) throws IOException {
        out.putNextEntry(new JarEntry(name));
        OutputStream o = out;
        o.write(text.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }
}
