package dev.pgmigrate.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Heap use does not grow with the table: a table about ten times the JVM's heap goes through. */
class HeapUseTest {
    private static final String DB = "copy_heap";
    private static final String HEAP = "-Xmx32m";
    private static final long TABLE_BYTES = 320L * 1024 * 1024;

    static final TestServer source = TestServer.source();
    static final TestServer target = TestServer.target();

    @BeforeAll
    static void bigTable() throws SQLException {
        source.recreateDatabase(DB);
        target.recreateDatabase(DB);
        String ddl = "CREATE TABLE big (id bigint, filler text)";
        source.execute(DB, ddl, "INSERT INTO big SELECT g, repeat(md5(g::text), 9) FROM generate_series(1, 1100000) g");
        target.execute(DB, ddl);
        assertThat(Long.parseLong(Tables.single(source, DB, "SELECT pg_relation_size('big')")))
                .isGreaterThan(TABLE_BYTES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"binary-copy", "text-copy"})
    void copiesATableManyTimesLargerThanTheHeap(String moverId) throws Exception {
        target.execute(DB, "TRUNCATE big");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), HEAP, "-cp", System.getProperty("java.class.path"),
                CopyInSmallHeap.class.getName(), source.host() + ":" + source.port(),
                target.host() + ":" + target.port(), DB, "big", moverId))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();

        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("rows=1100000");
        String sameRows = "SELECT count(*) || ':' || sum(hashtext(filler)::bigint + id) FROM big";
        assertThat(Tables.single(target, DB, sameRows)).isEqualTo(Tables.single(source, DB, sameRows));
    }
}
