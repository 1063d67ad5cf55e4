package dev.pgmigrate.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.testkit.MigrationMatrix;
import dev.pgmigrate.testkit.ServerPair;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Heap use grows neither with the table nor with a row: a table ten times the heap and a row twice it go through. */
class HeapUseTest {
    private static final String HEAP = "-Xmx32m";
    private static final long TABLE_BYTES = 320L * 1024 * 1024;

    @MigrationMatrix(Fixture.SAME)
    void copiesATableManyTimesLargerThanTheHeap(ServerPair pair) throws Exception {
        Fixture f = Fixture.of(pair, "heap");
        try {
            f.onBoth("CREATE TABLE big (id bigint, filler text)");
            f.source().execute(f.db(),
                    "INSERT INTO big SELECT g, repeat(md5(g::text), 9) FROM generate_series(1, 1100000) g");
            assertThat(Long.parseLong(f.onSource("SELECT pg_relation_size('big')"))).isGreaterThan(TABLE_BYTES);

            for (String moverId : List.of("binary-copy", "text-copy")) {
                f.target().execute(f.db(), "TRUNCATE big");
                String output = runInSmallHeap(f, moverId);

                assertThat(output).as(moverId).contains("rows=1100000");
                String sameRows = "SELECT count(*) || ':' || sum(hashtext(filler)::bigint + id) FROM big";
                assertThat(f.onTarget(sameRows)).as(moverId).isEqualTo(f.onSource(sameRows));
            }
        } finally {
            f.drop();
        }
    }

    @MigrationMatrix(Fixture.SAME)
    void copiesARowLargerThanTheHeap(ServerPair pair) throws Exception {
        Fixture f = Fixture.of(pair, "heap_row");
        try {
            f.onBoth("CREATE TABLE big (id bigint, filler text)");
            // 64 MB of hex digits in one value, between two small rows
            f.source().execute(f.db(), "INSERT INTO big VALUES (1, 'before')",
                    "INSERT INTO big SELECT 2, string_agg(md5(g::text), '') FROM generate_series(1, 2000000) g",
                    "INSERT INTO big VALUES (3, 'after')");

            for (String moverId : List.of("binary-copy", "text-copy")) {
                f.target().execute(f.db(), "TRUNCATE big");
                String output = runInSmallHeap(f, moverId);

                assertThat(output).as(moverId).contains("rows=3");
                String sameRows = "SELECT string_agg(id || ':' || length(filler) || ':' || md5(filler), ',' ORDER BY id)"
                        + " FROM big";
                assertThat(f.onTarget(sameRows)).as(moverId).isEqualTo(f.onSource(sameRows)).contains("2:64000000:");
            }
        } finally {
            f.drop();
        }
    }

    private static String runInSmallHeap(Fixture f, String moverId) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), HEAP, "-cp",
                System.getProperty("java.class.path"), CopyInSmallHeap.class.getName(), moverId))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("SOURCE_URL", f.source().jdbcUrl(f.db()));
        env.put("SOURCE_PASSWORD", f.source().superuserPassword().reveal());
        env.put("TARGET_URL", f.target().jdbcUrl(f.db()));
        env.put("TARGET_PASSWORD", f.target().superuserPassword().reveal());
        Process child = pb.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).as(output).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        return output;
    }
}
