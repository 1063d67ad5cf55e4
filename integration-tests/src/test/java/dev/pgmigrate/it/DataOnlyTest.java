package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.CopyContext;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import dev.pgmigrate.copy.TextCopyMover;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Data only fills the empty tables of a database the target already has with the schema (here made by a
 * schema-only migration, as a user would), referenced tables first; refuses a table that holds rows or is missing,
 * changing nothing; and a failure at the end empties what it filled and sets the sequences back.
 */
@PostgresTest
class DataOnlyTest {
    private static String source(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db,
                "CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES customer, amount int)",
                "CREATE TABLE line (order_id bigint REFERENCES orders, n int, PRIMARY KEY (order_id, n))",
                "CREATE TABLE notes (id int PRIMARY KEY, parent int REFERENCES notes)",
                "INSERT INTO customer (name) SELECT 'c' || g FROM generate_series(1, 40) g",
                "INSERT INTO orders SELECT g, 1 + g % 40, g FROM generate_series(1, 3000) g",
                "INSERT INTO line SELECT 1 + g % 3000, g FROM generate_series(1, 6000) g",
                "INSERT INTO notes SELECT g, CASE WHEN g > 1 THEN g - 1 END FROM generate_series(1, 100) g");
        return db;
    }

    private static MigrationSpec spec(PostgresServer source, PostgresServer target, String name, String db,
            Selection.Content content, MigrationOption option) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec())
                .databases(db).option(option).settings(MigrationSettings.builder().parallelism(2)
                        .selection(Selection.builder().content(content).build()).build()).build();
    }

    private static MigrationRecord run(MigrationSpec spec, Plugins plugins) throws Exception {
        try (MigrationService service = MigrationService.builder().plugins(plugins).build()) {
            return service.start(spec).await();
        }
    }

    @Test
    void fillsTheSchemaASchemaOnlyMigrationMadeAndVerifiesIt(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source(source, "dataonly");
        MigrationRecord schema = run(spec(source, target, "do-schema", db, Selection.Content.SCHEMA_ONLY,
                MigrationOption.VALIDATE_AND_MIGRATE), Plugins.discover());
        assertThat(schema.status()).as(schema.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).isZero();

        MigrationRecord data = run(spec(source, target, "do-data", db, Selection.Content.DATA_ONLY,
                MigrationOption.VALIDATE_AND_MIGRATE), Plugins.discover());
        assertThat(data.status()).as(data.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(data.validationResults()).anyMatch(r -> r.validatorId().equals("target-database")
                && r.status() == ValidationStatus.SUCCEEDED && r.found().contains("each empty"));
        assertThat(target.queryForLong(db, "SELECT count(*) FROM line")).isEqualTo(6000);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM notes")).isEqualTo(100);
        assertThat(target.queryForLong(db, "SELECT last_value FROM customer_id_seq")).isEqualTo(40);
        assertThat(data.verification().orElseThrow().matches()).as(data.verification().toString()).isTrue();
        assertThat(data.verification().orElseThrow().tables()).hasSize(4);
        assertThat(data.notes()).anyMatch(n -> n.is(MessageCode.SELECTION_APPLIED) && n.text().contains("Data only"));
        // Nothing was created: no working database was made, no role.
        assertThat(data.notes()).noneMatch(n -> n.is(MessageCode.ROLES_CREATED));
    }

    @Test
    void fillsCharacterColumnsWithTheirPaddingExact(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("dataonlypad"));
        source.execute(db, "CREATE TABLE codes (id int PRIMARY KEY, code char(8), note text, name char(4))",
                "INSERT INTO codes VALUES (1, 'ab', 'kept  ', 'x'), (2, '', ' ', ''), (3, NULL, NULL, 'long')");
        target.execute("postgres", "CREATE DATABASE " + db);
        // The user's own table, of the source's column types: data only checks them, and the copy leaves the
        // padding for the target to restore.
        target.execute(db, "CREATE TABLE codes (id int PRIMARY KEY, code char(8), note text, name char(4))");

        MigrationRecord data = run(spec(source, target, "do-pad", db, Selection.Content.DATA_ONLY,
                MigrationOption.VALIDATE_AND_MIGRATE), Plugins.discover());

        assertThat(data.status()).as(data.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(data.verification().orElseThrow().matches()).as(data.verification().toString()).isTrue();
        String stored = "SELECT string_agg(concat_ws(':', id, octet_length(code), octet_length(note), "
                + "octet_length(name)), ' ' ORDER BY id) FROM codes";
        assertThat(target.queryForString(db, stored)).isEqualTo(source.queryForString(db, stored))
                .isEqualTo("1:8:6:4 2:8:1:4 3:4");
    }

    @Test
    void refusesATableThatHoldsRowsAndChangesNothing(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source(source, "dataonlyfull");
        assertThat(run(spec(source, target, "do-full-schema", db, Selection.Content.SCHEMA_ONLY,
                MigrationOption.MIGRATE), Plugins.discover()).status()).isEqualTo(MigrationStatus.SUCCEEDED);
        target.execute(db, "INSERT INTO customer (name) VALUES ('already here')");

        MigrationRecord validated = run(spec(source, target, "do-full", db, Selection.Content.DATA_ONLY,
                MigrationOption.VALIDATE_AND_MIGRATE), Plugins.discover());
        assertThat(validated.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
        assertThat(validated.validationResults()).anySatisfy(r -> {
            assertThat(r.validatorId()).isEqualTo("target-database");
            assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
            assertThat(r.items()).containsExactly("public.customer");
        });

        MigrationRecord unchecked = run(spec(source, target, "do-full2", db, Selection.Content.DATA_ONLY,
                MigrationOption.MIGRATE), Plugins.discover());
        assertThat(unchecked.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(unchecked.errors()).anySatisfy(e -> {
            assertThat(e.code()).isEqualTo(MessageCode.TARGET_CONFLICT);
            assertThat(e.text()).contains("public.customer: it already holds rows", "Nothing was changed");
        });
        assertThat(target.queryForLong(db, "SELECT count(*) FROM customer")).isEqualTo(1);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).isZero();

        String missing = source(source, "dataonlymissing");
        MigrationRecord noDatabase = run(spec(source, target, "do-missing", missing, Selection.Content.DATA_ONLY,
                MigrationOption.VALIDATE_AND_MIGRATE), Plugins.discover());
        assertThat(noDatabase.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
        assertThat(noDatabase.validationResults()).anyMatch(r -> r.validatorId().equals("target-database")
                && r.status() == ValidationStatus.FAILED && r.remedy().contains("schemaOnly"));
        assertThat(target.query("postgres", "SELECT 1 FROM pg_database WHERE datname = '" + missing + "'")).isEmpty();
    }

    @Test
    void aFailedVerificationEmptiesWhatItFilledAndSetsTheSequencesBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source(source, "dataonlyfail");
        assertThat(run(spec(source, target, "do-fail-schema", db, Selection.Content.SCHEMA_ONLY,
                MigrationOption.MIGRATE), Plugins.discover()).status()).isEqualTo(MigrationStatus.SUCCEEDED);
        target.execute(db, "SELECT setval('customer_id_seq', 7)");
        // A mover that copies notes and then adds a row behind the engine's back: the verification fails after every
        // table is in and the sequences are set, and the rollback must undo both.
        DataMover tampering = new DataMover() {
            @Override
            public String id() {
                return "tampering";
            }

            @Override
            public int priority() {
                return 1000;
            }

            @Override
            public boolean supports(CopyTask task) {
                return task.table().equals("notes");
            }

            @Override
            public MoveResult move(CopyTask task, CopyContext context) throws SQLException {
                MoveResult moved = new TextCopyMover().move(task, context);
                try (var statement = context.target().createStatement()) {
                    statement.execute("INSERT INTO public.notes VALUES (1000, NULL)");
                }
                return moved;
            }
        };
        MigrationRecord failed = run(spec(source, target, "do-fail", db, Selection.Content.DATA_ONLY,
                MigrationOption.MIGRATE), Plugins.discover().withMover(tampering));

        assertThat(failed.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(failed.errors()).as("a complete rollback").noneMatch(e -> e.code()
                == MessageCode.ROLLBACK_INCOMPLETE);
        assertThat(failed.errors()).anyMatch(e -> e.code() == MessageCode.VERIFICATION_MISMATCH
                && e.text().contains("public.notes"));
        assertThat(failed.database(db).orElseThrow().tables()).anyMatch(t -> t.table().equals("line")
                && t.rows() == 6000);
        for (String table : List.of("customer", "orders", "line", "notes")) {
            assertThat(target.queryForLong(db, "SELECT count(*) FROM " + table)).as(table).isZero();
        }
        assertThat(target.queryForLong(db, "SELECT last_value FROM customer_id_seq")).isEqualTo(7);
    }
}
