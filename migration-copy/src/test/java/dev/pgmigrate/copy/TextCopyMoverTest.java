package dev.pgmigrate.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import java.sql.SQLException;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TextCopyMoverTest {
    private static final String DB = "copy_text";

    /** Arrays and composites of user types: their binary form names the element types by OID. */
    private static final String USER_TYPES = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE TYPE address AS (street text, zip int, tags mood[]);
            CREATE TABLE people (id int, moods mood[], home address, homes address[]);
            """;

    final TestServer source = TestServer.source();
    final TestServer target = TestServer.target();

    @BeforeEach
    void databases() throws SQLException {
        source.recreateDatabase(DB);
        target.recreateDatabase(DB);
        source.execute(DB, USER_TYPES,
                "INSERT INTO people SELECT g, ARRAY['sad', NULL, 'happy']::mood[],"
                        + " ROW('Main St ' || g, g, ARRAY['ok']::mood[])::address,"
                        + " ARRAY[ROW('a', 1, NULL)::address, NULL] FROM generate_series(1, 1000) g",
                "INSERT INTO people (id) VALUES (0)");
        // Other types first, so the target's OIDs for mood and address differ from the source's.
        target.execute(DB, "CREATE TYPE padding1 AS ENUM ('x')", "CREATE TYPE padding2 AS (a int)", USER_TYPES);
    }

    private MoveResult copy(DataMover mover, CopyTask task) throws SQLException {
        try (var context = TestCopyContext.open(source, target, DB)) {
            MoveResult result = mover.move(task, context);
            context.commit();
            return result;
        }
    }

    @Test
    void copiesArraysAndCompositesOfUserTypes() throws SQLException {
        MoveResult result = copy(new TextCopyMover(), Tables.task(source, DB, "people"));

        assertThat(result.rows()).isEqualTo(1001);
        assertThat(Tables.digest(target, DB, "people")).isEqualTo(Tables.digest(source, DB, "people"));
    }

    @Test
    void binaryFormOfTheirValuesNamesTheSourcesTypeOids() throws SQLException {
        String sourceOid = Tables.single(source, DB, "SELECT 'mood'::regtype::oid");
        assertThat(sourceOid).isNotEqualTo(Tables.single(target, DB, "SELECT 'mood'::regtype::oid"));

        // array_send writes the element type's OID after the dimension count and the null flag
        String binary = Tables.single(source, DB, "SELECT encode(array_send(moods), 'hex') FROM people WHERE id = 1");
        assertThat(binary.substring(16, 24)).isEqualTo(String.format("%08x", Long.parseLong(sourceOid)));
    }

    @Test
    void copiesATypeWithoutBinaryOutputWhereBinaryFails() throws SQLException {
        String[] ddl = {"CREATE EXTENSION seg", "CREATE TABLE spans (id int, s seg)"};
        source.execute(DB, ddl);
        target.execute(DB, ddl);
        source.execute(DB, "INSERT INTO spans SELECT g, (g || ' .. ' || g + 1)::seg FROM generate_series(1, 100) g");

        assertThatThrownBy(() -> copy(new BinaryCopyMover(), Tables.task(source, DB, "spans")))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("binary-copy").hasMessageContaining("public.spans")
                .hasRootCauseMessage("ERROR: no binary input function available for type seg");

        assertThat(copy(new TextCopyMover(), Tables.task(source, DB, "spans")).rows()).isEqualTo(100);
        assertThat(Tables.digest(target, DB, "spans")).isEqualTo(Tables.digest(source, DB, "spans"));
    }

    @Test
    void copiesEveryTypeFamilyAsWell() throws SQLException {
        String everyType = BinaryCopyMoverTest.EVERY_TYPE.replace("mood", "feeling");
        source.execute(DB, everyType, BinaryCopyMoverTest.EVERY_TYPE_ROWS.replace("mood", "feeling"));
        target.execute(DB, everyType);

        MoveResult result = copy(new TextCopyMover(), Tables.task(source, DB, "every_type"));

        assertThat(result.rows()).isEqualTo(501);
        assertThat(Tables.digest(target, DB, "every_type")).isEqualTo(Tables.digest(source, DB, "every_type"));
    }

    @Test
    void copiesAnEmptyTableAndOneWithoutColumns() throws SQLException {
        source.execute(DB, "CREATE TABLE empty (id int)", "CREATE TABLE hollow (a int)",
                "INSERT INTO hollow SELECT g FROM generate_series(1, 5) g", "ALTER TABLE hollow DROP COLUMN a");
        target.execute(DB, "CREATE TABLE empty (id int)", "CREATE TABLE hollow ()");

        assertThat(copy(new TextCopyMover(), Tables.task(source, DB, "empty")).rows()).isZero();
        assertThat(copy(new TextCopyMover(), Tables.task(source, DB, "hollow")).rows()).isEqualTo(5);
        assertThat(Tables.single(target, DB, "SELECT count(*) FROM hollow")).isEqualTo("5");
    }

    @Test
    void copiesARangeWithFreeze() throws SQLException {
        CopyTask task = Tables.task(source, DB, "people", Optional.of("ctid >= '(0,0)'"), 1, 1, true);
        try (var context = TestCopyContext.open(source, target, DB, MigrationSettings.defaults())) {
            context.executeOnTarget("TRUNCATE people");
            assertThat(new TextCopyMover().move(task, context).rows()).isEqualTo(1001);
            context.commit();
        }
        assertThat(Tables.digest(target, DB, "people")).isEqualTo(Tables.digest(source, DB, "people"));
    }
}
