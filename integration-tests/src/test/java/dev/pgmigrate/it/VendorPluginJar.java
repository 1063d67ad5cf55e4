package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A vendor's plugin jar, compiled and packed by a test: the validator {@code vendor-forbidden-table} (fails a
 * database holding a table named {@code forbidden}) and the data mover {@code vendor-mover} (takes the tables whose
 * names start with {@code vendor_}, with the highest priority).
 */
final class VendorPluginJar {
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

    private VendorPluginJar() {
    }

    /** Compiles the plugin against this JVM's class path and packs it into {@code dir/vendor-plugin.jar}. */
    static Path write(Path dir) throws IOException {
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
