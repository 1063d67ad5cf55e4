package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A migration of a hundred databases keeps its list row short; the JSON keeps every name. */
@PostgresTest
class WideListTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theListAbbreviatesAHundredDatabasesAndItsJsonKeepsThemAll(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        CliRuns runs = new CliRuns(dir);
        List<String> databases = new ArrayList<>(List.of("bench", "shop"));
        for (int i = 3; i <= 100; i++) {
            databases.add(String.format("wide_%03d", i));
        }
        // None of them exists on the source: validation says so for each, quickly, and the record holds all 100.
        Path properties = runs.properties("wide", source, target, databases, "");
        CliRuns.Result created = runs.pgmigrate("migration", "create", "--name", "cli-wide", "--properties",
                properties.toString(), "--migration-option", "Validate", "--wait");
        assertThat(created.exitCode()).as(created.all()).isEqualTo(2);
        assertThat(created.out()).contains("bench, shop and 98 more").doesNotContain("wide_050, ");

        CliRuns.Result list = runs.pgmigrate("migration", "list");
        String row = list.out().lines().filter(l -> l.startsWith("cli-wide")).findFirst().orElseThrow();
        assertThat(row).contains("  bench, shop and 98 more  ").doesNotContain("wide_003");
        assertThat(list.out().lines()).allMatch(l -> l.length() < 200, "a row no wider than the other columns");

        JsonNode listed = JSON.readTree(runs.pgmigrate("migration", "list", "--output", "json").out());
        assertThat(listed.get(0).at("/spec/databases").size()).isEqualTo(100);
        assertThat(listed.get(0).at("/spec/databases/99").asText()).isEqualTo("wide_100");
    }
}
