package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Verification by the copy's own checksums (servers of one major version): the binary mover hashes each row it
 * reads from the source, and the verification reads the target's table back the same way, or has the target hash
 * its own rows alike; a table copied whole or in TID ranges takes the counts the source's COPYs reported.
 * Whatever changes on the target after the copy, subtle or not, is caught; a table copied in ranges sums its parts,
 * and a large one is read back in ranges by both workers; a table the binary mover does not take, or every table
 * under {@code verify.rereadSource}, is hashed by both servers as before.
 */
@PostgresTest
class CopyChecksumTest {

    @Test
    void everyChangeMadeOnTheTargetAfterTheCopyIsCaughtReadingItBack(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        List<String> readBacks = new java.util.concurrent.CopyOnWriteArrayList<>();
        MigrationRecord done = tamperedMigration(source, target, "false", readBacks);
        List<TableVerification> tables = done.verification().orElseThrow().tables();
        assertThat(tables).as("every table compared by the copy's checksums").isNotEmpty()
                .allMatch(t -> t.sourceChecksum().startsWith("copy:") && t.targetChecksum().startsWith("copy:"));
        // Its read-back was shared by both workers, in two TID ranges; a small table is read back whole.
        assertThat(readBacks).filteredOn(r -> r.startsWith("ranges ")).hasSize(2).allMatch(r -> r.contains("ctid"));
        assertThat(readBacks).contains("unchanged");
    }

    /**
     * The default on a target of 14 or later: the copy hashes each row as the target hashes its own, and the target
     * sums its rows itself, nothing read back but the tables of a type it cannot hash so (interval, arrays); a
     * difference is confirmed by both servers hashing on the snapshot, so it is named all the same.
     */
    @Test
    void everyChangeMadeOnTheTargetAfterTheCopyIsCaughtByTheTargetsOwnHashes(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        List<String> readBacks = new java.util.concurrent.CopyOnWriteArrayList<>();
        MigrationRecord done = tamperedMigration(source, target, "true", readBacks);
        List<TableVerification> tables = done.verification().orElseThrow().tables();
        assertThat(tables).filteredOn(TableVerification::matches).extracting(TableVerification::table)
                .containsExactlyInAnyOrder("unchanged", "ranges");
        assertThat(tables).filteredOn(TableVerification::matches)
                .allMatch(t -> t.sourceChecksum().startsWith("copy:") && t.targetChecksum().equals(t.sourceChecksum()));
        assertThat(readBacks).as("only the tables of a type the target cannot hash as the copy did are read back")
                .containsExactlyInAnyOrder("interval_units", "array_dims");
    }

    /** A migration whose mover changes, on the target, each table of {@code CHANGES} and five more after its copy. */
    private static MigrationRecord tamperedMigration(PostgresServer source, PostgresServer target,
            String targetHashes, List<String> readBacks) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("copysum"));
        Map<String, String> tampering = new LinkedHashMap<>();
        for (VerificationFidelityTest.Change change : VerificationFidelityTest.CHANGES) {
            source.execute(db, "CREATE TABLE " + change.table() + " (id int, v " + change.type() + ")",
                    "INSERT INTO " + change.table() + " SELECT g, NULL FROM generate_series(1, 50) g",
                    "INSERT INTO " + change.table() + " VALUES (0, " + change.sourceValue() + ")");
            tampering.put(change.table(), "UPDATE public." + change.table() + " SET v = " + change.targetValue()
                    + " WHERE id = 0");
        }
        source.execute(db, "CREATE TABLE swapped (id int, v text)", "INSERT INTO swapped VALUES (1, 'a'), (2, 'b')",
                "CREATE TABLE missing_row (id int)", "INSERT INTO missing_row SELECT generate_series(1, 100)",
                "CREATE TABLE extra_row (id int)", "INSERT INTO extra_row SELECT generate_series(1, 100)",
                "CREATE TABLE unchanged (id int PRIMARY KEY, v text, n numeric, j jsonb)",
                "INSERT INTO unchanged SELECT g, md5(g::text), g / 7.0, jsonb_build_object('g', g) "
                        + "FROM generate_series(1, 500) g",
                // Big enough to be copied in ranges, which the checksums sum.
                "CREATE TABLE ranges (id int PRIMARY KEY, v text)",
                "INSERT INTO ranges SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 40000) g");
        // Values swapped between rows, one row lost, one row duplicated.
        tampering.put("swapped", "UPDATE public.swapped SET v = CASE id WHEN 1 THEN 'b' ELSE 'a' END");
        tampering.put("missing_row", "DELETE FROM public.missing_row WHERE id = 7");
        tampering.put("extra_row", "INSERT INTO public.extra_row VALUES (7)");

        DataMover mover = tamperingBinaryMover(tampering, readBacks);
        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().plugins(Plugins.discover().withMover(mover))
                .build()) {
            done = service.start(spec("copysum", source, target, db, MigrationSettings.builder().parallelism(2)
                    .splitTablesLargerThanBytes(1024 * 1024).option("verify.targetHashes", targetHashes).build())
                    .build()).await();
        }
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(done.errors()).extracting(MigrationMessage::code).contains(MessageCode.VERIFICATION_MISMATCH);
        assertThat(done.verification().orElseThrow().tableMismatches()).extracting(TableVerification::table)
                .containsExactlyInAnyOrderElementsOf(tampering.keySet());
        assertThat(done.verification().orElseThrow().tables())
                .filteredOn(t -> List.of("unchanged", "ranges").contains(t.table())).hasSize(2)
                .allMatch(TableVerification::matches);
        // A lost row and an extra one are named by their counts, whichever way the rows were compared.
        List<TableVerification> tables = done.verification().orElseThrow().tables();
        assertThat(tables).filteredOn(t -> t.table().equals("missing_row")).singleElement()
                .satisfies(t -> assertThat(t.targetRows()).isEqualTo(t.sourceRows() - 1));
        assertThat(tables).filteredOn(t -> t.table().equals("extra_row")).singleElement()
                .satisfies(t -> assertThat(t.targetRows()).isEqualTo(t.sourceRows() + 1));
        TableProgress ranges = done.database(db).orElseThrow().tables().stream()
                .filter(t -> t.table().equals("ranges")).findFirst().orElseThrow();
        assertThat(ranges.parts()).as("copied in ranges").isGreaterThan(1);
        return done;
    }

    @Test
    void aTableTheBinaryMoverDoesNotTakeAndTheRereadOptionAreHashedByBothServers(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("copysum_mixed"));
        String again = source.createDatabase(TestDatabases.unique("copysum_reread"));
        for (String database : List.of(db, again)) {
            source.execute(database, "CREATE TYPE mood AS ENUM ('sad', 'happy')",
                    "CREATE TABLE binary_rows (id int PRIMARY KEY, v text)",
                    "INSERT INTO binary_rows SELECT g, md5(g::text) FROM generate_series(1, 1000) g",
                    // An array of a user type carries the type's OID in binary form: copied in text.
                    "CREATE TABLE text_rows (id int, moods mood[])",
                    "INSERT INTO text_rows SELECT g, ARRAY['sad', 'happy']::mood[] FROM generate_series(1, 100) g");
        }
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec("copysum-mixed", source, target, db,
                    MigrationSettings.builder().parallelism(2).build()).build()).await();
            assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            Map<String, String> checksums = new LinkedHashMap<>();
            done.verification().orElseThrow().tables().forEach(t -> checksums.put(t.table(), t.sourceChecksum()));
            assertThat(checksums.get("binary_rows")).startsWith("copy:");
            assertThat(checksums.get("text_rows")).isNotEmpty().doesNotStartWith("copy:");

            MigrationRecord reread = service.start(spec("copysum-reread", source, target, again,
                    MigrationSettings.builder().parallelism(2).option("verify.rereadSource", "true").build()).build())
                    .await();
            assertThat(reread.status()).as(reread.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(reread.verification().orElseThrow().tables()).hasSize(2)
                    .allMatch(t -> t.matches() && !t.sourceChecksum().startsWith("copy:"));
        }
    }

    @Test
    void aTableCopiedWholeOrInTidRangesTakesTheSourcesOwnCounts(@Pg("15") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("copysum_count"));
        source.execute(db, "CREATE TABLE whole (id int PRIMARY KEY, v text)",
                "INSERT INTO whole SELECT g, md5(g::text) FROM generate_series(1, 1000) g",
                "CREATE TABLE ranges (id int PRIMARY KEY, v text)",
                "INSERT INTO ranges SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 40000) g",
                "CREATE TABLE honest (id int)", "INSERT INTO honest SELECT generate_series(1, 10)");
        // A mover whose source "sent" one row more than it read, for every part of whole and ranges.
        DataMover overcounting = binaryMover("overcounting-binary", (task, context, moved) ->
                task.table().equals("honest") ? moved : new MoveResult(moved.rows(), moved.bytes(), moved.checksum(),
                        OptionalLong.of(moved.sourceRows().orElseThrow() + 1)),
                new java.util.concurrent.CopyOnWriteArrayList<>());
        MigrationRecord done;
        try (MigrationService service = MigrationService.builder().plugins(Plugins.discover()
                .withMover(overcounting)).build()) {
            // Read back: where the target hashes its own rows, a count that differs is confirmed on both servers.
            done = service.start(spec("copysum-count", source, target, db, MigrationSettings.builder().parallelism(2)
                    .splitTablesLargerThanBytes(1024 * 1024).option("verify.targetHashes", "false").build()).build())
                    .await();
        }
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(done.errors()).extracting(MigrationMessage::code).contains(MessageCode.VERIFICATION_MISMATCH);
        Map<String, TableVerification> tables = new LinkedHashMap<>();
        done.verification().orElseThrow().tables().forEach(t -> tables.put(t.table(), t));
        assertThat(tables.get("whole")).as("the source's own count stands for a count of a table copied whole")
                .satisfies(t -> assertThat(t.sourceRows()).isEqualTo(1001))
                .satisfies(t -> assertThat(t.targetRows()).isEqualTo(1000))
                .satisfies(t -> assertThat(t.matches()).isFalse());
        assertThat(done.database(db).orElseThrow().tables().stream().filter(t -> t.table().equals("ranges"))
                .findFirst().orElseThrow().parts()).as("copied in ranges").isGreaterThan(1);
        int parts = done.database(db).orElseThrow().tables().stream().filter(t -> t.table().equals("ranges"))
                .findFirst().orElseThrow().parts();
        assertThat(tables.get("ranges")).as("TID ranges cover the table by construction: their counts add up")
                .satisfies(t -> assertThat(t.sourceRows()).isEqualTo(40000 + parts))
                .satisfies(t -> assertThat(t.targetRows()).isEqualTo(40000))
                .satisfies(t -> assertThat(t.matches()).isFalse());
        assertThat(tables.get("honest").matches()).isTrue();
    }

    /**
     * Where the target sums every table itself, a verified migration logs in to the source no more often than one
     * without verification: a comparison's source session opens only when it reads the source, and the object
     * counts read it on the snapshot's own session. Each login is a SCRAM exchange, some 20 ms of the JVM's CPU.
     */
    @Test
    void aVerificationTheTargetSumsAloneLogsInToTheSourceNoMoreThanNone(
            @Pg(value = "15", settings = "log_connections=on") PostgresServer source,
            @Pg(value = "15", settings = "max_connections=100") PostgresServer target) throws Exception {
        String plain = source.createDatabase(TestDatabases.unique("logins_plain"));
        String verified = source.createDatabase(TestDatabases.unique("logins_verified"));
        for (String database : List.of(plain, verified)) {
            source.execute(database, "CREATE TABLE small (id int PRIMARY KEY, v text)",
                    "INSERT INTO small SELECT g, md5(g::text) FROM generate_series(1, 1000) g",
                    "CREATE TABLE ranges (id int PRIMARY KEY, v text)",
                    "INSERT INTO ranges SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 40000) g",
                    "CREATE SEQUENCE counter", "SELECT setval('counter', 42)");
        }
        Map<String, Long> logins = new LinkedHashMap<>();
        try (MigrationService service = MigrationService.builder().build()) {
            for (String database : List.of(plain, verified)) {
                // One worker: the copy's own logins are the same in both runs.
                MigrationSettings settings = MigrationSettings.builder().parallelism(1)
                        .splitTablesLargerThanBytes(1024 * 1024).verify(database.equals(verified)).build();
                MigrationRecord done = service.start(spec(database.replace('_', '-'), source, target, database,
                        settings).build()).await();
                assertThat(done.status()).as(done.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
                if (database.equals(verified)) {
                    assertThat(done.verification().orElseThrow().tables()).hasSize(2)
                            .allMatch(t -> t.matches() && t.sourceChecksum().startsWith("copy:"));
                    assertThat(done.verification().orElseThrow().objects()).isNotEmpty();
                }
                java.util.regex.Pattern login = java.util.regex.Pattern.compile(
                        "connection authorized: .*database=" + database + "( |$)");
                try (var lines = java.nio.file.Files.lines(source.logFile())) {
                    logins.put(database, lines.filter(line -> login.matcher(line).find()).count());
                }
            }
        }
        assertThat(logins.get(plain)).as("the copy logs in to the source database").isPositive();
        assertThat(logins.get(verified)).as("logins to the source database, verified and not").isEqualTo(
                logins.get(plain));
    }

    /** The binary mover, its checksum included, followed on the target by a statement per table named. */
    private static DataMover tamperingBinaryMover(Map<String, String> statements, List<String> readBacks) {
        return binaryMover("tampering-binary", (task, context, moved) -> {
            String statement = statements.get(task.table());
            if (statement != null && task.part() == 1) {
                try (var s = context.target().createStatement()) {
                    s.execute(statement);
                }
            }
            return moved;
        }, readBacks);
    }

    /** The binary mover under {@code id}, ahead of it, with {@code after} on each move; read-backs noted. */
    private static DataMover binaryMover(String id, TestMovers.AfterMove after, List<String> readBacks) {
        return TestMovers.binaryMoverAround(id, task -> true, after,
                (task, connection) -> readBacks.add(task.table() + task.rowFilter().map(f -> " " + f).orElse("")));
    }

    private static MigrationSpec.Builder spec(String name, PostgresServer source, PostgresServer target, String db,
            MigrationSettings settings) {
        return MigrationSpec.builder().name(name).source(source.serverSpec()).target(target.serverSpec()).databases(db)
                .option(MigrationOption.MIGRATE).settings(settings);
    }
}
