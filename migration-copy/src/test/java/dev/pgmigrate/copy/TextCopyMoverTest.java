package dev.pgmigrate.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import dev.pgmigrate.testkit.MigrationMatrix;
import dev.pgmigrate.testkit.ServerPair;
import java.sql.SQLException;
import java.util.Optional;

class TextCopyMoverTest {
    /** Arrays and composites of user types: their binary form names the element types by OID. */
    private static final String USER_TYPES = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE TYPE address AS (street text, zip int, tags mood[]);
            CREATE TABLE people (id int, moods mood[], home address, homes address[]);
            """;

    /** Both sides with the user types; the target's get other OIDs than the source's. */
    private static Fixture withUserTypes(ServerPair pair) {
        Fixture f = Fixture.of(pair, "text_user_types");
        f.source().execute(f.db(), USER_TYPES,
                "INSERT INTO people SELECT g, ARRAY['sad', NULL, 'happy']::mood[],"
                        + " ROW('Main St ' || g, g, ARRAY['ok']::mood[])::address,"
                        + " ARRAY[ROW('a', 1, NULL)::address, NULL] FROM generate_series(1, 1000) g",
                "INSERT INTO people (id) VALUES (0)");
        f.target().execute(f.db(), "CREATE TYPE padding1 AS ENUM ('x')", "CREATE TYPE padding2 AS (a int)", USER_TYPES);
        return f;
    }

    private static MoveResult copy(Fixture f, DataMover mover, String table) throws SQLException {
        try (var context = f.open()) {
            MoveResult result = mover.move(f.task(table), context);
            context.commit();
            return result;
        }
    }

    @MigrationMatrix({Fixture.OLDEST, Fixture.UPGRADE, Fixture.SAME})
    void copiesArraysAndCompositesOfUserTypes(ServerPair pair) throws SQLException {
        Fixture f = withUserTypes(pair);

        MoveResult result = copy(f, new TextCopyMover(), "people");

        assertThat(result.rows()).isEqualTo(1001);
        assertThat(result.sourceRows()).hasValue(1001);
        String[] digests = f.digests("people");
        assertThat(digests[1]).isEqualTo(digests[0]);
    }

    @MigrationMatrix(Fixture.SAME)
    void binaryFormOfTheirValuesNamesTheSourcesTypeOids(ServerPair pair) {
        Fixture f = withUserTypes(pair);
        String sourceOid = f.onSource("SELECT 'mood'::regtype::oid");
        assertThat(sourceOid).isNotEqualTo(f.onTarget("SELECT 'mood'::regtype::oid"));

        // array_send writes the element type's OID after the dimension count and the null flag
        String binary = f.onSource("SELECT encode(array_send(moods), 'hex') FROM people WHERE id = 1");
        assertThat(binary.substring(16, 24)).isEqualTo(String.format("%08x", Long.parseLong(sourceOid)));
    }

    @MigrationMatrix({Fixture.UPGRADE, Fixture.SAME})
    void copiesATypeWithoutBinaryIoWhereBinaryFails(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "text_seg");
        f.onBoth("CREATE EXTENSION seg", "CREATE TABLE spans (id int, s seg)");
        f.source().execute(f.db(), "INSERT INTO spans SELECT g, (g || ' .. ' || g + 1)::seg FROM generate_series(1, 100) g");

        assertThatThrownBy(() -> copy(f, new BinaryCopyMover(), "spans"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("binary-copy").hasMessageContaining("public.spans")
                .hasRootCauseMessage("ERROR: no binary input function available for type seg");

        assertThat(copy(f, new TextCopyMover(), "spans").rows()).isEqualTo(100);
        String[] digests = f.digests("spans");
        assertThat(digests[1]).isEqualTo(digests[0]);
    }

    @MigrationMatrix({Fixture.UPGRADE, Fixture.SAME})
    void copiesEveryTypeFamilyAsWell(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "text_types");
        f.onBoth(BinaryCopyMoverTest.EVERY_TYPE);
        f.source().execute(f.db(), BinaryCopyMoverTest.EVERY_TYPE_ROWS);

        MoveResult result = copy(f, new TextCopyMover(), "every_type");

        assertThat(result.rows()).isEqualTo(501);
        String[] digests = f.digests("every_type");
        assertThat(digests[1]).isEqualTo(digests[0]);
    }

    @MigrationMatrix({Fixture.OLDEST, Fixture.SAME})
    void copiesAnEmptyTableAndOneWithoutColumns(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "text_hollow");
        f.source().execute(f.db(), "CREATE TABLE empty (id int)", "CREATE TABLE hollow (a int)",
                "INSERT INTO hollow SELECT g FROM generate_series(1, 5) g", "ALTER TABLE hollow DROP COLUMN a");
        f.target().execute(f.db(), "CREATE TABLE empty (id int)", "CREATE TABLE hollow ()");

        assertThat(copy(f, new TextCopyMover(), "empty").rows()).isZero();
        assertThat(copy(f, new TextCopyMover(), "hollow").rows()).isEqualTo(5);
        assertThat(f.onTarget("SELECT count(*) FROM hollow")).isEqualTo("5");
    }

    @MigrationMatrix(Fixture.SAME)
    void copiesARangeWithFreeze(ServerPair pair) throws SQLException {
        Fixture f = withUserTypes(pair);
        try (var context = f.open()) {
            context.executeOnTarget("TRUNCATE people");
            MoveResult result = new TextCopyMover().move(
                    f.task("people", Optional.of("ctid >= '(0,0)'"), 1, 1, true), context);
            assertThat(result.rows()).isEqualTo(1001);
            context.commit();
        }
        String[] digests = f.digests("people");
        assertThat(digests[1]).isEqualTo(digests[0]);
    }
}
