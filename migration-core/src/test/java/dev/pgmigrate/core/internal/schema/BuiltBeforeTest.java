package dev.pgmigrate.core.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuiltBeforeTest {
    private static Entry entry(String type, String tag) {
        return new Entry(tag, type, "s", "owner", List.of("-- statement"));
    }

    @Test
    void aTagSplitsAtTheSpaceAfterATableNameEvenWhenTheNameHoldsSpaces() {
        BuiltBefore built = BuiltBefore.of(Set.of("s.my key"), Set.of("s.my table.my key", "s.t.t_pkey"),
                Set.of("s.my table.audit it"), Set.of(), Set.of("s.my table", "s.my", "s.t"));

        assertThat(built.contains(entry("CONSTRAINT", "my table my key"), "ALTER TABLE ...")).isTrue();
        assertThat(built.contains(entry("CONSTRAINT", "my table my key"), "CREATE UNIQUE INDEX \"my key\" ..."))
                .isTrue();
        assertThat(built.contains(entry("FK CONSTRAINT", "t t_pkey"), "ALTER TABLE ...")).isTrue();
        assertThat(built.contains(entry("TRIGGER", "my table audit it"), "CREATE TRIGGER ...")).isTrue();
        assertThat(built.contains(entry("CONSTRAINT", "my table other"), "ALTER TABLE ...")).isFalse();
        assertThat(built.contains(entry("CONSTRAINT", "nosuch table my key"), "ALTER TABLE ...")).isFalse();
        assertThat(built.contains(entry("TRIGGER", "t"), "CREATE TRIGGER ...")).as("no space: no table").isFalse();
        assertThat(built.contains(entry("INDEX", "my key"), "CREATE INDEX ...")).isTrue();
        assertThat(built.contains(entry("COMMENT", "my table my key"), "COMMENT ...")).isFalse();
    }

    @Test
    void nothingIsBuiltOnARunThatIsNotResumed() {
        assertThat(BuiltBefore.NOTHING.contains(entry("INDEX", "i"), "CREATE INDEX i ...")).isFalse();
        assertThat(BuiltBefore.NOTHING.indexCount()).isZero();
    }

    @Test
    void tenThousandTablesLookUpByTheirOwnName() {
        Set<String> tables = new HashSet<>();
        Set<String> constraints = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            tables.add("s.t" + i);
            constraints.add("s.t" + i + ".t" + i + "_pkey");
        }
        BuiltBefore built = BuiltBefore.of(Set.of(), constraints, Set.of(), Set.of(), tables);
        for (int i = 0; i < 10_000; i++) {
            assertThat(built.contains(entry("CONSTRAINT", "t" + i + " t" + i + "_pkey"), "ALTER TABLE ...")).isTrue();
        }
        assertThat(built.constraintCount()).isEqualTo(10_000);
    }
}
