package dev.pgmigrate.core.internal.online;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The statements the apply sends with their values written in: names kept, values quoted as literals. */
class ApplyStatementTest {
    private static final Change.Relation TABLE = new Change.Relation(1, "Odd?schema", "t\"?", 'd', List.of(
            new Change.Column(true, "id?", 23, -1), new Change.Column(false, "note", 25, -1)));

    @Test
    void valuesAreWrittenInAsLiteralsAndQuestionMarksInNamesStay() {
        ApplyStatement insert = ApplyStatement.insert(TABLE, tuple("7", "it's a \\ path?"));
        assertThat(insert.inlined()).isEqualTo("INSERT INTO \"Odd?schema\".\"t\"\"?\" (\"id?\", \"note\") VALUES ('7', "
                + "E'it''s a \\\\ path?')");
        ApplyStatement update = ApplyStatement.update(TABLE, Optional.empty(), false, tuple("7", null));
        assertThat(update.inlined()).isEqualTo("UPDATE ONLY \"Odd?schema\".\"t\"\"?\" SET \"id?\" = '7', \"note\" = NULL "
                + "WHERE \"id?\" = '7'");
    }

    @Test
    void theRowAChangeFindsIsNamedByTheValuesItIsFoundBy() {
        assertThat(ApplyStatement.update(TABLE, Optional.empty(), false, tuple("7", "new")).row())
                .isEqualTo("(\"id?\")=(7)");
        assertThat(ApplyStatement.delete(TABLE, tuple(null, "x".repeat(50)), true).row())
                .isEqualTo("(\"id?\", \"note\")=(null, " + "x".repeat(40) + "...)");
        assertThat(ApplyStatement.insert(TABLE, tuple("7", "new")).row()).isEmpty();
    }

    @Test
    void theRowsAChangeWouldFindAreCountedByTheSameCondition() {
        assertThat(ApplyStatement.update(TABLE, Optional.empty(), false, tuple("7", "new")).finder())
                .isEqualTo("SELECT count(*) FROM ONLY \"Odd?schema\".\"t\"\"?\" WHERE \"id?\" = '7'");
        assertThat(ApplyStatement.delete(TABLE, tuple(null, "it's"), true).finder())
                .isEqualTo("SELECT count(*) FROM ONLY \"Odd?schema\".\"t\"\"?\" WHERE \"id?\"::text IS NOT DISTINCT "
                        + "FROM NULL AND \"note\"::text IS NOT DISTINCT FROM 'it''s'");
    }

    private static Change.Tuple tuple(String... values) {
        return new Change.Tuple(java.util.Arrays.stream(values).map(v -> v == null
                ? (Change.Value) new Change.Value.Null() : new Change.Value.Text(v)).toList());
    }
}
