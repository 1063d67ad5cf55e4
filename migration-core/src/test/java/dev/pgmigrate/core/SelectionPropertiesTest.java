package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SpecProblem;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code settings.selection} in a properties file, and a selection stored with a record and read back. */
class SelectionPropertiesTest {
    @TempDir
    Path dir;

    private MigrationProperties parse(String selection) {
        return MigrationProperties.parse("""
                {"properties": {"sourceServer": {"host": "s", "adminLogin": "a"},
                                "targetServer": {"host": "t", "adminLogin": "b"},
                                "dbsToMigrate": ["shop"], "settings": {"selection": %s}}}
                """.formatted(selection), "m.json", dir);
    }

    @Test
    void readsEveryPatternListAndTheContent() {
        Selection s = parse("{\"schemas\": [\"app\"], \"excludeSchemas\": [\"tmp_*\"], \"tables\": [\"app.*\"], "
                + "\"EXCLUDETABLES\": [\"app.audit\"], \"excludeTableData\": [\"app.\\\"Logs\\\"\"], "
                + "\"schemaOnly\": \"true\"}").settings().selection();
        assertThat(s.schemas()).containsExactly("app");
        assertThat(s.excludeSchemas()).containsExactly("tmp_*");
        assertThat(s.tables()).containsExactly("app.*");
        assertThat(s.excludeTables()).containsExactly("app.audit");
        assertThat(s.excludeTableData()).containsExactly("app.\"Logs\"");
        assertThat(s.content()).isEqualTo(Selection.Content.SCHEMA_ONLY);
        assertThat(parse("{}").settings().selection().takesEverything()).isTrue();
    }

    @Test
    void namesEachBadFieldAndTheFix() {
        assertThatThrownBy(() -> parse("{\"schemaOnly\": true, \"dataOnly\": true, \"tables\": \"orders\", "
                + "\"excludeTables\": [\"a.b.c\", 3], \"excludeTable\": []}"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.problems()).extracting(SpecProblem::field).containsExactlyInAnyOrder(
                            "properties.settings.selection.excludeTable", "properties.settings.selection.tables",
                            "properties.settings.selection.excludeTables[1]",
                            "properties.settings.selection.dataOnly",
                            "properties.settings.selection.excludeTables[0]");
                    assertThat(e.getMessage()).contains("cannot both be true", "did you mean \"excludeTables\"",
                            "database name is left out");
                });
    }

    @Test
    void aSelectionIsStoredWithTheRecordAndARecordStoredBeforeSelectionsReadsAsEverything() throws Exception {
        ObjectMapper json = RecordJson.mapper();
        Selection selection = Selection.builder().excludeTables("public.audit").excludeTableData("logs")
                .content(Selection.Content.SCHEMA_AND_DATA).build();
        MigrationSpec spec = MigrationSpec.builder().name("sel").databases("shop")
                .source(ServerSpec.builder().host("src").adminLogin("a").build())
                .target(ServerSpec.builder().host("tgt").adminLogin("b").build())
                .settings(MigrationSettings.builder().selection(selection).build()).build();
        MigrationRecord record = new MigrationRecord(spec, MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED,
                Instant.EPOCH, Optional.of(Instant.EPOCH), List.of(), List.of(), List.of(), Optional.empty(),
                List.of(), false, false);
        ObjectNode stored = json.valueToTree(record);
        assertThat(stored.at("/spec/settings/selection/content").asText()).isEqualTo("SchemaAndData");
        assertThat(json.treeToValue(stored, MigrationRecord.class).spec().settings().selection()).isEqualTo(selection);

        ((ObjectNode) stored.at("/spec/settings")).remove("selection");
        assertThat(json.treeToValue(stored, MigrationRecord.class).spec().settings().selection().takesEverything())
                .isTrue();
    }
}
