package dev.pgmigrate.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.embedded.internal.OsUser;
import dev.pgmigrate.embedded.internal.Processes;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    @Test
    void reapOrphansStopsServersWhoseJvmIsGone() throws Exception {
        PostgresServer server = PostgresServer.start("17");
        long postmaster = server.postmasterPid().orElseThrow();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(server.directory().resolve("owner.pid"), Long.toString(gone.pid()));

        int reaped = PostgresServer.reapOrphans();

        assertThat(reaped).isGreaterThanOrEqualTo(1);
        assertThat(Processes.isRunning(postmaster)).isFalse();
        assertThat(server.directory()).doesNotExist();
        server.close();
    }

    @Test
    void restartKeepsTheDataAndStopLeavesTheFiles() {
        try (PostgresServer server = PostgresServer.start("16")) {
            String db = server.createDatabase(TestDatabases.unique("keep"));
            server.execute(db, "CREATE TABLE t AS SELECT 42 AS answer");

            server.restart();
            assertThat(server.queryForLong(db, "SELECT answer FROM t")).isEqualTo(42);

            server.stop();
            assertThat(server.isRunning()).isFalse();
            assertThat(server.dataDirectory().resolve("PG_VERSION")).exists();
        }
    }

    @Test
    void serversRunAsAnUnprivilegedUserUnderRoot() {
        try (PostgresServer server = PostgresServer.start("17")) {
            long pid = server.postmasterPid().orElseThrow();
            String user = ProcessHandle.of(pid).flatMap(p -> p.info().user()).orElse("?");
            if (OsUser.isRoot()) {
                assertThat(user).isEqualTo(OsUser.serverUser().orElseThrow());
            } else {
                assertThat(user).isEqualTo(System.getProperty("user.name"));
            }
        }
    }
}
