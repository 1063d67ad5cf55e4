package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.SchemaSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A migration whose process was killed during the copy is resumed by another process. */
@PostgresTest
class ResumeTest {

    @Test
    void resumesAKilledMigrationCopyingOnlyWhatWasMissing(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target, @TempDir Path dir) throws Exception {
        String db = database(source);
        Path state = dir.resolve("state");
        killDuringCopy(source, target, dir, state, db, "resumed");

        Map<String, Instant> keptStarts;
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            MigrationRecord before = service.show("resumed").orElseThrow();
            assertThat(before.interrupted()).isTrue();
            keptStarts = before.database(db).orElseThrow().tables().stream()
                    .filter(t -> t.state() == TableState.COMPLETED)
                    .collect(Collectors.toMap(TableProgress::qualifiedName, t -> t.startedAt().orElseThrow()));
            assertThat(keptStarts).hasSizeGreaterThanOrEqualTo(2);

            MigrationRecord done = service.resume("resumed").await(Duration.ofMinutes(5));
            assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification()).isPresent();
            assertThat(done.verification().get().matches()).isTrue();
            assertThat(done.notes()).anyMatch(n -> n.text().startsWith("Resumed database " + db + ": kept "
                    + keptStarts.size() + " table(s)"));
            // Kept tables were not copied again: their copy started before the kill, as stored then.
            for (TableProgress t : done.database(db).orElseThrow().tables()) {
                if (keptStarts.containsKey(t.qualifiedName())) {
                    assertThat(t.startedAt()).contains(keptStarts.get(t.qualifiedName()));
                }
                assertThat(t.state()).isEqualTo(TableState.COMPLETED);
            }
        }
        assertThat(SchemaSnapshot.of(target, db).differences(SchemaSnapshot.of(source, db))).isEmpty();
        assertThat(target.queryForLong(db, "SELECT count(*) FROM t5")).isEqualTo(150_000);
    }

    @Test
    void refusesToResumeWhenTheSourceChanged(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target,
            @TempDir Path dir) throws Exception {
        String db = database(source);
        Path state = dir.resolve("state");
        killDuringCopy(source, target, dir, state, db, "changed");
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            StoredMigration stored = new FileMigrationStore(state).list().get(0);
            TableProgress kept = stored.record().database(db).orElseThrow().tables().stream()
                    .filter(t -> t.state() == TableState.COMPLETED).findFirst().orElseThrow();
            source.execute(db, "INSERT INTO " + kept.table() + " SELECT g, 'late' FROM generate_series(150001, 150010) g");
            assertThatThrownBy(() -> service.resume("changed")).isInstanceOf(MigrationException.class)
                    .hasMessageContaining("the source changed")
                    .hasMessageContaining(kept.qualifiedName() + ": 150000 rows copied, 150010 on the source now");
            assertThat(service.show("changed").orElseThrow().interrupted()).isTrue();
            assertThat(service.cancel("changed").status()).isEqualTo(MigrationStatus.CANCELED);
        }
    }

    /**
     * A resume while a server cannot be reached (restarting, say) once ran anyway, failed, and ended the migration
     * with its rollback unable to reach the target either: it is refused now, changing nothing, and goes on once the
     * server is back.
     */
    @Test
    void aResumeWhileTheTargetCannotBeReachedIsRefusedAndGoesOnOnceItCan(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target, @TempDir Path dir) throws Exception {
        String db = database(source);
        Path state = dir.resolve("state");
        try (SlowProxy relay = new SlowProxy(target, 0, 0)) {
            String direct = MigrationChild.endpoint(target, dir, "t");
            String relayed = PostgresServer.HOST + ":" + relay.port() + direct.substring(direct.indexOf(':',
                    direct.indexOf(':') + 1));
            killDuringCopy(source, relayed, dir, state, db, "unreached");
            relay.cut();
            try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
                assertThatThrownBy(() -> service.resume("unreached")).isInstanceOfSatisfying(MigrationException.class,
                        e -> assertThat(e.code()).isEqualTo(dev.pgmigrate.api.MessageCode.SERVER_UNREACHABLE))
                        .hasMessageContaining("Cannot resume migration 'unreached' now: the target server "
                                + PostgresServer.HOST + ":" + relay.port() + " cannot be reached")
                        .hasMessageContaining("Nothing was changed");
                MigrationRecord kept = service.show("unreached").orElseThrow();
                assertThat(kept.interrupted()).isTrue();
                assertThat(kept.status()).isEqualTo(MigrationStatus.IN_PROGRESS);

                relay.mend();
                MigrationRecord done = service.resume("unreached").await(Duration.ofMinutes(5));
                assertThat(done.status()).as("%s %s", done.errors(), done.notes())
                        .isEqualTo(MigrationStatus.SUCCEEDED);
            }
        }
        assertThat(target.queryForLong(db, "SELECT count(*) FROM t5")).isEqualTo(150_000);
    }

    private static String database(PostgresServer source) {
        String db = source.createDatabase(TestDatabases.unique("resume"));
        for (int i = 1; i <= 6; i++) {
            source.execute(db, "CREATE TABLE t" + i + " (id int PRIMARY KEY, v text)",
                    "CREATE INDEX ON t" + i + " (v)",
                    "INSERT INTO t" + i + " SELECT g, md5(g::text) || md5((g * " + i + ")::text) FROM "
                            + "generate_series(1, 150000) g");
        }
        source.execute(db, "ALTER TABLE t2 ADD CONSTRAINT t2_t1 FOREIGN KEY (id) REFERENCES t1");
        return db;
    }

    /** Runs the migration in a child JVM and kills it once at least two tables are stored as copied. */
    private static void killDuringCopy(PostgresServer source, PostgresServer target, Path dir, Path state, String db,
            String name) throws Exception {
        killDuringCopy(source, MigrationChild.endpoint(target, dir, "t"), dir, state, db, name);
    }

    /** As above, the target reached at {@code targetEndpoint} ({@link MigrationChild#endpoint}'s form). */
    private static void killDuringCopy(PostgresServer source, String targetEndpoint, Path dir, Path state, String db,
            String name) throws Exception {
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MigrationChild.class.getName(), state.toString(), name,
                db, MigrationChild.endpoint(source, dir, "s"), targetEndpoint, "verify"))
                .redirectError(dir.resolve(name + ".err").toFile()).redirectOutput(dir.resolve(name + ".out").toFile())
                .start();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline) && child.isAlive()) {
            if (Files.isDirectory(state)) {
                long completed = new FileMigrationStore(state).list().stream()
                        .flatMap(m -> m.record().databases().stream()).flatMap(d -> d.tables().stream())
                        .filter(t -> t.state() == TableState.COMPLETED).count();
                if (completed >= 2) {
                    break;
                }
            }
            Thread.sleep(50);
        }
        assertThat(child.isAlive()).as("the child was still copying; stderr: %s",
                Files.readString(dir.resolve(name + ".err"))).isTrue();
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

}
