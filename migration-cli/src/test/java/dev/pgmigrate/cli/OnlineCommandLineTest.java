package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ReplicationProgress;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.cli.CliRuns.Result;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.StoredMigration;
import dev.pgmigrate.embedded.LocalPorts;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line of online migrations, run as a process without any server: {@code --migration-mode online} and
 * the file's {@code migrationMode: Online} are taken (the servers' reachability, checked next, is what stops these
 * runs), what an online migration cannot take is refused naming its fields, and {@code migration update --cutover}
 * reaches a migration through the state directory or says why it cannot. The stored migrations are records written
 * here: the engine's online run is wired elsewhere.
 */
class OnlineCommandLineTest {
    private static final Map<String, String> NO_PASSWORDS = Map.of();

    @TempDir
    Path dir;

    @Test
    void takesOnlineFromTheCommandLineAndFromTheFile() throws Exception {
        int closed = LocalPorts.free();
        Result fromOption = runs().pgmigrate(NO_PASSWORDS, "migration", "create", "--name", "online-opt", "--source",
                "postgresql://postgres@127.0.0.1:" + closed + "/shop", "--target",
                "postgresql://admin@127.0.0.1:" + closed, "--migration-mode", "online", "--wait");
        assertThat(fromOption.exitCode()).as(fromOption.all()).isEqualTo(69);
        assertThat(fromOption.err()).contains("Cannot reach the source server at 127.0.0.1:" + closed)
                .doesNotContain("migrationMode", "--migration-mode");

        Path file = file("online", "\"migrationMode\": \"Online\", \"setupLogicalReplicationOnSourceDbIfNeeded\": "
                + "\"True\"", closed);
        Result fromFile = runs().pgmigrate(NO_PASSWORDS, "migration", "create", "--name", "online-file",
                "--properties", file.toString(), "--wait");
        assertThat(fromFile.exitCode()).as(fromFile.all()).isEqualTo(69);
        assertThat(fromFile.out()).contains("Note: properties.setupLogicalReplicationOnSourceDbIfNeeded = true is "
                + "ignored: pgmigrate never changes or restarts the source.");
        assertThat(fromFile.err()).contains("Cannot reach the source server").doesNotContain("migrationMode");

        Result badMode = runs().pgmigrate(NO_PASSWORDS, "migration", "create", "--name", "x", "--properties",
                file.toString(), "--migration-mode", "sideways");
        assertThat(badMode.exitCode()).as(badMode.all()).isEqualTo(64);
        assertThat(badMode.err()).contains("--migration-mode = sideways", "use Offline or Online");
    }

    @Test
    void refusesAnOnlineMigrationOfTheDataAloneNamingTheFields() throws Exception {
        int closed = LocalPorts.free();
        Result r = runs().pgmigrate(NO_PASSWORDS, "migration", "create", "--name", "online-data", "--source",
                "postgresql://postgres@127.0.0.1:" + closed + "/shop", "--target",
                "postgresql://admin@127.0.0.1:" + closed, "--migration-mode", "online", "--data-only", "--wait");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(64);
        assertThat(r.err()).contains("migrationMode = Online", "settings.selection.dataOnly", "--data-only",
                "remove dataOnly, or migrate Offline").doesNotContain("Cannot reach");
    }

    @Test
    void refusesACutoverInANewMigrationsFileWithTheCommandThatTriggersIt() throws Exception {
        int closed = LocalPorts.free();
        for (String field : List.of("\"triggerCutover\": \"True\"", "\"dbsToTriggerCutoverOn\": [\"shop\"]")) {
            Path file = file("cutover", "\"migrationMode\": \"Online\", " + field, closed);

            Result r = runs().pgmigrate(NO_PASSWORDS, "migration", "create", "--name", "online-cut", "--properties",
                    file.toString(), "--wait");

            assertThat(r.exitCode()).as(r.all()).isEqualTo(64);
            assertThat(r.err()).as(field).contains(field.substring(1, field.indexOf('"', 1)),
                    "pgmigrate migration update --cutover --name NAME").doesNotContain("Cannot reach");
        }
        Path notNow = file("cutover-false", "\"triggerCutover\": false", closed);
        Result r = runs().pgmigrate(NO_PASSWORDS, "migration", "create", "--name", "online-cut", "--properties",
                notNow.toString(), "--wait");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(69);
        assertThat(r.out()).contains("properties.triggerCutover = false is ignored");
    }

    @Test
    void updateTakesExactlyOneChangeAndKnowsTheName() throws Exception {
        Result neither = runs().pgmigrate("migration", "update", "--name", "shop-move");
        assertThat(neither.exitCode()).as(neither.all()).isEqualTo(64);
        assertThat(neither.err()).contains("exactly one of --cancel", "--cutover");
        Result both = runs().pgmigrate("migration", "update", "--name", "shop-move", "--cancel", "--cutover");
        assertThat(both.exitCode()).as(both.all()).isEqualTo(64);
        assertThat(both.err()).contains("not both");

        Result unknown = runs().pgmigrate("migration", "update", "--cutover", "--name", "never-created");
        assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(64);
        assertThat(unknown.err()).contains("No migration named 'never-created'");
    }

    @Test
    void refusesToCutOverAnOfflineMigrationWhichCutsOverAutomatically() throws Exception {
        store(record("offline-move", MigrationMode.OFFLINE, MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED),
                Optional.empty());

        Result r = runs().pgmigrate("migration", "update", "--cutover", "--name", "offline-move");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
        assertThat(r.err()).contains("Migration 'offline-move' is offline: it cuts over automatically");

        store(record("online-done", MigrationMode.ONLINE, MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED)
                .withCutoverRequestedAt(Optional.of(Instant.now())), Optional.empty());
        Result ended = runs().pgmigrate("migration", "update", "--cutover", "--name", "online-done");
        assertThat(ended.exitCode()).as(ended.all()).isEqualTo(1);
        assertThat(ended.err()).contains("already ended with status Succeeded; there is nothing left to cut over");
    }

    @Test
    void asksTheProcessRunningAWaitingMigrationToCutOverThroughTheStateDirectory() throws Exception {
        MigrationRecord waiting = record("online-wait", MigrationMode.ONLINE, MigrationStatus.WAITING_FOR_USER_ACTION,
                MigrationSubstatus.WAITING_FOR_CUTOVER_TRIGGER);
        // Owned by this test's JVM, which is alive: to the command, the process running the migration.
        StoredMigration stored = store(waiting, Optional.of(new StoredMigration.Owner(InetAddress.getLocalHost()
                .getHostName(), ProcessHandle.current().pid(), ProcessHandle.current().info().startInstant()
                .orElse(Instant.EPOCH))));

        Result r = runs().pgmigrate("migration", "update", "--cutover", "--migration-name", "online-wait");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("Cutover of migration online-wait asked for at",
                "pgmigrate migration show --name online-wait");
        FileMigrationStore store = new FileMigrationStore(runs().stateDir());
        assertThat(store.load(stored.namespace(), "online-wait").orElseThrow().record().cutoverRequestedAt())
                .isPresent();
        assertThat(store.isCutoverRequested(stored.namespace(), "online-wait")).isTrue();

        // Not yet copied: nothing to cut over, and the command says when it can be.
        store(record("online-copying", MigrationMode.ONLINE, MigrationStatus.IN_PROGRESS,
                MigrationSubstatus.MIGRATING_DATA), stored.owner());
        Result early = runs().pgmigrate("migration", "update", "--cutover", "--name", "online-copying");
        assertThat(early.exitCode()).as(early.all()).isEqualTo(1);
        assertThat(early.err()).contains("InProgress / MigratingData",
                "WaitingForUserAction / WaitingForCutoverTrigger");
    }

    // ---------------------------------------------------------------- helpers

    private CliRuns runs() {
        return new CliRuns(dir);
    }

    /** A properties file whose servers listen nowhere ({@code port}), with {@code extra} fields. */
    private Path file(String name, String extra, int port) throws Exception {
        return Files.writeString(dir.resolve(name + ".json"), """
                {"properties": {
                  "sourceServer": {"host": "127.0.0.1", "port": %d, "adminLogin": "postgres", "sslMode": "disable"},
                  "targetServer": {"host": "127.0.0.1", "port": %d, "adminLogin": "admin", "sslMode": "disable"},
                  "dbsToMigrate": ["shop"], %s}}
                """.formatted(port, port, extra));
    }

    private static MigrationRecord record(String name, MigrationMode mode, MigrationStatus status,
            MigrationSubstatus substatus) {
        MigrationSpec spec = MigrationSpec.builder().name(name)
                .source(ServerSpec.builder().host("10.0.0.4").port(5432).adminLogin("postgres").build())
                .target(ServerSpec.builder().host("pg.example.com").port(5432).adminLogin("admin").build())
                .databases("shop").mode(mode).build();
        Instant start = Instant.now().minusSeconds(60);
        List<DatabaseProgress> databases = mode == MigrationMode.ONLINE && status != MigrationStatus.IN_PROGRESS
                ? List.of(new DatabaseProgress("shop", status, Optional.of(start), Optional.empty(), List.of(),
                        Optional.empty(), Optional.empty(), Optional.of(ReplicationProgress.starting("0/3000148",
                                start.plusSeconds(30)))))
                : List.of();
        return new MigrationRecord(spec, status, substatus, start, status.isFinal() ? Optional.of(Instant.now())
                : Optional.empty(), List.of(), databases, List.of(), Optional.empty(), List.of(), false, false);
    }

    private StoredMigration store(MigrationRecord record, Optional<StoredMigration.Owner> owner) {
        StoredMigration stored = new StoredMigration(MigrationService.namespaceOf(record.spec().target()), record,
                List.of(), owner, Instant.now(), Map.of(), Map.of());
        new FileMigrationStore(runs().stateDir()).create(stored, existing -> Optional.empty());
        return stored;
    }
}
