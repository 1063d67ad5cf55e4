package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresBinaries;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.PostgresServerBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PostgreSQL's own regression database (about 1,500 relations, every object kind the core suite creates, built
 * from the Debian source of this machine's PostgreSQL 15 by {@code acceptance/make-regression-db.sh}) migrated by
 * pgmigrate and, side by side, by {@code pg_dump | psql}, each compared with {@code acceptance/compare-dumps.sh}:
 * 15 to 15 no worse than {@code pg_dump | psql} (the same differences, each explained in the README), 15 to 17
 * and 15 to 18 equal to {@code pg_dump 15 | psql} into a server of the same version, after the adaptations
 * pg_upgrade's own cross-version test makes, and after validation has named each object that needs one.
 *
 * <p>Slow (about three minutes) and needs root for apt: behind the Maven profile {@code corpus}, which
 * {@code .ci/run} turns on.
 */
@Tag("corpus")
class RegressionDatabaseTest {
    private static final Path ACCEPTANCE = Path.of("acceptance").toAbsolutePath();
    private static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final String DB = "regression";
    private static final String ADAPTED = "regression_adapted";
    private static final List<PostgresServer> SERVERS = new ArrayList<>();

    @TempDir
    static Path work;
    private static Path pgpass;
    private static PostgresServer source;

    @BeforeAll
    static void buildTheRegressionDatabase() throws Exception {
        source = server(PostgresServer.builder().binaries(PostgresBinaries.system(15)));
        Ran built = run(Duration.ofMinutes(15), List.of("bash", ACCEPTANCE.resolve("make-regression-db.sh")
                .toString(), PostgresServer.HOST, String.valueOf(source.port()), PostgresServer.SUPERUSER, DB), Map.of());
        assertThat(built.exit()).as(built.output()).isZero();
        assertThat(built.output()).containsPattern("All \\d+ tests passed"); // 217 in 15.18
        assertThat(source.queryForLong(DB, "SELECT count(*) FROM pg_class WHERE oid >= 16384")).isGreaterThan(1400);
    }

    @AfterAll
    static void stopServers() {
        SERVERS.forEach(PostgresServer::close);
    }

    @Test
    void fifteenToFifteenIsNoWorseThanPgDumpPsql() throws Exception {
        PostgresServer target = server(PostgresServer.builder().binaries(PostgresBinaries.system(15)));
        PostgresServer reference = server(PostgresServer.builder().binaries(PostgresBinaries.system(15)));

        MigrationRecord done = migrate("regression-15", source, target, DB, MigrationOption.VALIDATE_AND_MIGRATE,
                MigrationSettings.builder().parallelism(2).build());
        assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(done.verification().orElseThrow().matches()).isTrue();
        // One major version on both sides: the binary mover's tables are compared by the copy's checksum, the
        // tables the text mover takes (arrays and composites of user-defined types) by both servers' hashes.
        Map<Boolean, Long> byCopy = done.verification().orElseThrow().tables().stream().filter(t -> !t.rowsLeftOut()
                && t.difference().isEmpty()).collect(java.util.stream.Collectors.partitioningBy(
                        t -> t.sourceChecksum().startsWith("copy:"), java.util.stream.Collectors.counting()));
        assertThat(byCopy.get(true)).as("compared by the copy's checksum, %s", byCopy).isGreaterThan(100);
        assertThat(byCopy.get(false)).as("compared by both servers, %s", byCopy).isPositive();
        dumpAndRestore(source, reference, DB, List.of());

        Compared ours = compare(source, target, DB, Map.of());
        Compared theirs = compare(source, reference, DB, Map.of());
        // The same 14 lines as pg_dump | psql, each explained in the README: inheritance children whose columns
        // pg_dump cannot create in the source's order, and a materialized view stale on the source.
        assertThat(ours.verdict()).as(ours.output()).isEqualTo("14 differences");
        assertThat(ours.changedLines()).isEqualTo(theirs.changedLines());
        assertThat(ours.output()).contains("CREATE TABLE public.gtestxx_4", "CREATE TABLE public.test_type_diff2_c1",
                "CREATE TABLE public.test_type_diff2_c2", "matview mvtest_bb");
        assertThat(compare(reference, target, DB, Map.of()).verdict()).isEqualTo("IDENTICAL");
    }

    @ParameterizedTest(name = "15 -> {0}")
    @ValueSource(strings = {"17", "18"})
    void aNewerMajorGetsWhatPgDumpPsqlGivesItAfterValidationNamedWhatToAdapt(String major) throws Exception {
        PostgresServer target = server(PostgresServer.builder().version(major));
        PostgresServer reference = server(PostgresServer.builder().version(major));

        // As it is, the database cannot move to a newer major, and validation says which objects and why.
        MigrationRecord checked = migrate("regression-check-" + major, source, target, DB, MigrationOption.VALIDATE,
                MigrationSettings.builder().parallelism(2).build());
        assertThat(checked.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED);
        assertThat(failed(checked, "c-functions")).contains("widget_in(cstring)", "does not load");
        assertThat(failed(checked, "toast-compression")).contains("cmdata.f1");
        assertThat(failed(checked, "schema-compatibility")).contains("gtest_normal_child.b");

        adaptForANewerMajor();
        MigrationRecord done = migrate("regression-" + major, source, target, ADAPTED,
                MigrationOption.VALIDATE_AND_MIGRATE, MigrationSettings.builder().parallelism(2)
                        .option("schema.noToastCompression", "true").build());
        assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
        dumpAndRestore(source, reference, ADAPTED, List.of("--no-toast-compression"));

        // pg_dump 15 cannot dump a newer server: the catalog signature stands in for it, object by object.
        Compared compared = compare(reference, target, ADAPTED, Map.of("PG_DUMP", ACCEPTANCE.resolve("catalog-dump")
                .toString()));
        assertThat(compared.verdict()).as(compared.output()).isEqualTo("IDENTICAL");
    }

    /**
     * What pg_upgrade's cross-version test does to the regression database before 15 moves to 16 or later
     * ({@code AdjustUpgrade.pm}): drop the two children whose generated column 16 rejects. The column of type
     * aclitem it also drops stays: a logical copy moves it. And what this machine adds: the C functions of
     * {@code regress.so}, {@code refint.so} and {@code autoinc.so} are built for 15 and load into no other major
     * (the buildfarm points them at a build for the new major, which needs that major's server headers), so they
     * go with what depends on them.
     */
    private static synchronized void adaptForANewerMajor() {
        if (source.queryForLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + ADAPTED + "'") > 0) {
            return;
        }
        source.execute("postgres", "CREATE DATABASE " + ADAPTED + " TEMPLATE " + DB);
        source.execute(ADAPTED, "DROP TABLE public.gtest_normal_child, public.gtest_normal_child2",
                "DO $$ BEGIN EXECUTE (SELECT 'DROP FUNCTION ' || string_agg(p.oid::regprocedure::text, ', ') "
                        + "|| ' CASCADE' FROM pg_proc p WHERE p.prolang = 13 AND p.oid >= 16384); END $$");
    }

    private static String failed(MigrationRecord record, String validator) {
        return record.validationResults().stream().filter(r -> r.validatorId().equals(validator)
                && r.status() == ValidationStatus.FAILED).map(r -> r.found() + " " + String.join("; ", r.items()))
                .reduce("", String::concat);
    }

    private static PostgresServer server(PostgresServerBuilder builder) {
        PostgresServer server = builder.start();
        synchronized (SERVERS) {
            SERVERS.add(server);
        }
        try {
            writePgpass();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return server;
    }

    /** One password file for every server of the class: the scripts run libpq programs, never with a password. */
    private static void writePgpass() throws IOException {
        StringBuilder lines = new StringBuilder();
        synchronized (SERVERS) {
            for (PostgresServer s : SERVERS) {
                lines.append(PostgresServer.HOST).append(':').append(s.port()).append(":*:")
                        .append(PostgresServer.SUPERUSER).append(':').append(s.superuserPassword().reveal()
                                .replace("\\", "\\\\").replace(":", "\\:")).append('\n');
            }
        }
        if (pgpass == null) {
            pgpass = Files.createFile(work.resolve("pgpass"), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(pgpass, lines.toString(), StandardCharsets.UTF_8);
    }

    private static MigrationRecord migrate(String name, PostgresServer from, PostgresServer to, String database,
            MigrationOption option, MigrationSettings settings) throws Exception {
        MigrationSpec spec = MigrationSpec.builder().name(name).source(from.superuserSpec())
                .target(to.superuserSpec()).databases(database).option(option).settings(settings).build();
        try (MigrationService service = MigrationService.builder().build()) {
            return service.start(spec).await(Duration.ofMinutes(10));
        }
    }

    /** {@code pg_dump --create | psql}, the reference: what the same tool users know gives the same target. */
    private static void dumpAndRestore(PostgresServer from, PostgresServer to, String database, List<String> options)
            throws Exception {
        String dump = PG_BIN.resolve("pg_dump") + " --create " + String.join(" ", options) + " -h "
                + PostgresServer.HOST + " -p " + from.port() + " -U " + PostgresServer.SUPERUSER + " " + database;
        String restore = PG_BIN.resolve("psql") + " -X -q -h " + PostgresServer.HOST + " -p " + to.port() + " -U "
                + PostgresServer.SUPERUSER + " -d postgres";
        Ran result = run(Duration.ofMinutes(10), List.of("bash", "-o", "pipefail", "-c", dump + " | "
                + restore), Map.of());
        assertThat(result.exit()).as(result.output()).isZero();
    }

    /** The verdict of compare-dumps.sh (rows by column name) and the lines its diffs changed. */
    private record Compared(String verdict, List<String> changedLines, String output) {
    }

    private static Compared compare(PostgresServer a, PostgresServer b, String database, Map<String, String> env)
            throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("ROW_FORM", "jsonb");
        Ran result = run(Duration.ofMinutes(5), List.of("bash", ACCEPTANCE.resolve("compare-dumps.sh")
                .toString(), url(a), url(b), database), all);
        assertThat(result.exit()).as(result.output()).isIn(0, 1);
        List<String> lines = result.output().lines().toList();
        List<String> changed = lines.stream().filter(l -> (l.startsWith("-") || l.startsWith("+"))
                && !l.startsWith("---") && !l.startsWith("+++")).toList();
        return new Compared(lines.get(lines.size() - 1), changed, result.output());
    }

    private static String url(PostgresServer server) {
        return "postgresql://" + PostgresServer.SUPERUSER + "@" + PostgresServer.HOST + ":" + server.port();
    }

    /** Runs a program with the password file, its output in one string. */
    private static Ran run(Duration timeout, List<String> command, Map<String, String> env)
            throws Exception {
        Path output = Files.createTempFile(work, "out", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PG"));
        builder.environment().put("PGPASSFILE", pgpass.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within " + timeout + ":\n" + Files.readString(output));
        }
        return new Ran(process.exitValue(), Files.readString(output));
    }

    /** A finished program. */
    private record Ran(int exit, String output) {
    }
}
