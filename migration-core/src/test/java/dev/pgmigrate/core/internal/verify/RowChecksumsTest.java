package dev.pgmigrate.core.internal.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.spi.CopyColumn;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.verify.RowChecksums.HashMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checksum queries each version pair gets, and what keeps two tables from being compared, without a server. */
class RowChecksumsTest {
    private static final SourceCatalog.Table TABLE = new SourceCatalog.Table(1, "public", "t", 'r', 0, List.of(
            new CopyColumn("id", "integer", true), new CopyColumn("name", "text", true),
            new CopyColumn("price", "numeric(10,2)", true), new CopyColumn("ratio", "double precision", true),
            new CopyColumn("at", "point", true), new CopyColumn("blob", "bytea", true)), Optional.of("id"));

    @Test
    void theOlderServerChoosesTheHash() {
        assertThat(HashMode.of(100000)).isEqualTo(HashMode.MD5_TEXT);
        assertThat(HashMode.of(110000)).isEqualTo(HashMode.TEXT);
        assertThat(HashMode.of(130000)).isEqualTo(HashMode.TEXT);
        assertThat(HashMode.of(140000)).isEqualTo(HashMode.TYPED);
    }

    @Test
    void fromFourteenEachColumnIsHashedByItsTypeWhereThatHashIsExact() {
        String query = RowChecksums.query(TABLE, HashMode.TYPED);

        assertThat(query).startsWith("SELECT count(*), coalesce(sum(hashint8extended(")
                .contains("coalesce(hashint4extended(t.\"id\", 1), 0) # ").as("an exact hash: as is, seeded 1")
                .contains("coalesce(hashtextextended(t.\"name\" COLLATE \"C\", 2), 0)")
                .as("text compared byte for byte")
                .contains("hashtextextended((t.\"price\"::text) COLLATE \"C\", 3)")
                .as("numeric: 1.0 and 1.00 would hash alike; its text under C, whatever the column's collation")
                .contains("hash_record_extended(ROW(float8send(t.\"ratio\"::float8)), 4)")
                .as("a float's bits, not its text; bytea's hash function takes internal: a record of one column")
                .contains("hash_record_extended(ROW(point_send(t.\"at\")), 5)")
                .contains("hash_record_extended(ROW(t.\"blob\"), 6), 0))")
                .endsWith("FROM ONLY \"public\".\"t\" AS t");
    }

    @Test
    void beforeFourteenTheRowsTextIsHashedWithFloatsAndByteaInAStableForm() {
        String text = RowChecksums.query(TABLE, HashMode.TEXT);
        assertThat(text).contains("hashtextextended(ROW(").contains("float8send(t.\"ratio\"::float8)")
                .contains("md5(t.\"blob\")").doesNotContain("hash_record_extended");
        assertThat(RowChecksums.query(TABLE, HashMode.MD5_TEXT)).contains("substr(md5(ROW(");
    }

    @Test
    void aTableWithoutColumnsCountsRowsOnly() {
        SourceCatalog.Table empty = new SourceCatalog.Table(2, "s", "e", 'r', 0, List.of(), Optional.empty());
        assertThat(RowChecksums.query(empty, HashMode.TYPED)).contains("sum(0::bigint)");
    }

    @Test
    void aMissingTableOrAColumnOfAnotherTypeIsNamed() {
        assertThat(RowChecksums.structuralDifference(TABLE, Map.of())).contains("the target has no table public.t");

        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("id", "bigint");
        columns.put("name", "text");
        columns.put("extra", "integer");
        String difference = RowChecksums.structuralDifference(TABLE, Map.of("public.t", columns)).orElseThrow();
        assertThat(difference).contains("column id is integer on the source, bigint on the target")
                .contains("the target lacks column price (numeric(10,2))")
                .contains("the target has column extra (integer), which the source lacks");
    }
}
