package dev.pgmigrate.it;

import static dev.pgmigrate.it.FaultsTest.BIG_ROWS;
import static dev.pgmigrate.it.FaultsTest.BIG_TABLE;
import static dev.pgmigrate.it.FaultsTest.assertFailedAndRolledBack;
import static dev.pgmigrate.it.FaultsTest.service;
import static dev.pgmigrate.it.FaultsTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A target that runs out of disk space in the middle of a table's copy (a 5 MB tmpfs tablespace, mounted as root):
 * the run fails naming the table and the full disk, and rolls back.
 */
@PostgresTest
class DiskFullTest {
    @Test
    void aTargetOutOfSpaceFailsTheTableWithDiskFullAndRollsBack(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String tablespace = "tiny_" + Long.toHexString(System.nanoTime());
        Path sourceDir = PostgresServer.tempBase().resolve(tablespace + "-source");
        Path targetDir = PostgresServer.tempBase().resolve(tablespace + "-target");
        String db = source.createDatabase(TestDatabases.unique("nospace"));
        List<String> before = PluginJarTest.databases(target);
        Files.createDirectories(sourceDir);
        Files.createDirectories(targetDir);
        // A 5 MB file system for the target's tablespace: the table needs about 16 MB.
        run("mount", "-t", "tmpfs", "-o", "size=5M,mode=0700,uid=" + uid("nobody") + ",gid=" + gid("nobody"), "tmpfs",
                targetDir.toString());
        try {
            run("chown", "nobody", sourceDir.toString());
            source.execute("postgres", "CREATE TABLESPACE " + tablespace + " LOCATION '" + sourceDir + "'");
            target.execute("postgres", "CREATE TABLESPACE " + tablespace + " LOCATION '" + targetDir + "'");
            source.execute(db, BIG_TABLE + " TABLESPACE " + tablespace, BIG_ROWS);
            try (MigrationService service = service()) {
                MigrationRecord done = service.start(spec("out-of-space", source.serverSpec(), target.serverSpec(),
                        db, b -> b.option("copy.bufferBytes", "65536"))).await(Duration.ofMinutes(2));

                assertFailedAndRolledBack(done, target, before);
                assertThat(done.errors()).as("codes").extracting(MigrationMessage::code).contains(MessageCode.OUT_OF_RESOURCES);
                assertThat(done.errors().get(0).text()).contains("Cannot copy table public.big of database " + db)
                        .contains("53100").contains("No space left on device");
            }
        } finally {
            source.execute("postgres", "DROP DATABASE IF EXISTS " + db);
            source.execute("postgres", "DROP TABLESPACE IF EXISTS " + tablespace);
            target.execute("postgres", "DROP TABLESPACE IF EXISTS " + tablespace);
            run("umount", targetDir.toString());
            Files.deleteIfExists(targetDir);
            run("rm", "-rf", sourceDir.toString());
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }

    private static String uid(String user) throws IOException {
        return Files.readAllLines(Path.of("/etc/passwd")).stream().filter(l -> l.startsWith(user + ":"))
                .findFirst().orElseThrow().split(":")[2];
    }

    private static String gid(String user) throws IOException {
        return Files.readAllLines(Path.of("/etc/passwd")).stream().filter(l -> l.startsWith(user + ":"))
                .findFirst().orElseThrow().split(":")[3];
    }
}
