package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ValidationContext;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Facts of each source database that validators declare ({@link Validator#databaseFacts()}): read once per
 * database, on the session its checks share, however many validators need them.
 */
@PostgresTest
class ValidationFactsTest {

    @Test
    void aFactIsReadOncePerDatabaseOnTheSessionItsChecksShare(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String shop = source.createDatabase(TestDatabases.unique("facts"));
        String crm = source.createDatabase(TestDatabases.unique("facts"));
        AtomicInteger reads = new AtomicInteger();
        DatabaseFact<Integer> backend = DatabaseFact.of("backend", (connection, facts) -> {
            reads.incrementAndGet();
            return backendPid(connection);
        });
        Map<String, Integer> seenByDatabaseChecks = new ConcurrentHashMap<>();
        Validator first = check("zz-facts-1", ValidationScope.DATABASE, Set.of(backend), context -> {
            String db = context.database().orElseThrow();
            try (Connection c = context.source().connect(db)) {
                assertThat(context.fact(backend, db)).as("read on the session this check gets").isEqualTo(
                        backendPid(c));
            }
            seenByDatabaseChecks.put(db, context.fact(backend, db));
        });
        Validator second = check("zz-facts-2", ValidationScope.DATABASE, Set.of(backend), context -> {
            String db = context.database().orElseThrow();
            assertThat(context.fact(backend, db)).isEqualTo(seenByDatabaseChecks.get(db));
        });
        Validator instance = check("zz-facts-instance", ValidationScope.INSTANCE, Set.of(backend), context -> {
            assertThat(seenByDatabaseChecks).as("every database's checks ran first").containsOnlyKeys(shop, crm);
            for (String db : List.of(shop, crm)) {
                assertThat(context.fact(backend, db)).isEqualTo(seenByDatabaseChecks.get(db));
            }
        });
        MigrationRecord done = validate(source, target, List.of(first, second, instance), shop, crm);
        assertThat(done.validationResults()).as(done.validationResults().toString())
                .filteredOn(r -> r.validatorId().startsWith("zz-facts")).hasSize(5)
                .allMatch(r -> r.status() == ValidationStatus.SUCCEEDED);
        assertThat(reads).as("one read per database for three validators").hasValue(2);
    }

    @Test
    void aFactThatCannotBeReadFailsEachCheckThatNeedsIt(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("facts"));
        DatabaseFact<Integer> broken = DatabaseFact.of("broken", (connection, facts) -> {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 / 0")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        CheckStep read = context -> context.fact(broken, db);
        MigrationRecord done = validate(source, target, List.of(
                check("zz-broken-1", ValidationScope.DATABASE, Set.of(broken), read),
                check("zz-broken-2", ValidationScope.INSTANCE, Set.of(broken), read)), db);
        assertThat(done.validationResults()).as(done.validationResults().toString())
                .filteredOn(r -> r.validatorId().startsWith("zz-broken")).hasSize(2)
                .allSatisfy(r -> {
                    assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
                    assertThat(r.found()).contains("a catalog query failed").contains("division by zero")
                            .contains("(SQLState 22012)");
                });
    }

    @Test
    void aTargetFactIsReadOncePerValidationOnTheTargetsMaintenanceDatabase(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String[] databases = {source.createDatabase(TestDatabases.unique("facts")),
                source.createDatabase(TestDatabases.unique("facts")), source.createDatabase(TestDatabases.unique("facts"))};
        AtomicInteger reads = new AtomicInteger();
        DatabaseFact<String> where = DatabaseFact.of("where", (connection, facts) -> {
            reads.incrementAndGet();
            assertThat(facts.versionNum()).as("the query gets the target's facts").isGreaterThanOrEqualTo(170000);
            try (Statement s = connection.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_database() || ' ' || current_setting('port')")) {
                rs.next();
                return rs.getString(1);
            }
        });
        String expected = "postgres " + target.port();
        CheckStep sees = context -> assertThat(context.targetFact(where)).isEqualTo(expected);
        MigrationRecord done = validate(source, target, List.of(check("zz-target-1", ValidationScope.DATABASE,
                Set.of(), sees), check("zz-target-2", ValidationScope.DATABASE, Set.of(), sees),
                check("zz-target-3", ValidationScope.INSTANCE, Set.of(), sees)), databases);
        assertThat(done.validationResults()).as(done.validationResults().toString())
                .filteredOn(r -> r.validatorId().startsWith("zz-target")).hasSize(7)
                .allMatch(r -> r.status() == ValidationStatus.SUCCEEDED);
        assertThat(reads).as("one read for 7 checks on 3 databases").hasValue(1);

        DatabaseFact<Integer> broken = DatabaseFact.of("broken on the target", (connection, facts) -> {
            reads.incrementAndGet();
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 / 0")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        reads.set(0);
        MigrationRecord failed = validate(source, target, List.of(check("zz-target-broken", ValidationScope.DATABASE,
                Set.of(), context -> context.targetFact(broken))), databases);
        assertThat(failed.validationResults()).filteredOn(r -> r.validatorId().equals("zz-target-broken"))
                .hasSize(3).allSatisfy(r -> {
                    assertThat(r.status()).isEqualTo(ValidationStatus.FAILED);
                    assertThat(r.found()).contains("division by zero").contains("(SQLState 22012)");
                });
        assertThat(reads).as("a failure is kept, not read again").hasValue(1);
    }

    @Test
    void aDatabasesChecksAreQueuedAheadOfTheInstancesAndRunBesideThem(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("facts"));
        java.util.concurrent.CountDownLatch databaseChecked = new java.util.concurrent.CountDownLatch(1);
        // Two workers, two instance checks that wait for the database's: queued after them, it would never start.
        CheckStep waits = context -> {
            try {
                assertThat(databaseChecked.await(20, java.util.concurrent.TimeUnit.SECONDS))
                        .as("the database's checks ran beside the instance's").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException(e);
            }
        };
        MigrationRecord done = validate(source, target, List.of(
                check("zz-order-instance-1", ValidationScope.INSTANCE, Set.of(), waits),
                check("zz-order-instance-2", ValidationScope.INSTANCE, Set.of(), waits),
                check("zz-order-database", ValidationScope.DATABASE, Set.of(), context -> databaseChecked.countDown())),
                db);
        assertThat(done.validationResults()).as(done.validationResults().toString())
                .filteredOn(r -> r.validatorId().startsWith("zz-order")).hasSize(3)
                .allMatch(r -> r.status() == ValidationStatus.SUCCEEDED);
    }

    private static MigrationRecord validate(PostgresServer source, PostgresServer target, List<Validator> checks,
            String... databases) throws InterruptedException {
        String name = TestDatabases.unique("facts").replace('_', '-'); // a migration name takes no '_'
        MigrationSpec spec = MigrationSpec.builder().name(name).source(source.serverSpec())
                .target(target.serverSpec()).databases(databases).option(MigrationOption.VALIDATE)
                .settings(MigrationSettings.builder().parallelism(2).build()).build();
        try (MigrationService service = MigrationService.builder().plugins(Plugins.of(checks, List.of())).build()) {
            return service.validate(spec);
        }
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** What a test validator does with its context; an assertion that fails makes its result Failed. */
    private interface CheckStep {
        void run(ValidationContext context) throws SQLException;
    }

    private static Validator check(String id, ValidationScope scope, Set<DatabaseFact<?>> facts, CheckStep step) {
        return new Validator() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public ValidationScope scope() {
                return scope;
            }

            @Override
            public String description() {
                return "A test check.";
            }

            @Override
            public Set<DatabaseFact<?>> databaseFacts() {
                return facts;
            }

            @Override
            public List<ValidationResult> validate(ValidationContext context) throws SQLException {
                try {
                    step.run(context);
                } catch (AssertionError e) {
                    return List.of(context.failed(e.getMessage(), "The test's assertion failed.", "Fix it.",
                            List.of()));
                }
                return List.of(context.succeeded("ran"));
            }
        };
    }
}
