package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.SchemaSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data that breaks naive copies: NUL bytes, text that looks like COPY syntax, rows far wider than the mover's
 * buffer, a 1,600-column table, empty tables, tables whose every column was dropped, and one 500 MB value.
 */
@PostgresTest
class HostileDataTest {

    @Test
    void textCannotHoldANulAndPostgresqlSaysSo(@Pg("15") PostgresServer source) {
        String db = source.createDatabase(TestDatabases.unique("nul"));
        source.execute(db, "CREATE TABLE t (v text)");
        assertThatThrownBy(() -> source.execute(db, "INSERT INTO t VALUES (chr(0))"))
                .hasMessageContaining("null character not permitted");
        assertThatThrownBy(() -> source.execute(db, "INSERT INTO t VALUES (convert_from('\\x610062', 'UTF8'))"))
                .hasMessageContaining("invalid byte sequence");
    }

    @ParameterizedTest(name = "copy.bufferBytes = {0}")
    @ValueSource(strings = {"0", "1024", "262144"})
    void copiesHostileValuesExactly(String bufferBytes, @Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("hostiledata"));
        String wide = IntStream.rangeClosed(1, 1600).mapToObj(i -> "c" + i + " int").collect(Collectors.joining(", "));
        source.execute(db,
                "CREATE TABLE nuls (id int PRIMARY KEY, b bytea, ba bytea[])",
                "INSERT INTO nuls VALUES (1, '\\x00', NULL), (2, '\\x0000ff00', ARRAY['\\x00'::bytea, NULL]), "
                        + "(3, '', ARRAY[]::bytea[]), (4, NULL, NULL), "
                        + "(5, decode(repeat('00', 100000), 'hex'), ARRAY[decode(repeat('00ff', 1000), 'hex')])",
                // Text that is valid but looks like COPY's escapes, terminators, NULL marker or delimiters.
                "CREATE TABLE looks (id int PRIMARY KEY, t text, a text[], j jsonb, c \"char\", n name)",
                "INSERT INTO looks VALUES (1, '\\N', ARRAY['\\N', NULL, 'NULL', ''], '{\"\\\\u0000\": \"\\\\N\"}', "
                        + "'\\', 'x\\y'), (2, E'\\\\.', ARRAY['\"', '{', '}', ',', ' '], '\"\\\\\\\\.\"', '\"', '\"'), "
                        + "(3, E'tab\\there\\nnew\\rline\\x01\\x7f', ARRAY[E'\\t'], '[]', ' ', ''), "
                        + "(4, E'\\uFEFF\\u202E\\u0301\\uFFFD\\U0001F600\\u2028', NULL, 'null', NULL, NULL), "
                        + "(5, '', ARRAY[''], '\"\"', '', 'NULL'), (6, NULL, NULL, NULL, NULL, NULL)",
                // Rows of 3 MB each: far wider than any buffer setting.
                "CREATE TABLE widerows (id int, t text, b bytea)",
                "ALTER TABLE widerows ALTER t SET STORAGE EXTERNAL, ALTER b SET STORAGE EXTERNAL",
                "INSERT INTO widerows SELECT g, repeat(md5(g::text), 50000), decode(repeat(md5(g::text), 25000), "
                        + "'hex') FROM generate_series(1, 3) g",
                "CREATE TABLE wide (" + wide + ")",
                "INSERT INTO wide SELECT " + IntStream.rangeClosed(1, 1600).mapToObj(i -> "g + " + i)
                        .collect(Collectors.joining(", ")) + " FROM generate_series(1, 20) g",
                "CREATE TABLE empty (id int PRIMARY KEY, v text)", "CREATE INDEX ON empty (v)",
                "CREATE TABLE nocolumns (a int, b text)", "INSERT INTO nocolumns SELECT g, 'x' FROM generate_series(1, 7) g",
                "ALTER TABLE nocolumns DROP COLUMN a", "ALTER TABLE nocolumns DROP COLUMN b",
                "CREATE TABLE nothing ()",
                "CREATE TABLE somedropped (a int, b text, c int)",
                "INSERT INTO somedropped SELECT g, 'x', g FROM generate_series(1, 5) g", "ALTER TABLE somedropped DROP b");
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationSpec spec = MigrationSpec.builder().name("hostile-data-" + bufferBytes).source(source.serverSpec())
                    .target(target.serverSpec()).databases(db).option(MigrationOption.MIGRATE)
                    .settings(MigrationSettings.builder().option("copy.bufferBytes", bufferBytes).build()).build();
            MigrationRecord done = service.start(spec).await(Duration.ofMinutes(3));
            assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        }
        assertThat(SchemaSnapshot.of(target, db).differences(SchemaSnapshot.of(source, db))).isEmpty();
        assertThat(target.queryForString(db, "SELECT encode(b, 'hex') FROM nuls WHERE id = 2")).isEqualTo("0000ff00");
        assertThat(target.queryForString(db, "SELECT t FROM looks WHERE id = 1")).isEqualTo("\\N");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM looks WHERE t IS NULL")).isEqualTo(1);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM nocolumns")).isEqualTo(7);
        assertThat(target.queryForLong(db, "SELECT sum(c1600) FROM wide")).isEqualTo(source.queryForLong(db,
                "SELECT sum(c1600) FROM wide"));
        assertThat(target.queryForString(db, "SELECT md5(string_agg(t || encode(b, 'hex'), '' ORDER BY id)) FROM "
                + "widerows")).isEqualTo(source.queryForString(db, "SELECT md5(string_agg(t || encode(b, 'hex'), '' "
                + "ORDER BY id)) FROM widerows"));
        target.dropDatabase(db);
        source.dropDatabase(db);
    }

    /**
     * One 500 MB bytea value (PostgreSQL's limit for a field is 1 GB) migrated by a process whose heap is 1.25 GB:
     * the row passes through the mover once, in one piece, and verification hashes it on the servers. The driver
     * hands a COPY row over as one array, so the heap must hold the value; with 800 MB, G1 sometimes found no
     * 500 MB of contiguous regions for it.
     */
    @Test
    void copiesA500MegabyteValueInABoundedHeap(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target,
            @TempDir Path dir) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("huge"));
        source.execute(db, "CREATE TABLE huge (id int PRIMARY KEY, b bytea)",
                "INSERT INTO huge VALUES (1, convert_to(repeat('pgmigrate', 500 * 1024 * 1024 / 9), 'UTF8')), "
                        + "(2, '\\x00')");
        Path state = dir.resolve("state");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1280m", "-cp", System.getProperty("java.class.path"), PhaseChild.class.getName(), state.toString(),
                "huge-value", db, endpoint(source, dir, "s"), endpoint(target, dir, "t"), "none"))
                .redirectOutput(dir.resolve("child.out").toFile()).redirectError(dir.resolve("child.err").toFile())
                .start();
        try {
            assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            MigrationRecord done = service.show("huge-value").orElseThrow();
            assertThat(done.status()).as("%s %s; stderr %s", done.errors(), done.notes(),
                    Files.readString(dir.resolve("child.err"))).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification().orElseThrow().matches()).isTrue();
        }
        assertThat(target.queryForString(db, "SELECT octet_length(b) || ' ' || md5(b) FROM huge WHERE id = 1"))
                .isEqualTo(source.queryForString(db, "SELECT octet_length(b) || ' ' || md5(b) FROM huge WHERE id = 1"));
        target.dropDatabase(db);
        source.dropDatabase(db);
    }

    private static String endpoint(PostgresServer server, Path dir, String name) throws Exception {
        Path file = dir.resolve(name + ".pw");
        Files.writeString(file, server.adminPassword().reveal());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return server.host() + ":" + server.port() + ":" + server.adminLogin() + ":" + file;
    }
}
