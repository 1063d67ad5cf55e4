package dev.pgmigrate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The conversion pg_dump's patternToSQLRegex makes, character by character; PostgreSQL then matches the result. */
class NamePatternTest {
    @Test
    void lowerCasesUnquotedLettersAndTurnsWildcardsIntoRegularExpressions() {
        NamePattern p = NamePattern.table("App.Order*_?");
        assertThat(p.schemaRegex()).contains("^(app)$");
        assertThat(p.nameRegex()).isEqualTo("^(order.*_.)$");
    }

    @Test
    void quotesKeepCaseDotsAndRegularExpressionCharactersLiteral() {
        NamePattern p = NamePattern.table("\"My.Schema\".\"Order*\"\"s\"");
        assertThat(p.schemaRegex()).contains("^(My\\.Schema)$");
        assertThat(p.nameRegex()).isEqualTo("^(Order\\*\"s)$");
    }

    @Test
    void aDollarIsAlwaysLiteralAndOtherRegularExpressionsPassThroughOutsideQuotes() {
        assertThat(NamePattern.table("price$").nameRegex()).isEqualTo("^(price\\$)$");
        assertThat(NamePattern.table("(a|b)x").nameRegex()).isEqualTo("^((a|b)x)$");
        assertThat(NamePattern.table("int[]").nameRegex()).isEqualTo("^(int\\[])$");
        assertThat(NamePattern.table("\"(a|b)\"").nameRegex()).isEqualTo("^(\\(a\\|b\\))$");
    }

    @Test
    void aTablePatternWithoutASchemaHasNoSchemaPartAndAStarMatchesAnyName() {
        NamePattern bare = NamePattern.table("orders");
        assertThat(bare.schemaRegex()).isEqualTo(Optional.empty());
        assertThat(NamePattern.table("app.*").anyName()).isTrue();
        assertThat(NamePattern.table("*.orders").anySchema()).isTrue();
        assertThat(NamePattern.table("app.").nameRegex()).isEqualTo("^()$");
        assertThat(NamePattern.schema("audit_*").nameRegex()).isEqualTo("^(audit_.*)$");
    }

    @Test
    void refusesWhatPgmigrateCannotApplyToEveryDatabase() {
        assertThatThrownBy(() -> NamePattern.table("shop.public.orders")).hasMessageContaining("database name is "
                + "left out");
        assertThatThrownBy(() -> NamePattern.schema("shop.public")).hasMessageContaining("no unquoted dot");
        assertThatThrownBy(() -> NamePattern.table("\"open")).hasMessageContaining("not closed");
        assertThatThrownBy(() -> NamePattern.table("")).hasMessageContaining("empty");
    }

    @Test
    void aSelectionNamesEveryBadPatternByItsField() {
        assertThatThrownBy(() -> Selection.builder().tables("ok", "a.b.c").excludeSchemas("\"x").build())
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.problems())
                        .extracting(SpecProblem::field).containsExactly("settings.selection.excludeSchemas[0]",
                                "settings.selection.tables[1]"));
        assertThat(Selection.builder().build().takesEverything()).isTrue();
        assertThat(Selection.builder().excludeTables("x").build().takesEverything()).isFalse();
    }

    @Test
    void dataOnlyCannotOverwriteTheDatabaseItFills() {
        assertThatThrownBy(() -> MigrationSettings.builder().overwriteDbsInTarget(true)
                .selection(Selection.builder().content(Selection.Content.DATA_ONLY).build()).build())
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.problems())
                        .extracting(SpecProblem::field).isEqualTo(List.of("settings.selection.dataOnly")));
    }
}
