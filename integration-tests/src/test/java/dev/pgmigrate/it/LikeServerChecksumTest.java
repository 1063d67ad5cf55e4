package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.spi.CopyChecksum;
import dev.pgmigrate.api.spi.CopyColumn;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.verify.RowChecksums;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * {@link CopyChecksum#likeServer}: the sum of a binary COPY's rows hashed by pgmigrate equals the sum the server
 * computes over the same rows with {@link RowChecksums#likeServerQuery}, for every type it hashes and the values at
 * their edges (NULL, empty, signs, infinities, NaN, padding, every length modulo lookup3's 12-byte blocks), on the
 * first major whose verification hashes rows by their columns' hash functions (14) and two later ones, whatever the pieces the rows come in;
 * and a type it cannot hash gives no such checksum.
 */
@PostgresTest
class LikeServerChecksumTest {
    private static final String COLUMNS = "i2 smallint, i4 integer, i8 bigint, b boolean, ch \"char\", r real, "
            + "d double precision, n numeric, n2 numeric(14,2), dt date, tm time(3), ts timestamp, "
            + "tz timestamp with time zone, o oid, u uuid, t text, vc varchar(40), bp character(7), nm name, "
            + "by bytea, js json, jb jsonb";

    private static final List<String> ROWS = List.of(
            "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                    + "NULL, NULL, NULL, NULL, NULL",
            "0, 0, 0, false, 'a', 0, 0, 0, 0, '2000-01-01', '00:00', '2000-01-01', '2000-01-01 00:00+00', 0, "
                    + "'00000000-0000-0000-0000-000000000000', '', '', '', '', '', '\"\"', '{}'",
            "-32768, -2147483648, -9223372036854775808, true, '~', '-0', '-0', -0.0001, -123456789012.34, "
                    + "'-infinity', '23:59:59.999', '-infinity', 'infinity', 4294967295, "
                    + "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'ünïcødé ✓ text of 26 chars', 'exactly twelve', "
                    + "'ab  ', 'pg_catalog', '\\x00ff', '{\"a\": [1, 2.50, null]}', '{\"b\": {\"c\": 1.0}, \"a\": \"x\"}'",
            "32767, 2147483647, 9223372036854775807, true, 'z', 'NaN', 'Infinity', 'NaN', 99.99, 'infinity', "
                    + "'12:00', 'infinity', '-infinity', 1, 'ffffffff-ffff-ffff-ffff-ffffffffffff', "
                    + "repeat('x', 1000), repeat('y', 40), 'abcdefg', repeat('n', 63), decode(repeat('ab', 500), 'hex'), "
                    + "'[1, \"two\", {\"three\": 3e10}]', '[1, \"two\", {\"three\": 3e10}]'",
            "1, 1, 1, false, 'b', '-Infinity', 1e-300, 'Infinity', 0.5, '1999-12-31', '00:00:00.001', "
                    + "'1999-12-31 23:59:59.999999', '2024-02-29 12:34:56.789+05:30', 2, gen_random_uuid(), "
                    + "E'line\\nbreak\\ttab', 'v', ' ', 'n', '', 'null', 'null'",
            "-1, -1, -1, true, 'c', 3.4028235e38, -1.7976931348623157e308, '-Infinity', -0.01, '4713-01-01 BC', "
                    + "'23:59:59', '0001-01-01 00:00', '1970-01-01 00:00+00', 3, gen_random_uuid(), 'ab', 'abc', "
                    + "'a', 'nm', '\\x00', '1.000', '1.000'",
            "100, 100000, 10000000000, false, 'd', 1.5, 2.25, 123456789.000000001, 1, '2000-02-29', '01:02:03', "
                    + "'2000-01-01 00:00:00.5', '2000-01-01 00:00:00.5+00', 4, gen_random_uuid(), 'abcdefghijk', "
                    + "'abcdefghijkl', 'b', 'abcdefghijklm', '\\xdeadbeef', '{}', '{\"k\": true}'",
            "2, 2, 2, true, 'e', 1e-45, 5e-324, 1e-20, 0, '2000-01-02', '00:00:01', '2000-01-02', "
                    + "'2000-01-02 00:00+00', 5, gen_random_uuid(), 'numeric', '0.0', 'c', 'x', '\\x01', '0', "
                    + "'-0.0'");

    @Test
    void theCopysSumEqualsTheServersOwnForEveryTypeItHashes(@Pg("14") PostgresServer fourteen,
            @Pg("15") PostgresServer fifteen, @Pg("18") PostgresServer eighteen) throws Exception {
        for (PostgresServer server : List.of(fourteen, fifteen, eighteen)) {
            String db = server.createDatabase(TestDatabases.unique("likeserver"));
            server.execute(db, "CREATE TABLE every_type (" + COLUMNS + ")");
            for (String row : ROWS) {
                server.execute(db, "INSERT INTO every_type VALUES (" + row + ")");
            }
            // Text of every length from 0 to 40 (each tail of lookup3), numbers of every scale and sign.
            server.execute(db, "INSERT INTO every_type SELECT g::smallint, g * 7919, g::bigint * 1000000007 - 5e12, "
                    + "g % 2 = 0, chr(65 + g % 26), g / 7.0, g / 3.0, (g - 200) / 7.0 * power(10::numeric, g % 9 - 4), g * 1.5, "
                    + "date '2000-01-01' + g, time '00:00' + g * interval '1 min', timestamp '2000-01-01' "
                    + "+ g * interval '1 hour', timestamptz '2000-01-01 00:00+00' + g * interval '1 s', g, "
                    + "md5(g::text)::uuid, left(repeat(md5(g::text), 2), g), left(md5(g::text), g % 40), "
                    + "left(md5(g::text), g % 8), left(md5(g::text), g % 64), decode(left(md5(g::text), 2 * (g % 16)), "
                    + "'hex'), json_build_object('g', g, 'n', g / 4.0)::json, jsonb_build_object('g', g, "
                    + "'a', ARRAY[g, -g], 's', repeat('s', g % 30)) FROM generate_series(0, 400) g");
            List<CopyColumn> columns = columns(server, db);
            SourceCatalog.Table table = new SourceCatalog.Table(1, "public", "every_type", 'r', 0, columns,
                    Optional.empty());
            try (Connection c = server.connect(db)) {
                String[] own = serverSum(c, RowChecksums.likeServerQuery(table, Optional.empty()));
                for (int piece : new int[] {1, 5, 13, Integer.MAX_VALUE}) {
                    CopyChecksum.Sum copied = copySum(c, columns, piece);
                    assertThat(copied.likeServer()).isTrue();
                    assertThat(copied.rows()).as("rows in pieces of %d on %s", piece, server.version())
                            .isEqualTo(Long.parseLong(own[0])).isEqualTo(ROWS.size() + 401L);
                    assertThat(copied.sum()).as("sum in pieces of %d on %s", piece, server.version())
                            .isEqualTo(new BigInteger(own[1]).longValue());
                }
                // Any one value changed changes the server's sum away from the copy's.
                CopyChecksum.Sum before = copySum(c, columns, Integer.MAX_VALUE);
                try (Statement s = c.createStatement()) {
                    s.execute("UPDATE every_type SET bp = 'ab.' WHERE i4 = -2147483648");
                }
                assertThat(new BigInteger(serverSum(c, RowChecksums.likeServerQuery(table, Optional.empty()))[1])
                        .longValue()).isNotEqualTo(before.sum());
            }
        }
    }

    @Test
    void aColumnOfAnotherTypeGivesNoSuchChecksum() {
        assertThat(CopyChecksum.likeServer(List.of(new CopyColumn("id", "integer", true),
                new CopyColumn("i", "interval", true)))).isEmpty();
        assertThat(CopyChecksum.likeServer(List.of(new CopyColumn("a", "integer[]", true)))).isEmpty();
        assertThat(CopyChecksum.likeServer(List.of())).isEmpty();
        assertThat(CopyChecksum.likeServer(List.of(new CopyColumn("v", "character varying(20)", true)))).isPresent();
    }

    private static List<CopyColumn> columns(PostgresServer server, String db) throws Exception {
        List<CopyColumn> columns = new ArrayList<>();
        try (Connection c = server.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                        + "WHERE attrelid = 'every_type'::regclass AND attnum > 0 ORDER BY attnum")) {
            while (rs.next()) {
                columns.add(new CopyColumn(rs.getString(1), rs.getString(2), true));
            }
        }
        return columns;
    }

    private static String[] serverSum(Connection c, String query) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2)};
        }
    }

    /** The table's binary COPY, each message fed in pieces of {@code piece} bytes, hashed like the server. */
    private static CopyChecksum.Sum copySum(Connection c, List<CopyColumn> columns, int piece) throws Exception {
        CopyChecksum checksum = CopyChecksum.likeServer(columns).orElseThrow();
        CopyOut out = c.unwrap(PGConnection.class).getCopyAPI()
                .copyOut("COPY every_type TO STDOUT (FORMAT binary)");
        for (byte[] message; (message = out.readFromCopy()) != null; ) {
            for (int at = 0; at < message.length; at += piece) {
                checksum.update(message, at, Math.min(piece, message.length - at));
            }
            checksum.endRow();
        }
        return checksum.sum();
    }
}
