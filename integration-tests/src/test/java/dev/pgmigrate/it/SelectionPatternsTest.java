package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.core.PgDumps;
import dev.pgmigrate.core.internal.pg.SelectionOutputs;
import dev.pgmigrate.core.internal.pg.SourceSelection;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Patterns are read as pg_dump reads them: for each pattern, the relations pgmigrate resolves are exactly those
 * {@code pg_dump -t} dumps from the same database; and the exact-name options pgmigrate hands pg_dump leave out
 * exactly what it resolved, odd names included.
 */
@PostgresTest
class SelectionPatternsTest {
    private static final Pattern CREATED = Pattern.compile("^CREATE (?:TABLE|VIEW|SEQUENCE|MATERIALIZED VIEW) "
            + "\"((?:[^\"]|\"\")*)\"\\.\"((?:[^\"]|\"\")*)\"", Pattern.MULTILINE);

    private static String oddNames(PostgresServer source) {
        String db = source.createDatabase(TestDatabases.unique("patterns"));
        source.execute(db,
                "CREATE TABLE orders (id serial PRIMARY KEY)",
                "CREATE TABLE \"Orders\" (id int)",
                "CREATE TABLE ordxrs (id int)",
                "CREATE TABLE \"we.ird\" (id int)",
                "CREATE TABLE \"a|b\" (id int)",
                "CREATE TABLE a (id int)",
                "CREATE TABLE \"price$\" (id int)",
                "CREATE TABLE \"quote\"\"d\" (id int)",
                "CREATE TABLE \"Ünïcode\" (id int)",
                "CREATE VIEW order_view AS SELECT id FROM orders",
                "CREATE SCHEMA \"My Schema\"",
                "CREATE TABLE \"My Schema\".orders (id int)",
                "CREATE TABLE \"My Schema\".\"T\" (id int)",
                "CREATE SCHEMA hidden",
                "CREATE TABLE hidden.secret (id int)");
        return db;
    }

    @Test
    void eachPatternSelectsWhatPgDumpSelects(@Pg("15") PostgresServer source) throws Exception {
        Path pgDump = pgDump();
        String db = oddNames(source);
        List<String> patterns = List.of("orders", "Orders", "\"Orders\"", "public.*", "*.orders", "ord?rs",
                "\"we.ird\"", "\"a|b\"", "a|b", "price$", "\"quote\"\"d\"", "\"Ünïcode\"", "\"My Schema\".*",
                "secret", "hidden.secret", "*order*", "(a|ordxrs)");
        for (String pattern : patterns) {
            TreeSet<String> resolved = new TreeSet<>();
            try (Connection c = source.connect(db)) {
                SourceSelection selection = SourceSelection.resolve(c, Selection.builder().tables(pattern).build());
                selection.moved().values().forEach(r -> resolved.add(r.qualifiedName()));
            }
            assertThat(resolved).as(pattern).isEqualTo(dumped(pgDump, source, db, List.of("--table=" + pattern)));
        }
    }

    @Test
    void theExactNamesHandedToPgDumpLeaveOutWhatWasResolved(@Pg("15") PostgresServer source) throws Exception {
        Path pgDump = pgDump();
        String db = oddNames(source);
        Selection selection = Selection.builder().excludeTables("\"we.ird\"", "\"a|b\"", "price$", "\"quote\"\"d\"",
                "\"Ünïcode\"", "\"Orders\"", "\"My Schema\".\"T\"").excludeSchemas("hidden").build();
        SourceSelection resolved;
        try (Connection c = source.connect(db)) {
            resolved = SourceSelection.resolve(c, selection);
        }
        TreeSet<String> moved = new TreeSet<>();
        resolved.moved().values().forEach(r -> moved.add(r.qualifiedName()));
        assertThat(moved).containsExactly("My Schema.orders", "public.a", "public.order_view", "public.orders",
                "public.orders_id_seq", "public.ordxrs");
        List<String> options = SelectionOutputs.pgDumpOptions(resolved);
        assertThat(options).contains("--exclude-schema=\"hidden\"");
        assertThat(dumped(pgDump, source, db, options)).isEqualTo(moved);
    }

    private static Path pgDump() {
        List<PgDumps.Found> found = PgDumps.find(MigrationSettings.defaults(), new ArrayList<>()).stream()
                .filter(d -> d.majorNum() >= 150000).toList();
        assumeTrue(!found.isEmpty(), "no pg_dump 15 or later on this machine");
        return found.get(0).path();
    }

    /** The relations pg_dump dumps with {@code options}; none when it finds no matching table. */
    private static TreeSet<String> dumped(Path pgDump, PostgresServer source, String db, List<String> options)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(pgDump.toString(), "--schema-only", "--quote-all-identifiers",
                "--host=" + source.host(), "--port=" + source.port(), "--username=" + source.adminLogin(),
                "--dbname=" + db));
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", source.adminPassword().reveal());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        TreeSet<String> names = new TreeSet<>();
        if (p.exitValue() != 0) {
            assertThat(out).as(String.join(" ", options)).contains("no matching tables were found");
            return names;
        }
        Matcher m = CREATED.matcher(out);
        while (m.find()) {
            names.add(m.group(1).replace("\"\"", "\"") + "." + m.group(2).replace("\"\"", "\""));
        }
        return names;
    }
}
