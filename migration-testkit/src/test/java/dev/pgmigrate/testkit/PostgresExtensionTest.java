package dev.pgmigrate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

@PostgresTest
class PostgresExtensionTest {
    private static final List<String> SEEN_PAIRS = new ArrayList<>();

    @Test
    void sharesOneServerPerVersionProfileAndSettings(@Pg("17") PostgresServer first, @Pg("17") PostgresServer second,
            @Pg(value = "17", settings = "work_mem=7MB") PostgresServer tuned) {
        assertThat(first).isSameAs(second);
        assertThat(tuned).isNotSameAs(first);
        assertThat(tuned.queryForString("postgres", "SHOW work_mem")).isEqualTo("7MB");
        assertThat(first.isShared()).isTrue();
    }

    @Test
    void closingASharedServerLeavesItRunning(@Pg("17") PostgresServer server) {
        server.close();

        assertThat(server.isRunning()).isTrue();
        assertThat(server.queryForLong("postgres", "SELECT 1")).isEqualTo(1);
    }

    @Test
    void unannotatedParameterGetsTheDefaultVersion(PostgresServer server) {
        assertThat(server.majorLabel()).isEqualTo(PostgresExtension.defaultVersion());
    }

    @Test
    void preloadsLibraries(@Pg(value = "15", sharedPreloadLibraries = "pg_stat_statements") PostgresServer server) {
        String db = server.createDatabase(TestDatabases.unique("preload"));
        server.execute(db, "CREATE EXTENSION pg_stat_statements");
        assertThat(server.queryForLong(db, "SELECT count(*) FROM pg_stat_statements")).isPositive();
        server.dropDatabase(db);
    }

    @MigrationMatrix({"9.6->15", "15->15"})
    void runsOncePerPair(ServerPair pair, TestInfo info) {
        SEEN_PAIRS.add(info.getDisplayName());
        assertThat(info.getDisplayName()).isEqualTo(pair.label());
        assertThat(pair.source()).isNotSameAs(pair.target());
        assertThat(pair.target().majorLabel()).isEqualTo("15");
        assertThat(pair.source().port()).isNotEqualTo(pair.target().port());
    }

    @AfterAll
    static void everyPairRan() {
        String narrowed = System.getProperty(PostgresExtension.MATRIX_PROPERTY);
        if (narrowed == null || narrowed.isBlank()) {
            assertThat(SEEN_PAIRS).containsExactly("9.6 -> 15", "15 -> 15");
        }
    }

    @Test
    void rejectsAMalformedPair() {
        assertThatThrownBy(() -> PostgresExtension.parsePair("15 to 17", "here"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("9.6->15");
    }
}
