package dev.pgmigrate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** An online migration is a spec like any other, but never with the schema or the data alone. */
class MigrationSpecTest {
    private static MigrationSpec.Builder online(Selection.Content content) {
        return MigrationSpec.builder().name("shop-move")
                .source(ServerSpec.builder().host("src").port(5432).adminLogin("a").build())
                .target(ServerSpec.builder().host("tgt").port(5432).adminLogin("b").build()).databases("shop")
                .mode(MigrationMode.ONLINE)
                .settings(MigrationSettings.builder().selection(Selection.builder().content(content).build()).build());
    }

    @Test
    void anOnlineMigrationOfTheSchemaAndTheDataIsValid() {
        assertThat(online(Selection.Content.SCHEMA_AND_DATA).build().mode()).isEqualTo(MigrationMode.ONLINE);
    }

    @Test
    void refusesAnOnlineMigrationOfTheSchemaOrTheDataAloneNamingTheMode() {
        for (Selection.Content content : new Selection.Content[] {Selection.Content.SCHEMA_ONLY,
                Selection.Content.DATA_ONLY}) {
            InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                    () -> online(content).build());

            assertThat(e).as(content.label()).isNotNull();
            assertThat(e.problems()).singleElement().satisfies(p -> {
                assertThat(p.field()).isEqualTo("migrationMode");
                assertThat(p.value()).isEqualTo("Online");
                assertThat(p.rule()).contains("settings.selection.schemaOnly", "settings.selection.dataOnly",
                        "--schema-only", "--data-only", "migrate Offline");
            });
        }
    }
}
