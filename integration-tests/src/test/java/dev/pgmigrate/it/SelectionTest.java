package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Selection;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.VerificationReport;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each kind of selection migrates and verifies on real servers: what is left out is absent from the target and
 * from the verification (never reported as a difference), what stays empty is compared empty, and the record
 * says what stayed behind.
 */
@PostgresTest
class SelectionTest {
    /** Three schemas; a quoted name with capitals, a view, an unlogged table, a serial, an enum, a function. */
    private static String shop(PostgresServer source, String prefix) {
        String db = source.createDatabase(TestDatabases.unique(prefix));
        source.execute(db,
                "CREATE TYPE mood AS ENUM ('sad', 'ok')",
                "CREATE FUNCTION twice(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2'",
                "CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL, m mood DEFAULT 'ok')",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int REFERENCES customer, amount int "
                        + "CHECK (twice(amount) >= 0))",
                "CREATE INDEX ON orders (customer_id)",
                "CREATE TABLE logs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, line text)",
                "CREATE TABLE audit_log (id int PRIMARY KEY, what text)",
                "CREATE UNLOGGED TABLE audit_scratch (id int)",
                "CREATE SCHEMA app",
                "CREATE TABLE app.\"Orders\" (id int PRIMARY KEY, note text)",
                "CREATE TABLE app.items (id int PRIMARY KEY, order_id int REFERENCES app.\"Orders\")",
                "CREATE VIEW app.item_count AS SELECT count(*) AS n FROM app.items",
                "CREATE SCHEMA audit",
                "CREATE TABLE audit.events (id int PRIMARY KEY, at timestamptz DEFAULT now())",
                "INSERT INTO customer (name) SELECT 'c' || g FROM generate_series(1, 50) g",
                "INSERT INTO orders SELECT g, 1 + g % 50, g FROM generate_series(1, 2000) g",
                "INSERT INTO logs (line) SELECT 'line ' || g FROM generate_series(1, 300) g",
                "INSERT INTO audit_log SELECT g, 'w' || g FROM generate_series(1, 40) g",
                "INSERT INTO audit_scratch SELECT generate_series(1, 5)",
                "INSERT INTO app.\"Orders\" SELECT g, 'n' || g FROM generate_series(1, 30) g",
                "INSERT INTO app.items SELECT g, 1 + g % 30 FROM generate_series(1, 90) g",
                "INSERT INTO audit.events (id) SELECT generate_series(1, 20)");
        return db;
    }

    static MigrationRecord migrate(PostgresServer source, PostgresServer target, String name, String db,
            Selection selection, MigrationOption option) throws Exception {
        try (MigrationService service = MigrationService.builder().build()) {
            return service.start(MigrationSpec.builder().name(name).source(source.serverSpec())
                    .target(target.serverSpec()).databases(db).option(option)
                    .settings(MigrationSettings.builder().parallelism(2).selection(selection).build()).build())
                    .await();
        }
    }

    /** A migration name of its own: letters, digits and '-'. */
    static String runName() {
        return TestDatabases.unique("seldeps").replace('_', '-');
    }

    static List<String> tables(PostgresServer server, String db) {
        return server.query(db, "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                + "c.relnamespace WHERE c.relkind IN ('r', 'v', 'p') AND n.nspname NOT IN ('pg_catalog', "
                + "'information_schema') ORDER BY 1").stream().map(r -> r.get(0)).toList();
    }

    private static List<String> comparedTables(MigrationRecord done) {
        return done.verification().orElseThrow().tables().stream().map(t -> t.schema() + "." + t.table()).toList();
    }

    @Test
    void excludedSchemasTablesAndRowsStayBehindAndTheRestVerifies(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = shop(source, "selexclude");
        MigrationRecord done = migrate(source, target, "sel-exclude", db, Selection.builder()
                .excludeSchemas("audit").excludeTables("public.audit_*").excludeTableData("logs").build(),
                MigrationOption.VALIDATE_AND_MIGRATE);

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(tables(target, db)).containsExactly("app.Orders", "app.item_count", "app.items",
                "public.customer", "public.logs", "public.orders");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).isEqualTo(2000);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM app.\"Orders\"")).isEqualTo(30);
        assertThat(target.queryForLong(db, "SELECT count(*) FROM logs")).isZero();
        // The empty table keeps its definition: its key and its identity.
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_index WHERE indrelid = 'logs'::regclass"))
                .isEqualTo(1);

        VerificationReport verification = done.verification().orElseThrow();
        assertThat(verification.matches()).as(verification.toString()).isTrue();
        assertThat(comparedTables(done)).containsExactlyInAnyOrder("app.Orders", "app.items", "public.customer",
                "public.logs", "public.orders");
        assertThat(verification.tables()).filteredOn(TableVerification::rowsLeftOut)
                .extracting(TableVerification::table).containsExactly("logs");
        assertThat(verification.objects()).noneMatch(o -> o.schema().equals("audit"));

        assertThat(done.notes()).filteredOn(n -> n.is(MessageCode.SELECTION_APPLIED)).singleElement()
                .extracting(MigrationMessage::text).asString()
                .contains("1 schema (audit)", "public.audit_log", "public.audit_scratch", "the rows of 1 table "
                        + "(public.logs)");
        // A table left out fails no check: the unlogged one is not reported.
        assertThat(done.validationResults()).anyMatch(r -> r.validatorId().equals("unlogged-tables")
                && r.status() == ValidationStatus.SUCCEEDED);
        assertThat(done.validationResults()).filteredOn(r -> r.validatorId().equals("selection"))
                .extracting(ValidationResult::status).containsExactly(ValidationStatus.SUCCEEDED);

        // pgmigrate verify with the same selection compares the same; without it, the tables left out differ.
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationSettings same = MigrationSettings.builder().selection(done.spec().settings().selection())
                    .build();
            assertThat(service.verify(source.serverSpec(), db, target.serverSpec(), db, same).matches()).isTrue();
            VerificationReport everything = service.verify(source.serverSpec(), db, target.serverSpec(), db,
                    MigrationSettings.defaults());
            assertThat(everything.tableMismatches()).extracting(t -> t.schema() + "." + t.table())
                    .contains("public.audit_log", "audit.events", "public.logs");
        }
    }

    @Test
    void onlyTheTablesAskedForMoveWithTheTypesAndFunctionsTheyNeed(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = shop(source, "seltables");
        MigrationRecord done = migrate(source, target, "sel-tables", db, Selection.builder()
                .tables("public.customer", "orders", "app.\"Orders\"").build(), MigrationOption.VALIDATE_AND_MIGRATE);

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(tables(target, db)).containsExactly("app.Orders", "public.customer", "public.orders");
        assertThat(target.queryForLong(db, "SELECT twice(21)")).isEqualTo(42);
        assertThat(target.queryForString(db, "SELECT m::text FROM customer WHERE id = 1")).isEqualTo("ok");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM customer")).isEqualTo(50);
        // The serial of a table that moves moves with it, and its value.
        assertThat(target.queryForLong(db, "SELECT last_value FROM customer_id_seq")).isEqualTo(50);
        assertThat(done.verification().orElseThrow().matches()).as(done.verification().toString()).isTrue();
        assertThat(comparedTables(done)).containsExactlyInAnyOrder("app.Orders", "public.customer",
                "public.orders");
    }

    @Test
    void onlyTheSchemasAskedForMove(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = shop(source, "selschemas");
        MigrationRecord done = migrate(source, target, "sel-schemas", db, Selection.builder().schemas("a?p").build(),
                MigrationOption.VALIDATE_AND_MIGRATE);

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(tables(target, db)).containsExactly("app.Orders", "app.item_count", "app.items");
        assertThat(target.queryForLong(db, "SELECT n FROM app.item_count")).isEqualTo(90);
        assertThat(done.verification().orElseThrow().matches()).as(done.verification().toString()).isTrue();
        assertThat(comparedTables(done)).containsExactlyInAnyOrder("app.Orders", "app.items");
    }

    @Test
    void schemaOnlyCreatesEveryTableEmptyAndVerifiesThem(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = shop(source, "selschemaonly");
        source.execute(db, "CREATE MATERIALIZED VIEW app.totals AS SELECT count(*) AS n FROM app.items",
                "SELECT lo_from_bytea(0, 'blob')");
        MigrationRecord done = migrate(source, target, "sel-schema-only", db, Selection.builder()
                .content(Selection.Content.SCHEMA_ONLY).build(), MigrationOption.VALIDATE_AND_MIGRATE);

        assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(tables(target, db)).contains("public.orders", "audit.events", "app.items");
        for (String table : List.of("orders", "customer", "logs", "app.items", "audit.events")) {
            assertThat(target.queryForLong(db, "SELECT count(*) FROM " + table)).as(table).isZero();
        }
        assertThat(target.queryForString(db, "SELECT relispopulated::text FROM pg_class WHERE relname = 'totals'"))
                .isEqualTo("false");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_largeobject_metadata")).isZero();
        VerificationReport verification = done.verification().orElseThrow();
        assertThat(verification.matches()).as(verification.toString()).isTrue();
        assertThat(verification.tables()).allMatch(TableVerification::rowsLeftOut);
        assertThat(verification.objects()).anyMatch(o -> o.kind().equals("indexes") && o.source() > 0);
    }

    /** A table pattern that takes a partition alone would move nothing: validation and the engine say so. */
    @Test
    void aPartitionWithoutItsPartitionedTableIsRefused(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("selpart"));
        source.execute(db, "CREATE TABLE p (id int, k int) PARTITION BY LIST (k)",
                "CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1)", "CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2)",
                "INSERT INTO p VALUES (1, 1), (2, 2)");
        List<String> before = target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream()
                .map(r -> r.get(0)).toList();
        MigrationRecord validated = migrate(source, target, "sel-part", db, Selection.builder().tables("p1").build(),
                MigrationOption.VALIDATE_AND_MIGRATE);
        assertThat(validated.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
        assertThat(validated.validationResults()).anySatisfy(r -> {
            assertThat(r.validatorId()).isEqualTo("selection");
            assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
            assertThat(r.items()).containsExactly("public.p1 (of public.p)");
        });
        MigrationRecord refused = migrate(source, target, "sel-part2", db, Selection.builder().tables("p1").build(),
                MigrationOption.MIGRATE);
        assertThat(refused.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(refused.errors().toString()).contains("public.p1").contains("partition of public.p");
        // The partitioned table with one partition left out is what moves one partition.
        MigrationRecord one = migrate(source, target, "sel-part3", db, Selection.builder().tables("p", "p1")
                .excludeTables("p2").build(), MigrationOption.MIGRATE);
        assertThat(one.status()).as(one.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(tables(target, db)).containsExactly("public.p", "public.p1");
        target.dropDatabase(db);
        assertThat(target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream().map(r -> r.get(0))
                .toList()).isEqualTo(before);
    }

    /**
     * {@code -n app -t items}: pg_dump's -t takes public.items whatever -n says; here the schema selection would leave
     * out every table the pattern matched and move none of them, so validation and the engine refuse it, naming both.
     */
    @Test
    void aTablePatternWhoseTablesTheSchemaSelectionLeavesOutIsRefused(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("selschema"));
        source.execute(db, "CREATE SCHEMA app", "CREATE TABLE app.orders (id int)", "CREATE TABLE items (id int)",
                "CREATE TABLE app.items (id int)");
        List<String> before = target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream()
                .map(r -> r.get(0)).toList();
        Selection outside = Selection.builder().schemas("app").tables("public.items").build();
        MigrationRecord validated = migrate(source, target, "sel-schema", db, outside,
                MigrationOption.VALIDATE_AND_MIGRATE);
        assertThat(validated.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
        assertThat(validated.validationResults()).anySatisfy(r -> {
            assertThat(r.validatorId()).isEqualTo("selection");
            assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
            assertThat(r.items()).containsExactly("settings.selection.tables[0] = public.items (public.items)");
        });
        MigrationRecord refused = migrate(source, target, "sel-schema2", db, Selection.builder()
                .excludeSchemas("public").tables("items").build(), MigrationOption.MIGRATE);
        assertThat(refused.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(refused.errors().toString()).contains("settings.selection.tables[0]").contains("public.items")
                .contains("schema selection");
        // A pattern with a table in a schema that moves takes that one, as it always did.
        MigrationRecord some = migrate(source, target, "sel-schema3", db, Selection.builder().schemas("app")
                .tables("*.items").build(), MigrationOption.MIGRATE);
        assertThat(some.status()).as(some.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(tables(target, db)).containsExactly("app.items");
        target.dropDatabase(db);
        assertThat(target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream().map(r -> r.get(0))
                .toList()).isEqualTo(before);
    }

    /**
     * A moved object that needs one left out (a view of a table, a foreign key to one, a column of a type in a
     * schema) would fail its restore after the copy: validation and the engine refuse the selection up front.
     */
    @Test
    void aMovedObjectThatNeedsOneLeftOutIsRefusedBeforeTheTargetIsTouched(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("seldeps"));
        source.execute(db, "CREATE TABLE customer (id serial PRIMARY KEY, name text)",
                "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer)",
                "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                "CREATE VIEW recent_notes AS SELECT id, body FROM notes WHERE id > 10",
                "CREATE SCHEMA kinds", "CREATE TYPE kinds.color AS ENUM ('red', 'blue')",
                "CREATE TABLE paint (id int PRIMARY KEY, c kinds.color)",
                "INSERT INTO customer (name) VALUES ('a')", "INSERT INTO orders VALUES (1, 1)",
                "INSERT INTO notes VALUES (11, 'n')", "INSERT INTO paint VALUES (1, 'red')");
        List<String> before = target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream()
                .map(r -> r.get(0)).toList();
        record Case(Selection selection, String dependent, String dependency) {
        }
        List<Case> cases = List.of(
                new Case(Selection.builder().excludeTables("notes").build(), "view public.recent_notes",
                        "table public.notes"),
                new Case(Selection.builder().excludeTables("customer").build(),
                        "table constraint orders_customer_id_fkey on public.orders", "table public.customer"),
                new Case(Selection.builder().tables("recent_notes").build(), "view public.recent_notes",
                        "table public.notes"),
                new Case(Selection.builder().excludeSchemas("kinds").build(), "table column public.paint.c",
                        "type kinds.color"));
        for (Case c : cases) {
            MigrationRecord validated = migrate(source, target, runName(), db, c.selection(),
                    MigrationOption.VALIDATE_AND_MIGRATE);
            assertThat(validated.status()).as(c + ": " + validated.validationResults())
                    .isEqualTo(MigrationStatus.VALIDATION_FAILED);
            assertThat(validated.validationResults()).as(c.toString()).anySatisfy(r -> {
                assertThat(r.validatorId()).isEqualTo("selection");
                assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
                assertThat(r.items()).containsExactly(c.dependent() + " needs " + c.dependency());
                assertThat(r.remedy()).contains("excludeTables");
            });
            MigrationRecord refused = migrate(source, target, runName(), db, c.selection(), MigrationOption.MIGRATE);
            assertThat(refused.status()).as(c.toString()).isEqualTo(MigrationStatus.FAILED);
            assertThat(refused.errors()).as(c.toString()).anySatisfy(e -> {
                assertThat(e.code()).isEqualTo(MessageCode.SPEC_INVALID);
                assertThat(e.text()).contains(c.dependent(), c.dependency());
            });
            assertThat(target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream()
                    .map(r -> r.get(0)).toList()).as(c.toString()).isEqualTo(before);
        }
        // What needs each other left out together, and a table with its own serial, pass.
        for (Selection fine : List.of(Selection.builder().excludeTables("notes", "recent_notes", "customer", "orders")
                .build(), Selection.builder().tables("customer", "paint").build())) {
            MigrationRecord validated = migrate(source, target, runName(), db, fine, MigrationOption.VALIDATE);
            assertThat(validated.validationResults()).as(fine.toString())
                    .filteredOn(r -> r.validatorId().equals("selection")).extracting(ValidationResult::status)
                    .containsExactly(ValidationStatus.SUCCEEDED);
        }
    }

    /**
     * Each kind of dependency on what is left out is named, on the oldest source's catalogs; what moves whole
     * (an owned sequence, an extension in a schema left out) or stays out together is not.
     */
    @Test
    void everyKindOfDependencyOnWhatIsLeftOutIsNamed(@Pg("9.6") PostgresServer source,
            @Pg("15") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("seldepkinds"));
        source.execute(db, "CREATE SCHEMA lib", "CREATE SCHEMA ext", "CREATE EXTENSION hstore SCHEMA ext",
                "CREATE FUNCTION lib.positive(int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 > 0'",
                "CREATE FUNCTION lib.stamp() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
                "CREATE DOMAIN lib.code AS text", "CREATE TYPE lib.pair AS (a int, b int)",
                "CREATE SEQUENCE shared_seq",
                "CREATE TABLE base (id int PRIMARY KEY)", "CREATE TABLE child (extra int) INHERITS (base)",
                "CREATE TABLE owner_t (id serial PRIMARY KEY)",
                "CREATE TABLE borrower (id int PRIMARY KEY DEFAULT nextval('owner_t_id_seq'), n int "
                        + "DEFAULT nextval('shared_seq'), CHECK (lib.positive(id)))",
                "CREATE TRIGGER stamp BEFORE INSERT ON borrower FOR EACH ROW EXECUTE PROCEDURE lib.stamp()",
                "CREATE TABLE secret (id int PRIMARY KEY)", "CREATE TABLE guarded (id int PRIMARY KEY, c lib.pair[], "
                        + "d lib.code, h ext.hstore)",
                "ALTER TABLE guarded ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY p ON guarded USING (id IN (SELECT id FROM secret))",
                "CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM secret",
                "CREATE FUNCTION first_secret(s secret) RETURNS int LANGUAGE sql AS 'SELECT 1'");
        record Case(Selection selection, List<String> needs) {
        }
        List<Case> cases = List.of(
                new Case(Selection.builder().excludeTables("base").build(), List.of("table public.child needs table "
                        + "public.base")),
                new Case(Selection.builder().excludeSchemas("lib").build(), List.of(
                        "table column public.guarded.c needs type lib.pair[]",
                        "table column public.guarded.d needs type lib.code",
                        "table constraint borrower_id_check on public.borrower needs function lib.positive(integer)",
                        "trigger stamp on public.borrower needs function lib.stamp()")),
                new Case(Selection.builder().tables("borrower").build(), List.of(
                        "default value for public.borrower.id needs sequence public.owner_t_id_seq",
                        "default value for public.borrower.n needs sequence public.shared_seq",
                        "function public.first_secret(public.secret) needs table public.secret")),
                new Case(Selection.builder().excludeTables("secret").build(), List.of(
                        "function public.first_secret(public.secret) needs table public.secret",
                        "materialized view public.totals needs table public.secret",
                        "policy p on public.guarded needs table public.secret")),
                // The hstore column is not named: what an extension needs is the extension's.
                new Case(Selection.builder().excludeTables("secret", "totals").excludeSchemas("ext").build(), List.of(
                        "function public.first_secret(public.secret) needs table public.secret",
                        "policy p on public.guarded needs table public.secret")),
                new Case(Selection.builder().tables("owner_t", "base", "child", "secret").build(), List.of()));
        for (Case c : cases) {
            MigrationRecord validated = migrate(source, target, runName(), db, c.selection(), MigrationOption.VALIDATE);
            List<ValidationResult> selection = validated.validationResults().stream()
                    .filter(r -> r.validatorId().equals("selection")).toList();
            if (c.needs().isEmpty()) {
                assertThat(selection).as(c.toString()).extracting(ValidationResult::status)
                        .containsExactly(ValidationStatus.SUCCEEDED);
            } else {
                assertThat(selection).as(c.toString()).singleElement().satisfies(r -> {
                    assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
                    assertThat(r.items()).containsExactlyElementsOf(c.needs());
                });
            }
        }
    }

    @Test
    void aPatternThatMatchesNothingFailsValidationNamingItAndChangesNothing(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = shop(source, "selnomatch");
        List<String> before = target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream()
                .map(r -> r.get(0)).toList();
        // Unquoted, Orders is orders, which public has: only a Warning, for the exclusion that matches nothing.
        MigrationRecord validated = migrate(source, target, "sel-nomatch", db, Selection.builder()
                .tables("public.Orders", "customer").excludeTables("nosuch").build(), MigrationOption.VALIDATE);
        assertThat(validated.status()).as(validated.validationResults().toString())
                .isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(validated.validationResults()).filteredOn(r -> r.validatorId().equals("selection"))
                .extracting(ValidationResult::status)
                .containsExactlyInAnyOrder(ValidationStatus.WARNING, ValidationStatus.SUCCEEDED);

        MigrationRecord wrong = migrate(source, target, "sel-nomatch2", db, Selection.builder()
                .tables("public.\"Orders\"").excludeTables("nosuch").build(), MigrationOption.VALIDATE_AND_MIGRATE);
        assertThat(wrong.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
        assertThat(wrong.validationResults()).anySatisfy(r -> {
            assertThat(r.validatorId()).isEqualTo("selection");
            assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
            assertThat(r.items()).containsExactly("settings.selection.tables[0] = public.\"Orders\"");
            assertThat(r.remedy()).contains("quote a name with capitals");
        });
        assertThat(wrong.validationResults()).anySatisfy(r -> {
            assertThat(r.status()).isEqualTo(ValidationStatus.WARNING);
            assertThat(r.items()).containsExactly("settings.selection.excludeTables[0] = nosuch");
        });

        // Without validation the engine refuses it too, inside the snapshot, before it creates anything.
        MigrationRecord unchecked = migrate(source, target, "sel-nomatch3", db, Selection.builder()
                .tables("public.\"Orders\"").build(), MigrationOption.MIGRATE);
        assertThat(unchecked.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(unchecked.errors()).anySatisfy(e -> {
            assertThat(e.code()).isEqualTo(MessageCode.SPEC_INVALID);
            assertThat(e.text()).contains("settings.selection.tables[0]", "matches no table");
        });
        assertThat(target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1").stream()
                .map(r -> r.get(0)).toList()).isEqualTo(before);
    }
    /**
     * An extension belongs to no schema, so it moves whatever the schema patterns say; installed in a schema the
     * selection leaves out, it gets that schema on the target as its container: the schema's owner, privileges and
     * comment, none of its objects. The mirror case, the schema excluded with excludeSchemas, is the same.
     */
    @Test
    void anExtensionInASchemaLeftOutGetsThatSchemaAsItsContainerOnly(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("selext"));
        String owner = TestDatabases.unique("extowner");
        source.execute("postgres", "CREATE ROLE " + owner + " NOLOGIN");
        source.execute(db, "CREATE SCHEMA ext AUTHORIZATION " + owner,
                "COMMENT ON SCHEMA ext IS 'the extensions'",
                "GRANT USAGE ON SCHEMA ext TO PUBLIC",
                "CREATE EXTENSION hstore SCHEMA ext",
                "CREATE TABLE ext.scratch (id int PRIMARY KEY)",
                "CREATE FUNCTION ext.helper() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "CREATE TABLE kv (id int PRIMARY KEY, h ext.hstore)",
                "INSERT INTO kv SELECT g, ext.hstore('k', g::text) FROM generate_series(1, 10) g",
                "INSERT INTO ext.scratch VALUES (1)");

        List<Selection> selections = List.of(Selection.builder().schemas("public").build(),
                Selection.builder().excludeSchemas("ext").build());
        for (int i = 0; i < selections.size(); i++) {
            Selection selection = selections.get(i);
            MigrationRecord done = migrate(source, target, "sel-ext-" + i, db, selection,
                    MigrationOption.VALIDATE_AND_MIGRATE);

            assertThat(done.status()).as(selection + ": " + done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.validationResults()).filteredOn(r -> r.validatorId().equals("selection"))
                    .singleElement().satisfies(r -> {
                        assertThat(r.status()).isEqualTo(ValidationStatus.SUCCEEDED);
                        assertThat(r.found()).contains("schema ext", "extension hstore");
                    });
            assertThat(done.notes()).filteredOn(n -> n.is(MessageCode.EXTENSION_SCHEMA_CREATED)).singleElement()
                    .extracting(MigrationMessage::text).asString().contains("schema ext", "extension hstore");
            assertThat(tables(target, db)).containsExactly("public.kv");
            assertThat(target.queryForString(db, "SELECT h OPERATOR(ext.->) 'k' FROM kv WHERE id = 7")).isEqualTo("7");
            assertThat(target.queryForString(db, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON "
                    + "n.oid = e.extnamespace WHERE e.extname = 'hstore'")).isEqualTo("ext");
            assertThat(target.queryForString(db, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = "
                    + "'ext'")).isEqualTo(owner);
            assertThat(target.queryForString(db, "SELECT obj_description('ext'::regnamespace, 'pg_namespace')"))
                    .isEqualTo("the extensions");
            assertThat(target.queryForString(db, "SELECT has_schema_privilege('public', 'ext', 'USAGE')::text"))
                    .isEqualTo("true");
            assertThat(target.queryForLong(db, "SELECT count(*) FROM pg_proc WHERE proname = 'helper'")).isZero();
            assertThat(done.verification().orElseThrow().matches()).as(done.verification().toString()).isTrue();
            target.dropDatabase(db);
        }
    }
}
