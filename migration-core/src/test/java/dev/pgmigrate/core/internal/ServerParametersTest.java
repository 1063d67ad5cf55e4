package dev.pgmigrate.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerParametersTest {
    @Test
    void showsValuesInTheLargestWholeUnit() {
        assertThat(ServerParameters.display("7168", "kB", "integer")).isEqualTo("7MB");
        assertThat(ServerParameters.display("16384", "8kB", "integer")).isEqualTo("128MB");
        assertThat(ServerParameters.display("60", "s", "integer")).isEqualTo("1min");
        assertThat(ServerParameters.display("1500", "ms", "integer")).isEqualTo("1500ms");
        assertThat(ServerParameters.display("-1", "ms", "integer")).isEqualTo("-1");
        assertThat(ServerParameters.display("0", "kB", "integer")).isEqualTo("0kB");
        assertThat(ServerParameters.display("1.5", null, "real")).isEqualTo("1.5");
        assertThat(ServerParameters.display("on", null, "bool")).isEqualTo("on");
    }

    @Test
    void quotesEachElementOfAListParameter() {
        assertThat(ServerParameters.valueSql("search_path", "\"$user\", public")).isEqualTo("'$user', 'public'");
        assertThat(ServerParameters.valueSql("search_path", "app, \"My \"\"Schema\"\"\""))
                .isEqualTo("'app', 'My \"Schema\"'");
        assertThat(ServerParameters.valueSql("search_path", "")).isEqualTo("''");
        assertThat(ServerParameters.valueSql("DateStyle", "ISO, MDY")).isEqualTo("'ISO, MDY'");
        assertThat(ServerParameters.assignment("work_mem=3MB")).isEqualTo("\"work_mem\" = '3MB'");
    }
}
