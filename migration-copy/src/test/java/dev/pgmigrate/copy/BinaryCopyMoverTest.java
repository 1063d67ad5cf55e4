package dev.pgmigrate.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.CopyColumn;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.MoveResult;
import dev.pgmigrate.testkit.MigrationMatrix;
import dev.pgmigrate.testkit.ServerPair;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

class BinaryCopyMoverTest {
    /** One column per type family the binary format must carry unchanged. */
    static final String EVERY_TYPE = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE DOMAIN posint AS int CHECK (VALUE > 0);
            CREATE TABLE every_type (
              id int, i2 smallint, i8 bigint, num numeric(20,5), num_any numeric, r4 real, r8 double precision,
              money_ money, t text, vc varchar(20), ch char(5), b bytea, bo boolean,
              d date, tm time, tmtz timetz, ts timestamp, tstz timestamptz, iv interval,
              u uuid, j json, jb jsonb, x xml, ip inet, net cidr, mac macaddr, mac8 macaddr8,
              pt point, ln line, ls lseg, bx box, pa path, pg polygon, ci circle,
              bits bit(8), vbits varbit, tsv tsvector, tsq tsquery, i4r int4range, tsr tstzrange, nr numrange,
              ia int[], ta text[][], ja jsonb[], oid_ oid, lsn pg_lsn, m mood, dom posint, nm name, c "char"
            );
            """;

    static final String EVERY_TYPE_ROWS = """
            INSERT INTO every_type
            SELECT g, g::smallint, g::bigint * 1000000007, g * 1.5 / 7, 'NaN', g / 3.0, CASE g WHEN 1 THEN 'Infinity'
              WHEN 2 THEN '-Infinity' WHEN 3 THEN 'NaN' ELSE g / 7.0 END, g * 1.25,
              repeat('ü€𝄞' || g, g % 7), 'v' || g, 'c' || (g % 10), decode(md5(g::text), 'hex'), g % 2 = 0,
              CASE g WHEN 1 THEN 'infinity'::date ELSE date '2000-01-01' + g END, time '12:34:56.789' + g * interval '1 s',
              timetz '12:00:00+05:30', timestamp '2020-02-29 23:59:59.999999' + g * interval '1 day',
              CASE g WHEN 2 THEN '-infinity'::timestamptz ELSE timestamptz '1999-12-31 23:59:59.5+00' + g * interval '1 h' END,
              make_interval(years => g, days => -g, secs => g / 10.0),
              md5(g::text)::uuid, ('{"k": ' || g || ', "a": [1, "x", null]}')::json,
              ('{"k": ' || g || ', "nested": {"z": true}}')::jsonb, ('<r a="' || g || '">t</r>')::xml,
              ('10.0.' || (g % 256) || '.1/24')::inet, '2001:db8::/32', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
              point(g, -g), line '{1,2,3}', lseg '[(0,0),(1,1)]', box '((0,0),(2,2))', path '[(0,0),(1,1),(2,0)]',
              polygon '((0,0),(1,1),(2,0))', circle '<(1,1),5>', (g % 256)::bit(8), B'10101',
              to_tsvector('simple', 'the quick brown fox ' || g), to_tsquery('simple', 'fox & ' || 'q' || g),
              int4range(g, g + 10), tstzrange('2020-01-01', '2021-01-01', '[)'), numrange(NULL, g),
              ARRAY[g, NULL, -g], ARRAY[['a', 'b'], ['c', NULL]], ARRAY['{"a":1}'::jsonb, '[]'],
              g, ('0/' || to_hex(g))::pg_lsn, (enum_range(NULL::mood))[1 + g % 3], g, 'n' || g, 'x'
            FROM generate_series(1, 500) g;
            INSERT INTO every_type (id) VALUES (0);
            """;

    /** character(n) values of every shape, beside columns of other types whose trailing blanks are data. */
    static final String PADDED = """
            CREATE TABLE padded (id int, code char(8), note text, name char(20), tail varchar(10), b bytea,
              one char(1), wide char(300), late int);
            """;

    static final String PADDED_ROWS = """
            INSERT INTO padded VALUES
              (1, 'ab', 'kept  ', 'é', 'v  ', '\\x2020', 'x', 'w', 1),
              (2, 'abcdefgh', '  ', '日本語', '', '\\x', ' ', repeat('z', 300), 2),
              (3, '', '', '', ' ', NULL, '', '', 3),
              (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
              (5, ' a', 'x', repeat('ü', 19) || ' ', 'a b', '\\x00', NULL, repeat('y ', 150), 5);
            INSERT INTO padded SELECT g, left(md5(g::text), g % 9), repeat(' ', g % 3), left('日本語のテキスト', g % 9),
              'v' || repeat(' ', g % 4), NULL, CASE WHEN g % 2 = 0 THEN 'q' END, repeat('w', g % 301), g
              FROM generate_series(6, 3000) g;
            """;

    /** Each column's bytes as stored, padding and all. */
    static final String PADDED_LENGTHS = "SELECT concat_ws(' ', sum(octet_length(code)), sum(octet_length(note)), "
            + "sum(octet_length(name)), sum(octet_length(tail)), sum(octet_length(b)), sum(octet_length(one)), "
            + "sum(octet_length(wide)), sum(late)) FROM padded";

    final BinaryCopyMover mover = new BinaryCopyMover();

    private MoveResult copy(Fixture f, CopyTask task, MigrationSettings settings) throws SQLException {
        try (var context = f.open(settings)) {
            MoveResult result = mover.move(task, context);
            context.commit();
            return result;
        }
    }

    @MigrationMatrix({Fixture.UPGRADE, Fixture.SAME})
    void copiesEveryTypeFamilyByteForByte(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_types");
        f.onBoth(EVERY_TYPE);
        f.source().execute(f.db(), EVERY_TYPE_ROWS);

        MoveResult result = copy(f, f.task("every_type"), MigrationSettings.defaults());

        assertThat(result.rows()).isEqualTo(501);
        assertThat(result.sourceRows()).as("the source's own count, from its COPY's command tag").hasValue(501);
        assertThat(result.bytes()).isPositive();
        String[] digests = f.digests("every_type");
        assertThat(digests[1]).isEqualTo(digests[0]);
        // NULLs stay NULL, not empty values
        assertThat(f.onTarget("SELECT count(*) FROM every_type WHERE t IS NULL AND b IS NULL")).isEqualTo("1");
    }

    @MigrationMatrix({Fixture.OLDEST, Fixture.SAME})
    void copiesRowsSmallerAndLargerThanTheBuffer(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_buffers");
        f.onBoth("CREATE TABLE mixed (id int, payload bytea)");
        // rows from a few bytes to 1.6 MB, so some fill the buffer, some cross its end and some exceed it
        f.source().execute(f.db(), "INSERT INTO mixed SELECT g, CASE WHEN g % 100 = 0"
                + " THEN decode(repeat(md5(g::text), 100000), 'hex') ELSE decode(md5(g::text), 'hex') END"
                + " FROM generate_series(1, 2000) g");
        for (int bufferBytes : new int[] {0, 1, 7, 8192, 65536, 4 * 1024 * 1024}) {
            f.target().execute(f.db(), "TRUNCATE mixed");
            MoveResult result = copy(f, f.task("mixed"),
                    MigrationSettings.builder().option("copy.bufferBytes", String.valueOf(bufferBytes)).build());

            assertThat(result.rows()).as("rows with a buffer of %d bytes", bufferBytes).isEqualTo(2000);
            assertThat(result.sourceRows()).as("the source's count with a buffer of %d bytes", bufferBytes)
                    .hasValue(2000);
            String[] digests = f.digests("mixed");
            assertThat(digests[1]).as("digest with a buffer of %d bytes", bufferBytes).isEqualTo(digests[0]);
        }
    }

    @MigrationMatrix({Fixture.OLDEST, Fixture.SAME})
    void leavesOutTheBlanksThatPadCharacterValuesForTheTargetToPadAgain(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_padding");
        f.onBoth(PADDED);
        f.source().execute(f.db(), PADDED_ROWS);
        // 0: the driver's API; 7: every row larger than the buffer, sent as it came (the header's among them); 300:
        // some larger, some trimmed; the default.
        for (int bufferBytes : new int[] {0, 7, 300, 262144}) {
            f.target().execute(f.db(), "TRUNCATE padded");
            MoveResult result;
            try (var context = f.open(MigrationSettings.builder()
                    .option("copy.bufferBytes", String.valueOf(bufferBytes)).build())) {
                context.columnsMatchSource();
                result = mover.move(f.task("padded"), context);
                context.commit();
            }

            assertThat(result.rows()).as("rows with a buffer of %d bytes", bufferBytes).isEqualTo(3000);
            String[] digests = f.digests("padded");
            assertThat(digests[1]).as("digest with a buffer of %d bytes", bufferBytes).isEqualTo(digests[0]);
            assertThat(f.onTarget(PADDED_LENGTHS)).as("stored bytes with a buffer of %d bytes", bufferBytes)
                    .isEqualTo(f.onSource(PADDED_LENGTHS));
        }
    }

    @MigrationMatrix(Fixture.SAME)
    void keepsThePaddingUnlessTheTargetsColumnsHaveTheSourcesTypes(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_padding_kept");
        f.source().execute(f.db(), "CREATE TABLE codes (id int, code char(8))",
                "INSERT INTO codes VALUES (1, 'ab'), (2, ''), (3, NULL)");
        // A column of another type, text, where the blanks would be lost: the engine does not say the types match.
        f.target().execute(f.db(), "CREATE TABLE codes (id int, code text)");

        copy(f, f.task("codes"), MigrationSettings.defaults());

        assertThat(f.onTarget("SELECT string_agg(id || ':' || coalesce(octet_length(code)::text, 'null'), ' ' "
                + "ORDER BY id) FROM codes")).isEqualTo("1:8 2:8 3:null");
    }

    @MigrationMatrix({Fixture.OLDEST, Fixture.SAME})
    void copiesAnEmptyTableAndOneWhoseColumnsWereAllDropped(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_hollow");
        f.onBoth("CREATE TABLE empty (id int, t text)");
        f.source().execute(f.db(), "CREATE TABLE hollow (a int, b text)",
                "INSERT INTO hollow SELECT g FROM generate_series(1, 7) g",
                "ALTER TABLE hollow DROP COLUMN a", "ALTER TABLE hollow DROP COLUMN b");
        f.target().execute(f.db(), "CREATE TABLE hollow ()");
        CopyTask hollow = f.task("hollow");
        assertThat(hollow.columns()).isEmpty();

        assertThat(copy(f, f.task("empty"), MigrationSettings.defaults()).rows()).isZero();
        assertThat(copy(f, hollow, MigrationSettings.defaults()).rows()).isEqualTo(7);

        assertThat(f.onTarget("SELECT count(*) FROM empty")).isEqualTo("0");
        assertThat(f.onTarget("SELECT count(*) FROM hollow")).isEqualTo("7");
    }

    @MigrationMatrix({Fixture.UPGRADE, Fixture.SAME})
    void ctidRangesCoverEveryRowExactlyOnce(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_ranges");
        f.onBoth("CREATE TABLE big (id int, t text)");
        f.source().execute(f.db(), "INSERT INTO big SELECT g, repeat('x', g % 300) FROM generate_series(1, 50000) g",
                "DELETE FROM big WHERE id % 7 = 0", "VACUUM big");
        long pages = Long.parseLong(f.onSource("SELECT pg_relation_size('big') / 8192"));
        int parts = 4;
        long step = pages / parts + 1;
        long rows = 0;
        for (int part = 1; part <= parts; part++) {
            String from = "ctid >= '(" + (part - 1) * step + ",0)'";
            // the last range is open-ended, as the engine makes it
            String filter = part == parts ? from : from + " AND ctid < '(" + part * step + ",0)'";
            rows += copy(f, f.task("big", Optional.of(filter), part, parts, false), MigrationSettings.defaults())
                    .rows();
        }

        assertThat(rows).isEqualTo(50000 - 50000 / 7);
        assertThat(f.onTarget("SELECT count(DISTINCT id) = count(*) FROM big")).isEqualTo("t");
        String[] digests = f.digests("big");
        assertThat(digests[1]).isEqualTo(digests[0]);
    }

    @MigrationMatrix(Fixture.SAME)
    void readsOffTheDriversStreamAndLeavesNoticesMidCopyToTheDriver(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_notices");
        f.onBoth("CREATE TABLE noisy (id int, t text)");
        f.source().execute(f.db(), "INSERT INTO noisy SELECT g, repeat('n', g % 50) FROM generate_series(1, 20000) g",
                "CREATE FUNCTION noted(id int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN"
                        + " IF id % 1000 = 0 THEN RAISE NOTICE 'row %', id; END IF; RETURN true; END $$");
        try (var context = f.open()) {
            assertThat(ProtocolStream.of(context.source().unwrap(PGConnection.class))).as("the shipped driver's "
                    + "stream, which the copy reads").isPresent();

            MoveResult result = mover.move(f.task("noisy", Optional.of("public.noted(id)"), 1, 1, false), context);
            context.commit();

            assertThat(result.rows()).isEqualTo(20000);
            // the server sent a notice every 1,000 rows, between data messages; the driver kept them
            List<String> notices = Stream.iterate(context.source().getWarnings(), w -> w != null,
                    SQLWarning::getNextWarning).map(SQLWarning::getMessage).toList();
            assertThat(notices).contains("row 1000", "row 20000");
        }
        String[] digests = f.digests("noisy");
        assertThat(digests[1]).isEqualTo(digests[0]);
    }

    @MigrationMatrix(Fixture.SAME)
    void freezesRowsWhenTheTargetTableIsNewInItsTransaction(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_freeze");
        f.onBoth("CREATE TABLE frozen (id int, t text)");
        f.source().execute(f.db(), "INSERT INTO frozen SELECT g, 'r' || g FROM generate_series(1, 10000) g");
        f.target().execute(f.db(), "CREATE EXTENSION pg_visibility");
        try (var context = f.open()) {
            context.executeOnTarget("TRUNCATE frozen");
            assertThat(mover.move(f.task("frozen", Optional.empty(), 1, 1, true), context).rows()).isEqualTo(10000);
            context.commit();
        }

        String[] digests = f.digests("frozen");
        assertThat(digests[1]).isEqualTo(digests[0]);
        // Only FREEZE marks pages all-frozen before any VACUUM ran (PostgreSQL 17 leaves some pages unmarked).
        assertThat(f.onTarget("SELECT count(*) FILTER (WHERE all_frozen) > 0 FROM pg_visibility_map('frozen')"))
                .isEqualTo("t");
    }

    @MigrationMatrix(Fixture.SAME)
    void sendsFreezeOnlyWhenTheTaskAsksForIt(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_thawed");
        f.onBoth("CREATE TABLE thawed (id int)");
        f.source().execute(f.db(), "INSERT INTO thawed VALUES (1)");
        // FREEZE is refused unless the table was created or truncated in the transaction: proof it was sent
        try (var context = f.open()) {
            CopyTask freeze = f.task("thawed", Optional.empty(), 1, 1, true);
            assertThatThrownBy(() -> mover.move(freeze, context))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("binary-copy").hasMessageContaining("public.thawed")
                    .hasMessageContaining("55000");
        }
        assertThat(copy(f, f.task("thawed"), MigrationSettings.defaults()).rows()).isEqualTo(1);
    }

    @MigrationMatrix(Fixture.SAME)
    void reportsProgressInBytesAndTheFinalRowCount(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_progress");
        f.onBoth("CREATE TABLE progress (id int, t text)");
        f.source().execute(f.db(), "INSERT INTO progress SELECT g, repeat('p', 200) FROM generate_series(1, 200000) g");
        try (var context = f.open()) {
            MoveResult result = mover.move(f.task("progress"), context);
            context.commit();

            List<long[]> reports = context.progressReports();
            assertThat(reports.get(reports.size() - 1)).containsExactly(200000, result.bytes());
            assertThat(reports).isSortedAccordingTo((a, b) -> Long.compare(a[1], b[1]));
        }
    }

    @Test
    void supportsOnlyTasksWhoseColumnsAreBinarySafe() {
        CopyTask safe = new CopyTask("d", "s", "t", List.of(new CopyColumn("a", "integer", true)), Optional.empty(),
                1, 1, 0, false);
        CopyTask unsafe = new CopyTask("d", "s", "t", List.of(new CopyColumn("a", "integer", true),
                new CopyColumn("b", "mood[]", false)), Optional.empty(), 1, 1, 0, false);

        assertThat(mover.supports(safe)).isTrue();
        assertThat(mover.supports(unsafe)).isFalse();
        assertThat(new TextCopyMover().supports(unsafe)).isTrue();
    }

    @MigrationMatrix(Fixture.SAME)
    void rejectsABufferSizeOutOfRange(ServerPair pair) throws SQLException {
        Fixture f = Fixture.of(pair, "binary_bad_buffer");
        f.onBoth("CREATE TABLE small (id int)");
        for (String bad : List.of("-1", "lots", "1000000000")) {
            MigrationSettings settings = MigrationSettings.builder().option("copy.bufferBytes", bad).build();
            assertThatThrownBy(() -> copy(f, f.task("small"), settings))
                    .isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("settings.options.copy.bufferBytes").hasMessageContaining(bad);
        }
    }
}
