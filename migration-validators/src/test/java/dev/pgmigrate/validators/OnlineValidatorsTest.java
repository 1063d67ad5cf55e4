package dev.pgmigrate.validators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.ValidationResultsAssert;
import dev.pgmigrate.testkit.ValidatorTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The checks of an Online migration's prerequisites, each made to pass and to fail on real servers: a 15 with
 * {@code wal_level = logical} and a single replication slot, a 15 as initdb leaves it, and a 9.6.
 */
@PostgresTest
class OnlineValidatorsTest {
    private static final String LOGICAL = "wal_level=logical";
    private static final String ONE_SLOT = "max_replication_slots=1";

    private static ValidatorTestKit online(String id, ServerSpec source, ServerSpec target, String... databases) {
        return ValidatorTestKit.validator(id).mode(MigrationMode.ONLINE).source(source).target(target)
                .database(databases);
    }

    private static ValidationResultsAssert check(String id, ServerSpec source, ServerSpec target,
            String... databases) {
        return online(id, source, target, databases).run().assertThatResults();
    }

    /** A new login on {@code server} with {@code attributes}, as a server spec. */
    private static ServerSpec login(PostgresServer server, String attributes) {
        String name = TestDatabases.unique("login");
        server.execute("postgres", "CREATE ROLE " + name + " LOGIN PASSWORD 'secret-pw' " + attributes);
        return server.serverSpec().withLogin(name, Optional.of(Secret.of("secret-pw")));
    }

    /** Every online check at once, through the engine, as {@code MigrationService.validate} runs them. */
    private static List<ValidationResult> everyOnlineCheck(MigrationMode mode, ServerSpec source, ServerSpec target,
            String database, UnaryOperator<MigrationSettings.Builder> settings) throws InterruptedException {
        List<Validator> online = Plugins.discover(OnlineValidatorsTest.class.getClassLoader()).validators().stream()
                .filter(v -> v.id().startsWith("online-")).toList();
        assertThat(online).extracting(Validator::id).containsExactlyInAnyOrder("online-source-version",
                "online-wal-level", "online-replication-capacity", "online-replication-privilege",
                "online-publication-privileges", "online-apply-privileges", "online-replica-identity",
                "online-large-objects", "online-wal-retention");
        MigrationSpec spec = MigrationSpec.builder().name(TestDatabases.unique("online-checks").replace('_', '-'))
                .source(source).target(target).databases(database).option(MigrationOption.VALIDATE_AND_MIGRATE)
                .mode(mode).settings(settings.apply(MigrationSettings.builder().parallelism(2)).build()).build();
        try (MigrationService service = MigrationService.builder().plugins(Plugins.of(online, List.of())).build()) {
            MigrationRecord record = service.validate(spec);
            return record.validationResults();
        }
    }

    @Test
    void offlineMigrationsGetNoneOfTheOnlineFindings(@Pg("15") PostgresServer plain) throws Exception {
        String db = plain.createUniqueDatabase("offline");
        plain.execute(db, "CREATE TABLE keyless (a int)", "SELECT lo_create(0)");
        assertThat(everyOnlineCheck(MigrationMode.OFFLINE, plain.serverSpec(), plain.serverSpec(), db,
                s -> s)).isEmpty();
        // The same database, Online: every check answers, and the unprepared source fails several of them.
        new ValidationResultsAssert(everyOnlineCheck(MigrationMode.ONLINE, plain.serverSpec(), plain.serverSpec(),
                db, s -> s)).hasStatus(ValidationStatus.FAILED).mentions("wal_level is replica", "keyless")
                .everyProblemHasARemedy();
    }

    @Test
    void aPreparedSourcePassesEveryCheck(@Pg(value = "15", settings = {LOGICAL, ONE_SLOT}) PostgresServer source,
            @Pg("15") PostgresServer target) throws Exception {
        String db = source.createUniqueDatabase("ready");
        source.execute(db, "CREATE TABLE orders (id int PRIMARY KEY, total numeric)");
        List<ValidationResult> results = everyOnlineCheck(MigrationMode.ONLINE, source.serverSpec(),
                target.serverSpec(), db, s -> s);
        new ValidationResultsAssert(results).hasStatus(ValidationStatus.SUCCEEDED);
        assertThat(results).extracting(ValidationResult::validatorId).hasSize(9).doesNotHaveDuplicates();
    }

    @Test
    void sourceVersionMustBe10OrLater(@Pg("9.6") PostgresServer old, @Pg("15") PostgresServer plain)
            throws Exception {
        check("online-source-version", old.serverSpec(), plain.serverSpec()).hasStatus(ValidationStatus.FAILED)
                .mentions("online migration needs source 10 or later (pgoutput); migrate Offline")
                .everyProblemHasARemedy();
        check("online-source-version", plain.serverSpec(), plain.serverSpec()).hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("pgoutput");
        // On a 9.6 source the other checks of the source stay silent: the version says all there is to say.
        List<ValidationResult> results = everyOnlineCheck(MigrationMode.ONLINE, old.serverSpec(), plain.serverSpec(),
                "postgres", s -> s);
        assertThat(results).extracting(ValidationResult::validatorId)
                .containsExactlyInAnyOrder("online-source-version", "online-apply-privileges");
    }

    @Test
    void walLevelMustBeLogical(@Pg("15") PostgresServer plain,
            @Pg(value = "15", settings = {LOGICAL, ONE_SLOT}) PostgresServer logical) {
        check("online-wal-level", plain.serverSpec(), plain.serverSpec()).hasStatus(ValidationStatus.FAILED)
                .mentions("wal_level is replica", "ALTER SYSTEM SET wal_level = logical", "rds.logical_replication")
                .everyProblemHasARemedy();
        check("online-wal-level", plain.serverSpec(SourceServerType.AWS_RDS), plain.serverSpec())
                .hasStatus(ValidationStatus.FAILED).mentions("rds.logical_replication = 1 in the source's DB")
                .doesNotMention("ALTER SYSTEM");
        check("online-wal-level", logical.serverSpec(), plain.serverSpec()).hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void replicationCapacityNeedsAFreeSlotPerDatabase(
            @Pg(value = "15", settings = {LOGICAL, ONE_SLOT}) PostgresServer logical) {
        ServerSpec spec = logical.serverSpec();
        String db = logical.createUniqueDatabase("slots");
        check("online-replication-capacity", spec, spec, db).hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("1 free replication slot (max_replication_slots = 1, 0 in use)");
        check("online-replication-capacity", spec, spec, db, "postgres").hasStatus(ValidationStatus.FAILED)
                .mentions("replication slots: 1 free, 2 needed", "max_replication_slots to at least 2")
                .doesNotMention("WAL senders:").everyProblemHasARemedy();
        String slot = TestDatabases.unique("busy");
        logical.execute("postgres", "SELECT pg_create_physical_replication_slot('" + slot + "')");
        try {
            check("online-replication-capacity", spec, spec, db).hasStatus(ValidationStatus.FAILED)
                    .mentions("0 free replication slots (max_replication_slots = 1, 1 in use)",
                            "replication slots: 0 free, 1 needed", "pg_drop_replication_slot")
                    .everyProblemHasARemedy();
        } finally {
            logical.execute("postgres", "SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    @Test
    void sourceLoginNeedsReplication(@Pg(value = "15", settings = {LOGICAL, ONE_SLOT}) PostgresServer logical) {
        ServerSpec plainLogin = login(logical, "");
        check("online-replication-privilege", plainLogin, logical.serverSpec()).hasStatus(ValidationStatus.FAILED)
                .mentions("has no REPLICATION", "ALTER ROLE " + plainLogin.adminLogin() + " REPLICATION",
                        "GRANT rds_replication TO " + plainLogin.adminLogin())
                .everyProblemHasARemedy();
        logical.execute("postgres", "ALTER ROLE " + plainLogin.adminLogin() + " REPLICATION");
        check("online-replication-privilege", plainLogin, logical.serverSpec()).hasStatus(ValidationStatus.SUCCEEDED)
                .mentions("has REPLICATION");
        check("online-replication-privilege", logical.serverSpec(), logical.serverSpec())
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("superuser");
    }

    @Test
    void sourceLoginNeedsCreateAndOwnershipToPublish(
            @Pg(value = "15", settings = {LOGICAL, ONE_SLOT}) PostgresServer logical) {
        ServerSpec replicator = login(logical, "REPLICATION");
        String name = replicator.adminLogin();
        String db = logical.createUniqueDatabase("publish");
        logical.execute(db, "CREATE TABLE theirs (id int PRIMARY KEY)", "GRANT SELECT ON theirs TO " + name);
        check("online-publication-privileges", replicator, logical.serverSpec(), db)
                .hasStatus(ValidationStatus.FAILED)
                .mentions("no CREATE privilege", "GRANT CREATE ON DATABASE " + db + " TO " + name,
                        "owns none of the database's 1 table: public.theirs (owner postgres)",
                        "CREATE PUBLICATION FOR TABLE needs ownership of each table")
                .everyProblemHasARemedy();
        logical.execute(db, "GRANT CREATE ON DATABASE " + db + " TO " + name,
                "CREATE TABLE mine (id int PRIMARY KEY)", "ALTER TABLE mine OWNER TO " + name);
        check("online-publication-privileges", replicator, logical.serverSpec(), db)
                .hasStatus(ValidationStatus.FAILED)
                .mentions("does not own 1 of the database's 2 tables: public.theirs").doesNotMention("public.mine");
        logical.execute(db, "ALTER TABLE theirs OWNER TO " + name);
        check("online-publication-privileges", replicator, logical.serverSpec(), db)
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("owns each of its 2 tables");
    }

    @Test
    void targetLoginNeedsSuperuserOrGrantsToApply(@Pg("15") PostgresServer plain, @Pg("9.6") PostgresServer old) {
        ServerSpec applier = login(plain, "");
        String name = applier.adminLogin();
        check("online-apply-privileges", plain.serverSpec(), applier).hasStatus(ValidationStatus.FAILED)
                .mentions("GRANT EXECUTE ON FUNCTION", "pg_replication_origin_create(text)",
                        "pg_replication_origin_xact_setup(pg_lsn,timestamp with time zone)",
                        "GRANT SET ON PARAMETER session_replication_role TO " + name)
                .everyProblemHasARemedy();
        plain.execute("postgres", "GRANT EXECUTE ON FUNCTION " + String.join(", ", List.of(
                "pg_replication_origin_create(text)", "pg_replication_origin_drop(text)",
                "pg_replication_origin_progress(text, boolean)", "pg_replication_origin_session_reset()",
                "pg_replication_origin_session_setup(text)",
                "pg_replication_origin_xact_setup(pg_lsn, timestamptz)")) + " TO " + name);
        check("online-apply-privileges", plain.serverSpec(), applier).hasStatus(ValidationStatus.FAILED)
                .mentions("may not set session_replication_role").doesNotMention("GRANT EXECUTE");
        plain.execute("postgres", "GRANT SET ON PARAMETER session_replication_role TO " + name);
        check("online-apply-privileges", plain.serverSpec(), applier).hasStatus(ValidationStatus.SUCCEEDED);
        check("online-apply-privileges", plain.serverSpec(), plain.serverSpec())
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("superuser");
        // Before 14 no grant helps: replication origins are a superuser's.
        check("online-apply-privileges", plain.serverSpec(), login(old, "")).hasStatus(ValidationStatus.FAILED)
                .mentions("use replication origins before 14").everyProblemHasARemedy();
    }

    @Test
    void tablesNeedAUsableReplicaIdentityUnlessPgmigrateMaySetFull(
            @Pg(value = "15", settings = {LOGICAL, ONE_SLOT}) PostgresServer logical) {
        ServerSpec spec = logical.serverSpec();
        String db = logical.createUniqueDatabase("identity");
        List<String> sql = List.of("CREATE TABLE keyed (id int PRIMARY KEY)",
                "CREATE TABLE keyless (a int)",
                "CREATE TABLE muted (id int PRIMARY KEY)", "ALTER TABLE muted REPLICA IDENTITY NOTHING",
                "CREATE TABLE by_index (code text NOT NULL)", "CREATE UNIQUE INDEX by_index_code ON by_index (code)",
                "ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_code",
                "CREATE TABLE lost_index (code text NOT NULL)",
                "CREATE UNIQUE INDEX lost_index_code ON lost_index (code)",
                "ALTER TABLE lost_index REPLICA IDENTITY USING INDEX lost_index_code", "DROP INDEX lost_index_code",
                "CREATE TABLE deferred (id int PRIMARY KEY DEFERRABLE)",
                "CREATE TABLE whole (a int)", "ALTER TABLE whole REPLICA IDENTITY FULL",
                "CREATE UNLOGGED TABLE scratch (a int)");
        logical.execute(db, sql.toArray(String[]::new));
        check("online-replica-identity", spec, spec, db).hasStatus(ValidationStatus.FAILED)
                .mentions("4 tables have no usable replica identity", "public.keyless (no primary key)",
                        "public.muted (REPLICA IDENTITY NOTHING)", "public.lost_index (its replica identity index",
                        "public.deferred (its primary key is not usable", "UPDATE and DELETE on it fail on the source",
                        "settings.options.online.replicaIdentityFull = true", "REPLICA IDENTITY USING INDEX")
                .doesNotMention("public.keyed", "public.by_index", "public.whole", "public.scratch")
                .everyProblemHasARemedy();
        List<String> bulk = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            bulk.add("CREATE TABLE bulk_" + i + " (a int)");
        }
        logical.execute(db, bulk.toArray(String[]::new));
        online("online-replica-identity", spec, spec, db)
                .settings(s -> s.option("online.replicaIdentityFull", "true")).run().assertThatResults()
                .hasStatus(ValidationStatus.WARNING)
                .mentions("24 tables have no usable replica identity", "and 4 more",
                        "pgmigrate sets REPLICA IDENTITY FULL on these tables", "sets each back afterwards")
                .everyProblemHasARemedy();
        check("online-replica-identity", spec, spec, logical.createUniqueDatabase("keyed"))
                .hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void largeObjectsAreNotReplicated(@Pg(value = "15", settings = {LOGICAL, ONE_SLOT}) PostgresServer logical) {
        ServerSpec spec = logical.serverSpec();
        String db = logical.createUniqueDatabase("lobs");
        check("online-large-objects", spec, spec, db).hasStatus(ValidationStatus.SUCCEEDED);
        logical.execute(db, "SELECT lo_create(0)", "SELECT lo_create(0)");
        check("online-large-objects", spec, spec, db).hasStatus(ValidationStatus.WARNING)
                .mentions("2 large objects: copied from the snapshot, later changes are not replicated")
                .everyProblemHasARemedy();
    }

    @Test
    void walRetentionIsEstimatedFromTheRateAndTheSize(
            @Pg(value = "15", settings = {LOGICAL, ONE_SLOT}) PostgresServer logical) {
        ServerSpec spec = logical.serverSpec();
        check("online-wal-retention", spec, spec, logical.createUniqueDatabase("wal"))
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("to copy at about 100 MB/s");
        // 100 GiB copied at 100 MiB/s takes 1,024 s; at 20 MiB/s of WAL that is 20 GiB: past the warning.
        long wal = OnlineWalRetentionValidator.walDuringCopy(100L << 30, 20 << 20);
        assertThat(wal).isEqualTo(20L << 30).isGreaterThan(OnlineWalRetentionValidator.WARN_BYTES);
    }
}
