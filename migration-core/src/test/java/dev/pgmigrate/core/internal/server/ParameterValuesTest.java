package dev.pgmigrate.core.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ParameterValuesTest {
    @Test
    void showsValuesInTheLargestWholeUnit() {
        assertThat(ParameterValues.display("7168", "kB", "integer")).isEqualTo("7MB");
        assertThat(ParameterValues.display("16384", "8kB", "integer")).isEqualTo("128MB");
        assertThat(ParameterValues.display("60", "s", "integer")).isEqualTo("1min");
        assertThat(ParameterValues.display("1500", "ms", "integer")).isEqualTo("1500ms");
        assertThat(ParameterValues.display("-1", "ms", "integer")).isEqualTo("-1");
        assertThat(ParameterValues.display("0", "kB", "integer")).isEqualTo("0kB");
        assertThat(ParameterValues.display("1.5", null, "real")).isEqualTo("1.5");
        assertThat(ParameterValues.display("on", null, "bool")).isEqualTo("on");
    }

    @Test
    void quotesEachElementOfAListParameter() {
        assertThat(ParameterValues.valueSql("search_path", "\"$user\", public")).isEqualTo("'$user', 'public'");
        assertThat(ParameterValues.valueSql("search_path", "app, \"My \"\"Schema\"\"\""))
                .isEqualTo("'app', 'My \"Schema\"'");
        assertThat(ParameterValues.valueSql("search_path", "")).isEqualTo("''");
        assertThat(ParameterValues.valueSql("DateStyle", "ISO, MDY")).isEqualTo("'ISO, MDY'");
        assertThat(ParameterValues.assignment("work_mem=3MB")).isEqualTo("\"work_mem\" = '3MB'");
    }
}
